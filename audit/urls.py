from django.urls import path

from audit import views

app_name = "audit"

urlpatterns = [
    path("users/", views.user_activity, name="user-activity"),
]
