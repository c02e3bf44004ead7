"""The families app's pages: the family itself, then its areas (access, search)."""

from django.urls import URLPattern, URLResolver, path

from families import views
from families.access.urls import urlpatterns as access_patterns
from families.household.urls import urlpatterns as household_patterns
from families.search.urls import urlpatterns as search_patterns

app_name = "families"

urlpatterns: list[URLPattern | URLResolver] = [
    path("families/", views.family_list, name="list"),
    *search_patterns,
    path("families/<str:reference>/", views.family_detail, name="detail"),
    path("families/<str:reference>/status/", views.family_transition, name="transition"),
    *access_patterns,
    *household_patterns,
    path("caseload/", views.caseload_overview, name="overview"),
    path("caseload/export/", views.caseload_export, name="export"),
]
