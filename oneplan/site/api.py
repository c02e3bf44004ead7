"""REST API of the project itself: poll a job you started; unknown API addresses."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase, HttpResponsePermanentRedirect
from django.urls import Resolver404, resolve
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.generics import RetrieveAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from oneplan.models import Job
from oneplan.selectors import job_get_for_user_or_404


class JobSerializer(serializers.ModelSerializer[Job]):
    percent = serializers.IntegerField(read_only=True)
    result_url = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "status",
            "percent",
            "progress_done",
            "progress_total",
            "counts",
            "errors",
            "created_at",
            "started_at",
            "finished_at",
            "result_url",
        ]

    def get_result_url(self, job: Job) -> str | None:
        if not job.result_file:
            return None
        return f"/jobs/{job.pk}/download/"


class JobDetailView(RetrieveAPIView[Job]):
    """A job you started. Other people's jobs answer 404."""

    access_rule = "the user who started the job (404 for anyone else)"
    serializer_class = JobSerializer
    queryset = Job.objects.none()

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        job = job_get_for_user_or_404(request.user, str(kwargs["job_id"]))
        return Response(self.get_serializer(job).data)


# Unknown addresses under /api/ (the last route of oneplan/site/urls.py).


def _with_slash(request: HttpRequest) -> str | None:
    """Where Django's APPEND_SLASH would have sent the request, if anywhere: the
    catch-all route matches every path, so the middleware no longer does it."""
    path = request.path_info
    if not settings.APPEND_SLASH or path.endswith("/"):
        return None
    try:
        match = resolve(path + "/")
    except Resolver404:
        return None
    if getattr(match.func, "view_class", None) is ApiNotFoundView:
        return None
    return request.get_full_path(force_append_slash=True)


class ApiNotFoundView(APIView):
    """Every path under /api/ that names no endpoint: a JSON 404, not the site's page."""

    access_rule = "anyone: answers 404 and shows nothing"
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    schema = None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        target = _with_slash(request)
        if target is not None and request.method in ("GET", "HEAD"):
            return HttpResponsePermanentRedirect(target)
        return super().dispatch(request, *args, **kwargs)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # Before any handler, so every method (OPTIONS too) answers the same 404.
        super().initial(request, *args, **kwargs)
        raise NotFound()
