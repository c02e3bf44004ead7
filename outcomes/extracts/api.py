"""REST API of the evaluation extracts (docs/evaluation-extract.md), the same policy,
selectors and services as the pages:

- ``GET /api/evaluation-extracts/``, ``GET /api/evaluation-extracts/{id}/``: the log
  (programme managers and the data protection officer);
- ``POST /api/evaluation-extracts/``: ask for an extract (programme managers), its
  fields chosen in ``columns``; the
  file is made by a background job and downloaded from the extract's page.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from agencies.request_user import request_user_or_403
from oneplan.text_limits import TextLimitsMixin
from outcomes.extracts import selectors, services
from outcomes.extracts.access import (
    LOG_DENIED,
    LOG_RULE,
    MAKE_DENIED,
    can_make_extracts,
    can_see_extract_log,
)
from outcomes.extracts.models import ExtractLog
from outcomes.extracts.rules import FIELD_CODES


class ExtractLogSerializer(serializers.ModelSerializer[ExtractLog]):
    created_by = serializers.CharField(source="created_by.username", read_only=True)
    job = serializers.UUIDField(source="job.pk", read_only=True)
    job_status = serializers.CharField(source="job.status", read_only=True)

    class Meta:
        model = ExtractLog
        fields = [
            "id",
            "created_by",
            "created_at",
            "partner",
            "partner_code",
            "key_id",
            "fields",
            "reference_date",
            "row_count",
            "job",
            "job_status",
        ]
        read_only_fields = fields


class ExtractRequestSerializer(TextLimitsMixin, serializers.Serializer[Any]):
    partner = serializers.CharField(max_length=services.PARTNER_MAX)
    columns = serializers.ListField(
        child=serializers.ChoiceField(choices=list(FIELD_CODES)), allow_empty=False
    )
    reference_date = serializers.DateField()


class EvaluationExtractViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[ExtractLog]
):
    """The log of evaluation extracts; ``POST`` asks for a new one."""

    access_rule = LOG_RULE + "; programme managers ask for extracts"
    serializer_class = ExtractLogSerializer
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[ExtractLog]:
        if getattr(self, "swagger_fake_view", False):
            return ExtractLog.objects.none()
        user = request_user_or_403(self.request, can_see_extract_log, LOG_DENIED)
        return selectors.extract_log_list(user)

    @extend_schema(request=ExtractRequestSerializer, responses={201: ExtractLogSerializer})
    def create(self, request: Request) -> Response:
        user = request_user_or_403(request, can_make_extracts, MAKE_DENIED)
        serializer = ExtractRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        log = services.evaluation_extract_start(
            actor=user,
            partner=data["partner"],
            fields=data["columns"],
            reference_date=data["reference_date"],
            request=request,
        )
        return Response(ExtractLogSerializer(log).data, status=status.HTTP_201_CREATED)


def register(router: BaseRouter) -> None:
    """Add this area's viewsets to the project's API router."""
    router.register("evaluation-extracts", EvaluationExtractViewSet, basename="evaluation-extracts")
