from django.urls import URLPattern, URLResolver, path

from lcgs.allocation import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("families/<str:reference>/allocate/", views.family_allocate, name="family-allocate"),
]
