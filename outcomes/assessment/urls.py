from django.urls import URLPattern, URLResolver, path

from outcomes.assessment import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("outcome-plan/", views.outcome_plan_detail, name="outcome-plan"),
    path("outcome-plan/edit/", views.outcome_plan_edit, name="outcome-plan-edit"),
    path("outcome-plan/versions/", views.outcome_plan_versions, name="outcome-plan-versions"),
    path(
        "outcome-plan/versions/<int:version>/",
        views.outcome_plan_version,
        name="outcome-plan-version",
    ),
]
