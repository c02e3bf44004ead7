from django.urls import URLPattern, URLResolver, path

from outcomes.costs import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("costs-avoided/", views.costs_avoided, name="costs-avoided"),
    path("costs-avoided/csv/", views.costs_avoided_csv, name="costs-avoided-csv"),
    path("costs-avoided/families/", views.costs_avoided_families, name="costs-avoided-families"),
    path(
        "costs-avoided/families/<str:reference>/",
        views.costs_avoided_family,
        name="costs-avoided-family",
    ),
    path("costs-avoided/unit-costs/", views.unit_costs, name="unit-costs"),
    path("costs-avoided/unit-costs/new/", views.unit_cost_new, name="unit-cost-new"),
    path(
        "costs-avoided/unit-costs/<int:line_id>/", views.unit_cost_change, name="unit-cost-change"
    ),
    path("costs-avoided/spend/<int:year>/", views.programme_spend_set, name="programme-spend-set"),
]
