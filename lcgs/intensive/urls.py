from django.urls import URLPattern, URLResolver, path

from lcgs.intensive import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("intensive-support/", views.intensive_overview, name="intensive-overview"),
    path("intensive-support/places/", views.places_edit, name="intensive-places"),
    path(
        "intensive-support/provider/",
        views.provider_nomination_list,
        name="intensive-provider-list",
    ),
    path(
        "intensive-support/nominations/<int:pk>/",
        views.nomination_detail,
        name="intensive-nomination-detail",
    ),
    path(
        "intensive-support/nominations/<int:pk>/accept/",
        views.nomination_accept,
        name="intensive-nomination-accept",
    ),
    path(
        "intensive-support/nominations/<int:pk>/decline/",
        views.nomination_decline,
        name="intensive-nomination-decline",
    ),
    path(
        "intensive-support/nominations/<int:pk>/withdraw/",
        views.nomination_withdraw,
        name="intensive-nomination-withdraw",
    ),
    path(
        "families/<str:reference>/intensive-support/",
        views.intensive_nominate,
        name="intensive-nominate",
    ),
]
