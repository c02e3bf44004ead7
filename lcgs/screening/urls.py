from django.urls import URLPattern, URLResolver, path

from lcgs.screening import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("nominations/", views.nomination_list, name="nomination-list"),
    path(
        "nominations/new-family/", views.nomination_create_family, name="nomination-create-family"
    ),
    path(
        "nominations/family/<str:reference>/",
        views.nomination_create,
        name="nomination-create",
    ),
    path(
        "nominations/<int:nomination_id>/withdraw/",
        views.nomination_withdraw,
        name="nomination-withdraw",
    ),
    path("screening/", views.screening_list, name="screening-list"),
    path("screening/<str:reference>/", views.screening_decide, name="screening-decide"),
]
