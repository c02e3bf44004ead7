from django.urls import path

from audit import views
from audit.subject_access.urls import urlpatterns as subject_access_patterns

app_name = "audit"

urlpatterns = [
    path("users/", views.user_activity, name="user-activity"),
    *subject_access_patterns,
]
