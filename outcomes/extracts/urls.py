from django.urls import URLPattern, URLResolver, path

from outcomes.extracts import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("evaluation-extracts/", views.extract_list, name="evaluation-extracts"),
    path("evaluation-extracts/new/", views.extract_new, name="evaluation-extract-new"),
    path("evaluation-extracts/<int:log_id>/", views.extract_detail, name="evaluation-extract"),
    path(
        "evaluation-extracts/<int:log_id>/download/",
        views.extract_download,
        name="evaluation-extract-download",
    ),
]
