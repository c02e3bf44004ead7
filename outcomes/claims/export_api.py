"""REST API for exporting a claim batch: ``POST /api/claim-batches/{id}/exports/`` with a
format (csv or xlsx) starts the background job and answers 202 with it; poll it at
``/api/jobs/{id}/`` and download the file from its ``result_url`` when it is done. The
same policy and service as the batch page's buttons (``outcomes.claims.export``)."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from agencies.request_user import request_user_or_403
from oneplan.models import Job
from oneplan.text_limits import TextLimitsMixin
from outcomes.claims.access import can_export_claims
from outcomes.claims.export import (
    DENIED,
    EXPORT_RULE,
    FORMATS,
    KEY_MAX,
    claim_batch_export_start,
)
from outcomes.models import ClaimBatch


class ClaimBatchExportRequestSerializer(TextLimitsMixin, serializers.Serializer[Any]):
    format = serializers.ChoiceField(
        choices=list(FORMATS),
        error_messages={"invalid_choice": "Choose csv or xlsx"},
        help_text="csv or xlsx (docs/results.md, Exporting a claim batch)",
    )
    idempotency_key = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=KEY_MAX,
        help_text="Send the same key again (a retried request) to get the same job back",
    )


class ClaimBatchExportJobSerializer(serializers.Serializer[Job]):
    id = serializers.UUIDField()
    status = serializers.CharField(help_text="queued, running, succeeded or failed")
    percent = serializers.IntegerField()
    url = serializers.SerializerMethodField(help_text="Poll this job at /api/jobs/{id}/")
    page_url = serializers.SerializerMethodField(help_text="The job's page, with its progress")

    def get_url(self, job: Job) -> str:
        return f"/api/jobs/{job.pk}/"

    def get_page_url(self, job: Job) -> str:
        return f"/jobs/{job.pk}/"


class ClaimBatchExportViewSet(viewsets.GenericViewSet[Job]):
    """Exports of a claim batch: whoever sees claims starts one; everyone else gets 403.
    Only the person who started an export sees its job and downloads its file."""

    access_rule = EXPORT_RULE
    serializer_class = ClaimBatchExportRequestSerializer
    queryset = Job.objects.none()

    @extend_schema(
        summary="Export a claim batch as CSV or XLSX (a background job)",
        parameters=[
            OpenApiParameter("batch_id", int, OpenApiParameter.PATH, description="The batch"),
        ],
        request=ClaimBatchExportRequestSerializer,
        responses={202: ClaimBatchExportJobSerializer},
    )
    def create(self, request: Request, batch_id: str) -> Response:
        user = request_user_or_403(
            request,
            can_export_claims,
            DENIED,
        )
        batch = get_object_or_404(ClaimBatch, pk=int(batch_id))
        payload = ClaimBatchExportRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        job = claim_batch_export_start(
            actor=user,
            batch=batch,
            file_format=payload.validated_data["format"],
            idempotency_key=payload.validated_data.get("idempotency_key", ""),
            request=request,
        )
        return Response(ClaimBatchExportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


def register(router: BaseRouter) -> None:
    """Add this area's viewsets to the project's API router."""
    router.register(
        r"claim-batches/(?P<batch_id>[0-9]+)/exports",
        ClaimBatchExportViewSet,
        basename="claim-batch-export",
    )
