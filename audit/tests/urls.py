"""The project's routes plus the audit pages, until oneplan/urls.py includes them."""

from django.urls import include, path

from oneplan.urls import urlpatterns as project_urlpatterns

_already_included = any(getattr(p, "namespace", None) == "audit" for p in project_urlpatterns)

urlpatterns = list(project_urlpatterns)
if not _already_included:
    urlpatterns.append(path("audit/", include("audit.urls")))
