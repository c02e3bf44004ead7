from django.urls import URLPattern, URLResolver, path

from plans.work import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("my-actions/", views.my_actions, name="my-actions"),
    path("my-families/", views.my_families, name="my-families"),
]
