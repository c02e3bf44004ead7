"""REST API of subject access (docs/subject-access.md), for the data protection officer
only (403 for everyone else):

- ``GET, POST /api/subject-access-requests/``: the requests (``?status=open`` for the
  open ones), and recording one;
- ``GET /api/subject-access-requests/{id}/``: one request;
- ``POST /api/subject-access-requests/{id}/extend/``: extend the deadline;
- ``POST /api/subject-access-requests/{id}/assemble/``: gather the records (202 and the
  background job);
- ``GET /api/subject-access-requests/{id}/bundle/?file_format=csv|pdf``: the redacted
  response, recorded as a download.

The same rule, selectors and services as the pages.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from agencies.request_user import request_user_or_403
from audit.models import AccessAction
from audit.services import access_event_record, access_events_record_many
from audit.subject_access import bundle, rules, selectors, services
from audit.subject_access.access import DENIED, RULE, can_handle_subject_access
from audit.subject_access.models import Requester, SubjectAccessRequest
from audit.subject_access.views import OBJECT_TYPE, bundle_file
from oneplan.errors import ApplicationError, NotFoundOrNoAccess
from oneplan.text_limits import TextLimitsMixin


class SubjectAccessRequestSerializer(serializers.ModelSerializer[SubjectAccessRequest]):
    deadline = serializers.SerializerMethodField(
        help_text='"overdue", "soon" (due within 7 days) or empty'
    )
    item_count = serializers.IntegerField(read_only=True, default=0)
    waiting_count = serializers.IntegerField(
        read_only=True, default=0, help_text="Flagged records still to review"
    )
    assembly_job = serializers.UUIDField(source="assembly_job_id", read_only=True, allow_null=True)

    class Meta:
        model = SubjectAccessRequest
        fields = [
            "id",
            "person_id",
            "person_name",
            "requester",
            "requester_name",
            "requester_contact",
            "received_on",
            "due_on",
            "extension_months",
            "extension_reason",
            "status",
            "notes",
            "sent_on",
            "closed_reason",
            "assembly_job",
            "item_count",
            "waiting_count",
            "deadline",
            "created_at",
        ]
        read_only_fields = fields

    def get_deadline(self, obj: SubjectAccessRequest) -> str:
        return rules.deadline_state(obj.due_on, today=timezone.localdate(), is_open=obj.is_open)


class RequestCreateSerializer(TextLimitsMixin, serializers.Serializer[Any]):
    person_id = serializers.IntegerField(min_value=1)
    requester = serializers.ChoiceField(choices=Requester.choices)
    requester_name = serializers.CharField(max_length=200)
    requester_contact = serializers.CharField(max_length=1000)
    received_on = serializers.DateField()
    notes = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class ExtendSerializer(TextLimitsMixin, serializers.Serializer[Any]):
    months = serializers.IntegerField(min_value=1, max_value=rules.MAX_EXTENSION_MONTHS)
    reason = serializers.CharField(max_length=2000)


class AssembleSerializer(serializers.Serializer[Any]):
    job = serializers.UUIDField(help_text="The background job gathering the records")
    request = SubjectAccessRequestSerializer()


STATUS = OpenApiParameter(
    "status",
    str,
    OpenApiParameter.QUERY,
    required=False,
    enum=["open", "all"],
    description="open (the default): requests not yet sent or closed; all: every request",
)
# Not "format": DRF reads that parameter to choose a renderer.
FORMAT = OpenApiParameter(
    "file_format", str, OpenApiParameter.QUERY, required=True, enum=list(bundle.FORMATS)
)


def _refused(exc: ApplicationError) -> ValidationError:
    return ValidationError({exc.field or "non_field_errors": [exc.message]})


class SubjectAccessRequestViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[SubjectAccessRequest]
):
    """Subject access requests: the data protection officer only."""

    access_rule = RULE
    serializer_class = SubjectAccessRequestSerializer
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[SubjectAccessRequest]:
        if getattr(self, "swagger_fake_view", False):
            return SubjectAccessRequest.objects.none()
        user = request_user_or_403(self.request, can_handle_subject_access, DENIED)
        open_only = self.request.query_params.get("status", "open") != "all"
        return selectors.request_list(user, open_only=open_only and self.action == "list")

    @extend_schema(operation_id="subject_access_requests_list", parameters=[STATUS])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if request.query_params.get("status", "open") not in ("open", "all"):
            raise ValidationError({"status": ["Choose open or all"]})
        response = super().list(request, *args, **kwargs)
        access_events_record_many(
            user=request.user,
            family_ids=[],
            object_type=OBJECT_TYPE,
            request=request,
            detail={"requests": [row["id"] for row in response.data["results"]]},
        )
        return response

    @extend_schema(operation_id="subject_access_requests_retrieve")
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().retrieve(request, *args, **kwargs)
        access_event_record(
            user=request.user,
            action=AccessAction.VIEW,
            object_type=OBJECT_TYPE,
            object_id=response.data["id"],
            request=request,
            detail={"person": response.data.get("person_id"), "page": "api"},
        )
        return response

    @extend_schema(request=RequestCreateSerializer, responses={201: SubjectAccessRequestSerializer})
    def create(self, request: Request) -> Response:
        user = request_user_or_403(request, can_handle_subject_access, DENIED)
        serializer = RequestCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            sar = services.subject_access_request_create(
                actor=user, today=timezone.localdate(), **data
            )
        except NotFoundOrNoAccess:
            raise ValidationError({"person_id": ["There is no such person"]}) from None
        except ApplicationError as exc:
            raise _refused(exc) from None
        sar = selectors.request_get_or_404(user, sar.pk)
        return Response(SubjectAccessRequestSerializer(sar).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ExtendSerializer, responses={200: SubjectAccessRequestSerializer})
    @action(detail=True, methods=["post"])
    def extend(self, request: Request, pk: str) -> Response:
        user = request_user_or_403(request, can_handle_subject_access, DENIED)
        sar = get_object_or_404(self.get_queryset(), pk=pk)
        serializer = ExtendSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            services.subject_access_request_extend(
                actor=user, request=sar, **serializer.validated_data
            )
        except ApplicationError as exc:
            raise _refused(exc) from None
        return Response(
            SubjectAccessRequestSerializer(selectors.request_get_or_404(user, sar.pk)).data
        )

    @extend_schema(
        request=None,
        responses={
            202: AssembleSerializer,
            409: OpenApiResponse(
                OpenApiTypes.OBJECT, "The request cannot be assembled now (sent or closed)"
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def assemble(self, request: Request, pk: str) -> Response:
        user = request_user_or_403(request, can_handle_subject_access, DENIED)
        sar = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            job = services.subject_access_assemble_start(actor=user, request=sar)
        except ApplicationError as exc:
            return Response({"detail": exc.message}, status=status.HTTP_409_CONFLICT)
        sar = selectors.request_get_or_404(user, sar.pk)
        return Response(
            {"job": job.pk, "request": SubjectAccessRequestSerializer(sar).data},
            status=status.HTTP_202_ACCEPTED,
        )

    @extend_schema(
        parameters=[FORMAT],
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (200, "text/csv"): OpenApiTypes.STR,
            409: OpenApiResponse(
                OpenApiTypes.OBJECT, "The redaction is not finished: nothing to download yet"
            ),
        },
    )
    @action(detail=True, methods=["get"])
    def bundle(self, request: Request, pk: str) -> HttpResponse | Response:
        request_user_or_403(request, can_handle_subject_access, DENIED)
        sar = get_object_or_404(self.get_queryset(), pk=pk)
        file_format = request.query_params.get("file_format", "")
        if file_format not in bundle.FORMATS:
            raise ValidationError({"file_format": ["Choose csv or pdf"]})
        try:
            content, content_type, name = bundle_file(request._request, sar, file_format)
        except ApplicationError as exc:
            return Response({"detail": exc.message}, status=status.HTTP_409_CONFLICT)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


def register(router: BaseRouter) -> None:
    """Add this area's viewset to the project's API router."""
    router.register(
        "subject-access-requests", SubjectAccessRequestViewSet, basename="subject-access-requests"
    )
