from django.urls import path

from families import views

app_name = "families"

urlpatterns = [
    path("families/", views.family_list, name="list"),
    path("families/<str:reference>/", views.family_detail, name="detail"),
    path("families/<str:reference>/status/", views.family_transition, name="transition"),
    path("caseload/", views.caseload_overview, name="overview"),
    path("caseload/export/", views.caseload_export, name="export"),
]
