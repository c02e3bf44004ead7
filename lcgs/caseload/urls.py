from django.urls import URLPattern, URLResolver, path

from lcgs.caseload import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("lcg-dashboard/", views.caseload_dashboard, name="caseload-dashboard"),
    path("lcg-caseload/", views.caseload_list, name="caseload-list"),
    path("lcg-caseload/export/", views.caseload_export, name="caseload-export"),
]
