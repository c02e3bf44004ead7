from django.urls import URLPattern, URLResolver, path

from outcomes.reporting import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("programme/", views.programme_dashboard, name="programme-dashboard"),
    path("programme/csv/<slug:table>/", views.programme_table_csv, name="programme-table-csv"),
    path("programme/families/", views.programme_families, name="programme-families"),
    path("programme/targets/", views.programme_targets, name="programme-targets"),
    path(
        "programme/targets/<int:year>/",
        views.programme_target_set,
        name="programme-target-set",
    ),
    path("programme/quarterly-return/", views.quarterly_return, name="quarterly-return"),
]
