from django.urls import URLPattern, URLResolver, path

from outcomes.assessment import views

# ``framework`` is a framework code with local rules (tf2, sf2022); any other answers 404.
urlpatterns: list[URLPattern | URLResolver] = [
    path("outcome-plan/", views.outcome_plan_list, name="outcome-plan"),
    path("outcome-plan/<str:framework>/", views.outcome_plan_detail, name="outcome-plan-detail"),
    path("outcome-plan/<str:framework>/edit/", views.outcome_plan_edit, name="outcome-plan-edit"),
    path(
        "outcome-plan/<str:framework>/versions/",
        views.outcome_plan_versions,
        name="outcome-plan-versions",
    ),
    path(
        "outcome-plan/<str:framework>/versions/<int:version>/",
        views.outcome_plan_version,
        name="outcome-plan-version",
    ),
]
