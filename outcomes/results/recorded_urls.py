from django.urls import URLPattern, URLResolver, path

from outcomes.results import recorded_views

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "families/<str:reference>/outcomes/record/",
        recorded_views.recorded_outcome_record_page,
        name="recorded-outcome-record",
    ),
]
