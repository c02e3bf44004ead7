from django.urls import URLPattern, URLResolver, path

from lcgs.meetings import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("lcg-meetings/", views.meeting_list, name="meeting-list"),
    path("lcg-meetings/new/", views.meeting_create, name="meeting-create"),
    path("lcg-meetings/<int:pk>/", views.meeting_detail, name="meeting-detail"),
    path("lcg-meetings/<int:pk>/change/", views.meeting_edit, name="meeting-edit"),
    path("lcg-meetings/<int:pk>/attendees/", views.meeting_attendees, name="meeting-attendees"),
    path("lcg-meetings/<int:pk>/agenda/add/", views.meeting_agenda_add, name="meeting-agenda-add"),
    path(
        "lcg-meetings/<int:pk>/agenda/<int:item>/remove/",
        views.meeting_agenda_remove,
        name="meeting-agenda-remove",
    ),
    path(
        "lcg-meetings/<int:pk>/agenda/<int:item>/decide/<str:kind>/",
        views.meeting_decide,
        name="meeting-decide",
    ),
    path("lcg-meetings/<int:pk>/close/", views.meeting_close, name="meeting-close"),
    path("lcg-meetings/<int:pk>/minutes/", views.meeting_minutes, name="meeting-minutes"),
    path(
        "lcg-meetings/<int:pk>/minutes.pdf", views.meeting_minutes_pdf, name="meeting-minutes-pdf"
    ),
]
