"""REST API for background jobs: poll a job you started."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.generics import RetrieveAPIView
from rest_framework.request import Request
from rest_framework.response import Response

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
