"""REST API of the LCG dashboard and the caseload list (docs/caseload.md):

- ``GET /api/lcg-dashboard/``: the dashboard's figures, a column per LCG, each with the
  caseload filters of the families behind it;
- ``GET /api/caseload/``: the caseload list, filtered and sorted by the same query
  parameters as the page, paginated;
- ``POST /api/caseload/exports/``: export the list as CSV or XLSX (a background job):
  answers 202 with the job; poll it at ``/api/jobs/{id}/``.

The same policy, selectors and service as the pages; LCG coordinators and programme
managers only (403 for everyone else).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from agencies.request_user import request_user_or_403
from audit.services import access_events_record_many
from families.models import Family
from lcgs.caseload import dashboard, selectors
from lcgs.caseload.access import DENIED, EXPORT_RULE, SEE_RULE, can_see_caseload
from lcgs.caseload.conditions import Clock
from lcgs.caseload.dashboard import Column, Dashboard, Row, Section
from lcgs.caseload.export import FORMATS, KEY_MAX, caseload_export_start
from lcgs.caseload.forms import (
    AGE_CHOICES,
    CONCERN_CHOICES,
    READINESS_CHOICES,
    SORT_CHOICES,
    STAGE_CHOICES,
    STATUS_CHOICES,
    TRACK_CHOICES,
    WAITED_CHOICES,
    CaseloadFilterForm,
)
from lcgs.caseload.selectors import CaseloadQuery, CaseloadRow
from lcgs.caseload.views import caseload_filter_form
from oneplan.api_errors import OneObjectSchema
from oneplan.models import Job
from oneplan.text_limits import TextLimitsMixin

API_LIST = "/api/caseload/"


def _clock() -> Clock:
    now = timezone.now()
    return Clock(now=now, today=timezone.localdate(now))


def _enum(choices: list[tuple[str, str]]) -> list[str]:
    return [value for value, _ in choices if value]


# The list's query parameters, as the schema documents them; the form checks them.
FILTER_PARAMETERS = [
    OpenApiParameter("lcg", str, description='An LCG id, or "unassigned" (outside every LCG)'),
    OpenApiParameter("status", str, enum=_enum(STATUS_CHOICES)),
    OpenApiParameter("track", str, enum=_enum(TRACK_CHOICES)),
    OpenApiParameter("lead_agency", str, description='A lead agency id, or "none"'),
    OpenApiParameter("key_worker", str, description='A lead professional\'s staff id, or "none"'),
    OpenApiParameter("problem", str, description="A need code: families with that need open"),
    OpenApiParameter("readiness", str, enum=_enum(READINESS_CHOICES)),
    OpenApiParameter("age", str, enum=_enum(AGE_CHOICES), description="Age of case"),
    OpenApiParameter("stage", str, enum=_enum(STAGE_CHOICES), description="Waiting at"),
    OpenApiParameter(
        "waited", str, enum=_enum(WAITED_CHOICES), description="Time at the stage (with stage)"
    ),
    OpenApiParameter("concern", str, enum=_enum(CONCERN_CHOICES), description="Needs chasing"),
    OpenApiParameter("overdue_agency", str, description="An agency id: its actions are overdue"),
    OpenApiParameter("sort", str, enum=_enum(SORT_CHOICES)),
]


def _valid_form(form: CaseloadFilterForm) -> CaseloadQuery:
    """The query, or a 400 naming each wrong parameter, as the API answers any input."""
    if not form.is_valid():
        raise ValidationError(
            {name: [str(message) for message in errors] for name, errors in form.errors.items()}
        )
    return form.query()


def _api_url(params: dict[str, str] | None, query: str | None = None) -> str | None:
    """/api/caseload/ with ``params`` (``query``: the same, already encoded)."""
    if params is None:
        return None
    if query is None:
        query = urlencode(params)
    return f"{API_LIST}?{query}" if query else API_LIST


def _only_filters(params: QueryDict) -> QueryDict:
    """The request's parameters less pagination, for the filter form."""
    kept = params.copy()
    for name in ("page", "page_size", "format"):
        kept.pop(name, None)
    return kept


# ---------------------------------------------------------------------------
# The dashboard
# ---------------------------------------------------------------------------


class ColumnSerializer(serializers.Serializer[Any]):
    key = serializers.CharField(help_text='The LCG id, "unassigned" or "all" (the total)')
    name = serializers.CharField(source="label")
    filters = serializers.DictField(
        source="params", child=serializers.CharField(), help_text="The caseload filters of it"
    )


class CellSerializer(serializers.Serializer[Any]):
    column = serializers.CharField(help_text="The column's key")
    count = serializers.IntegerField(
        allow_null=True, help_text="The figure (days for a longest wait); null when none"
    )
    text = serializers.CharField(help_text="The figure as the page shows it")
    filters = serializers.DictField(
        child=serializers.CharField(),
        allow_null=True,
        help_text="Query parameters of /api/caseload/ listing the families behind it",
    )
    url = serializers.CharField(
        allow_null=True,
        help_text=(
            "Where the families behind it are listed: /api/caseload/ with those parameters "
            "or, for targets, the grant statement's page; null: no list"
        ),
    )


class RowSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    name = serializers.CharField(source="label", help_text="What the figure counts")
    cells = serializers.SerializerMethodField()

    @extend_schema_field(CellSerializer(many=True))
    def get_cells(self, row: Row) -> list[dict[str, Any]]:
        columns: list[Column] = self.context["columns"]
        return [
            {
                "column": column.key,
                "count": cell.count,
                "text": cell.text or ("" if cell.count is None else str(cell.count)),
                "filters": cell.params,
                "url": cell.url or _api_url(cell.params, cell.query),
            }
            for column, cell in zip(columns, row.cells, strict=True)
        ]


class SectionSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    rows = serializers.SerializerMethodField()

    @extend_schema_field(RowSerializer(many=True))
    def get_rows(self, section: Section) -> Any:
        rows: list[Any] = list(section.rows)
        return RowSerializer(rows, many=True, context=self.context).data


class DashboardSerializer(serializers.Serializer[Any]):
    families = serializers.IntegerField(help_text="Families in the caseload")
    columns = ColumnSerializer(many=True)
    sections = serializers.SerializerMethodField()

    @extend_schema_field(SectionSerializer(many=True))
    def get_sections(self, dashboard: Dashboard) -> Any:
        context = {**self.context, "columns": list(dashboard.columns)}
        sections: list[Any] = list(dashboard.sections)
        return SectionSerializer(sections, many=True, context=context).data


class LcgDashboardViewSet(viewsets.GenericViewSet[Any]):
    """The LCG dashboard: the caseload counted a column per LCG (and the families
    outside every LCG, for programme managers), with the total."""

    access_rule = SEE_RULE
    queryset = Family.objects.none()
    serializer_class = DashboardSerializer
    pagination_class = None
    schema = OneObjectSchema()

    @extend_schema(responses=DashboardSerializer)
    def list(self, request: Request) -> Response:
        """Families by status, by track and by lead agency; families waiting for
        screening and without a lead professional; time waiting at each stage; late
        plans, overdue reviews, drift and overdue actions by agency; results claimable
        or at risk. Each figure names the /api/caseload/ filters of its families."""
        user = request_user_or_403(request, can_see_caseload, DENIED)
        figures = dashboard.caseload_dashboard(user, clock=_clock())
        return Response(DashboardSerializer(figures).data)


# ---------------------------------------------------------------------------
# The list
# ---------------------------------------------------------------------------


class CaseloadRowSerializer(serializers.Serializer[Any]):
    reference = serializers.CharField(source="family.reference")
    main_carer = serializers.CharField()
    lcg = serializers.CharField(source="family.lcg.name", allow_null=True, default=None)
    status = serializers.CharField(source="family.status")
    status_since = serializers.DateTimeField(source="family.status_changed_at")
    track = serializers.CharField(source="family.track", help_text='intensive, local or ""')
    lead_agency = serializers.CharField(
        source="family.lead_agency.code", allow_null=True, default=None
    )
    key_worker = serializers.CharField(
        source="family.lead_professional.user.username", allow_null=True, default=None
    )
    problems = serializers.SerializerMethodField(
        help_text="Codes of the open needs (restricted ones only for those who may see them)"
    )
    restricted_problems_hidden = serializers.IntegerField(source="hidden_problems")
    readiness = serializers.CharField(help_text='As last evaluated; "" when never')
    waiting_at = serializers.CharField(source="stage.key", allow_null=True, default=None)
    waiting_days = serializers.IntegerField(source="stage_days", allow_null=True)
    case_open_since = serializers.DateTimeField(source="case_started")
    overdue_actions = serializers.IntegerField()
    needs_chasing = serializers.ListField(source="flags", child=serializers.CharField())

    def get_problems(self, row: CaseloadRow) -> list[str]:
        return [code for code, _ in row.problems]


class CaseloadViewSet(viewsets.GenericViewSet[Any]):
    """The caseload list: the families of the caller's LCG caseload."""

    access_rule = SEE_RULE
    queryset = Family.objects.none()
    serializer_class = CaseloadRowSerializer

    @extend_schema(parameters=FILTER_PARAMETERS, responses=CaseloadRowSerializer(many=True))
    def list(self, request: Request) -> Response:
        """Filtered, sorted and paginated as the caseload list page is. A filter value
        outside the caller's caseload (another LCG, say) answers 400."""
        user = request_user_or_403(request, can_see_caseload, DENIED)
        form = caseload_filter_form(user, _only_filters(request.query_params))
        query = _valid_form(form)
        clock = _clock()
        ids: QuerySet[Any] = selectors.caseload_families(user, query, clock=clock).values_list(
            "pk", flat=True
        )
        page = list(self.paginate_queryset(ids) or [])
        rows = selectors.caseload_rows(user, page, clock=clock)
        access_events_record_many(
            user=user,
            family_ids=[row.family.pk for row in rows],
            family_references=[row.family.reference for row in rows],
            object_type="lcg_caseload",
            filters=query.params(),
            request=request,
        )
        shown: list[Any] = rows
        return self.get_paginated_response(CaseloadRowSerializer(shown, many=True).data)


# ---------------------------------------------------------------------------
# Exports
# ---------------------------------------------------------------------------


class CaseloadExportRequestSerializer(TextLimitsMixin, serializers.Serializer[Any]):
    format = serializers.ChoiceField(
        choices=list(FORMATS),
        error_messages={"invalid_choice": "Choose csv or xlsx"},
        help_text="csv or xlsx",
    )
    filters = serializers.DictField(
        child=serializers.CharField(max_length=40, allow_blank=True),
        required=False,
        help_text="The list's filters and sort, as /api/caseload/ takes them",
    )
    idempotency_key = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=KEY_MAX,
        help_text="Send the same key again (a retried request) to get the same job back",
    )


class CaseloadExportJobSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField()
    status = serializers.CharField(help_text="queued, running, succeeded or failed")
    percent = serializers.IntegerField()
    url = serializers.SerializerMethodField(help_text="Poll this job at /api/jobs/{id}/")
    page_url = serializers.SerializerMethodField(help_text="The job's page, with its progress")

    def get_url(self, job: Job) -> str:
        return f"/api/jobs/{job.pk}/"

    def get_page_url(self, job: Job) -> str:
        return f"/jobs/{job.pk}/"


class CaseloadExportViewSet(viewsets.GenericViewSet[Job]):
    """Exports of the caseload list: whoever sees the caseload starts one; only they
    see its job and download its file."""

    access_rule = EXPORT_RULE
    serializer_class = CaseloadExportRequestSerializer
    queryset = Job.objects.none()

    @extend_schema(
        summary="Export the caseload list as CSV or XLSX (a background job)",
        request=CaseloadExportRequestSerializer,
        responses={202: CaseloadExportJobSerializer},
    )
    def create(self, request: Request) -> Response:
        user = request_user_or_403(request, can_see_caseload, DENIED)
        payload = CaseloadExportRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        filters = QueryDict(mutable=True)
        for name, value in (data.get("filters") or {}).items():
            filters[name] = value
        query = _valid_form(caseload_filter_form(user, filters))
        job = caseload_export_start(
            actor=user,
            query=query,
            file_format=data["format"],
            idempotency_key=data.get("idempotency_key", ""),
            request=request,
        )
        return Response(CaseloadExportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


def register(router: BaseRouter) -> None:
    """Add this area's viewsets to the project's API router."""
    router.register("lcg-dashboard", LcgDashboardViewSet, basename="lcg-dashboard")
    router.register("caseload/exports", CaseloadExportViewSet, basename="caseload-export")
    router.register("caseload", CaseloadViewSet, basename="caseload")
