"""The search page."""

from django.urls import URLPattern, URLResolver, path

from families.search import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("search/", views.person_search, name="search"),
]
