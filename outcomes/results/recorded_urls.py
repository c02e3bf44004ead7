from django.urls import URLPattern, URLResolver, path

from outcomes.results import readiness_views, recorded_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("claims/readiness/", readiness_views.claim_readiness_list, name="claim-readiness"),
    path(
        "families/<str:reference>/outcomes/record/",
        recorded_views.recorded_outcome_record_page,
        name="recorded-outcome-record",
    ),
]
