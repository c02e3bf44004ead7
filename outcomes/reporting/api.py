"""REST API of programme reporting (docs/programme-reporting.md,
docs/quarterly-return.md):

- ``GET /api/programme-dashboard/?year=2025``: the dashboard's figures, against the
  targets, by LCG, by track and by month (programme managers, senior officers and
  internal auditors);
- ``GET /api/programme-dashboard/families/?year=2025&figure=attached``: the families
  behind a figure, paged, with the same filters as the page (``lcg``, ``track``,
  ``month``);
- ``GET, POST /api/programme-targets/``, ``GET, PATCH /api/programme-targets/{id}/``:
  each year's targets (read by the dashboard's readers, set by programme managers; a
  change needs the ETag in If-Match);
- ``POST /api/quarterly-returns/``: start the quarterly return (programme managers),
  answered 202 with the job; poll it at ``/api/jobs/{id}/``.

The same policy, selectors and services as the pages.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from agencies.request_user import request_user_or_403
from audit.services import access_events_record_many
from oneplan.api_errors import OneObjectSchema
from oneplan.models import Job
from oneplan.pagination import StandardPagination
from oneplan.text_limits import TextLimitsMixin
from outcomes.money.rules import financial_year_bounds, financial_year_of
from outcomes.reporting import quarterly, selectors, services
from outcomes.reporting.access import (
    CHANGE_DENIED,
    DENIED,
    RETURN_DENIED,
    RETURN_RULE,
    SEE_RULE,
    can_change_programme_targets,
    can_make_quarterly_return,
    can_see_programme_reporting,
)
from outcomes.reporting.forms import FamiliesFilterForm
from outcomes.reporting.models import ProgrammeTarget
from outcomes.reporting.rules import FIGURE_KEYS
from outcomes.reporting.selectors import Line
from outcomes.reporting.services import TARGET_MAX
from plans.plan.api_common import IF_MATCH, etag_for, expected_version_from, with_etag
from plans.plan.serializers import PRECONDITION_REQUIRED

YEAR = OpenApiParameter(
    "year",
    int,
    OpenApiParameter.QUERY,
    required=False,
    description="The calendar year the financial year starts in (2025 for April 2025 to "
    "March 2026); the year in progress when left out",
)


def _year(request: Request) -> int:
    today = timezone.localdate()
    if "year" not in request.query_params:
        return financial_year_of(today)
    years = selectors.reporting_years(today)
    raw = request.query_params.get("year", "")
    if not raw.isdigit() or int(raw) not in years:
        raise ValidationError({"year": ["Select a financial year from the list"]})
    return int(raw)


class ProgrammeCountsSerializer(serializers.Serializer[Any]):
    identified = serializers.IntegerField()
    attached = serializers.IntegerField()
    agreed = serializers.IntegerField()
    claimed = serializers.IntegerField()
    sustained = serializers.IntegerField()


class ProgrammeLineSerializer(serializers.Serializer[Any]):
    key = serializers.CharField(
        help_text='An LCG\'s id or "unassigned", a track ("intensive", "local", "none"), '
        'a month ("2025-04") or "all"'
    )
    name = serializers.CharField(help_text="The LCG's name, the track, the month, or all")
    counts = ProgrammeCountsSerializer()


class ProgrammeFigureSerializer(serializers.Serializer[Any]):
    key = serializers.ChoiceField(choices=list(FIGURE_KEYS))
    name = serializers.CharField()
    definition = serializers.CharField()
    count = serializers.IntegerField(help_text="Families in the figure in the year")
    target = serializers.IntegerField(allow_null=True, help_text="Null: no target set")
    percent_of_target = serializers.IntegerField(allow_null=True)


class ProgrammeDashboardSerializer(serializers.Serializer[Any]):
    year = serializers.IntegerField(help_text="The calendar year the financial year starts in")
    year_label = serializers.CharField(help_text='For example "2025 to 2026"')
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    figures = ProgrammeFigureSerializer(many=True)
    by_lcg = ProgrammeLineSerializer(many=True)
    by_track = ProgrammeLineSerializer(many=True)
    by_month = ProgrammeLineSerializer(many=True)
    total = ProgrammeLineSerializer()


class ProgrammeFamilySerializer(serializers.Serializer[Any]):
    reference = serializers.CharField()
    day = serializers.DateField(source="figure_day", help_text="The family's day for the figure")
    lcg = serializers.CharField(source="lcg.name", allow_null=True, default=None)
    track = serializers.CharField(help_text='"intensive", "local" or "" (none yet)')
    status = serializers.CharField()


def _line(line: Line) -> dict[str, Any]:
    return {
        "key": line.key,
        "name": line.label,
        "counts": {key: line.counts.get(key, 0) for key in FIGURE_KEYS},
    }


FAMILY_FILTERS = [
    OpenApiParameter("year", int, required=True, description="The financial year"),
    OpenApiParameter("figure", str, required=True, enum=list(FIGURE_KEYS)),
    OpenApiParameter("lcg", str, description='An LCG\'s id, or "unassigned"'),
    OpenApiParameter("track", str, enum=["intensive", "local", "none"]),
    OpenApiParameter("month", str, description='A month of the year, like "2025-04"'),
]


class ProgrammeDashboardViewSet(viewsets.GenericViewSet[ProgrammeTarget]):
    """The programme dashboard's figures for one financial year (docs/
    programme-reporting.md): programme managers, senior officers and internal auditors."""

    access_rule = SEE_RULE
    serializer_class = ProgrammeDashboardSerializer
    queryset = ProgrammeTarget.objects.none()
    pagination_class = None
    schema = OneObjectSchema()
    filter_backends: list[Any] = []

    @extend_schema(
        operation_id="programme_dashboard_read",
        parameters=[YEAR],
        responses=ProgrammeDashboardSerializer,
    )
    def list(self, request: Request) -> Response:
        user = request_user_or_403(request, can_see_programme_reporting, DENIED)
        year = _year(request)
        dashboard = selectors.programme_dashboard(user, year=year, today=timezone.localdate())
        starts_on, ends_on = financial_year_bounds(year)
        data = {
            "year": year,
            "year_label": dashboard.label,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "figures": [
                {
                    "key": line.figure.key,
                    "name": line.figure.label,
                    "definition": line.figure.definition,
                    "count": line.count,
                    "target": line.target,
                    "percent_of_target": line.percent,
                }
                for line in dashboard.targets
            ],
            "by_lcg": [_line(line) for line in dashboard.by_lcg],
            "by_track": [_line(line) for line in dashboard.by_track],
            "by_month": [_line(line) for line in dashboard.by_month],
            "total": _line(dashboard.total),
        }
        return Response(ProgrammeDashboardSerializer(data).data)

    @extend_schema(
        operation_id="programme_dashboard_families",
        parameters=FAMILY_FILTERS,
        responses=ProgrammeFamilySerializer(many=True),
    )
    @action(detail=False, methods=["get"], pagination_class=StandardPagination)
    def families(self, request: Request) -> Response:
        user = request_user_or_403(request, can_see_programme_reporting, DENIED)
        today = timezone.localdate()
        form = FamiliesFilterForm(request.query_params, years=selectors.reporting_years(today))
        if not form.is_valid():
            raise ValidationError({k: [str(e) for e in v] for k, v in form.errors.items()})
        query = form.query()
        paginator = StandardPagination()
        families = selectors.figure_families(user, query, today=today)
        page = paginator.paginate_queryset(families, request, view=self) or []
        access_events_record_many(
            user=user,
            family_ids=[family.pk for family in page],
            family_references=[family.reference for family in page],
            object_type="programme_figure",
            filters=query.params(),
            request=request,
        )
        return paginator.get_paginated_response(ProgrammeFamilySerializer(page, many=True).data)


class ProgrammeTargetSerializer(TextLimitsMixin, serializers.ModelSerializer[ProgrammeTarget]):
    identified = serializers.IntegerField(
        min_value=0, max_value=TARGET_MAX, allow_null=True, required=False
    )
    attached = serializers.IntegerField(
        min_value=0, max_value=TARGET_MAX, allow_null=True, required=False
    )
    agreed = serializers.IntegerField(
        min_value=0, max_value=TARGET_MAX, allow_null=True, required=False
    )
    claimed = serializers.IntegerField(
        min_value=0, max_value=TARGET_MAX, allow_null=True, required=False
    )
    sustained = serializers.IntegerField(
        min_value=0, max_value=TARGET_MAX, allow_null=True, required=False
    )

    class Meta:
        model = ProgrammeTarget
        fields = [
            "id",
            "financial_year",
            *FIGURE_KEYS,
            "source",
            "updated_at",
            "version",
        ]
        read_only_fields = ["id", "updated_at", "version"]
        # The service refuses a year already set, in the pages' words.
        extra_kwargs: dict[str, dict[str, Any]] = {"financial_year": {"validators": []}}


class ProgrammeTargetChangeSerializer(ProgrammeTargetSerializer):
    class Meta(ProgrammeTargetSerializer.Meta):
        read_only_fields = ["id", "financial_year", "updated_at", "version"]


def _etag(target: ProgrammeTarget) -> str:
    return etag_for(f"programme-target{target.pk}-", target.version)


class ProgrammeTargetViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[ProgrammeTarget]
):
    """The programme's targets per financial year, one per figure of the dashboard.
    Read by programme managers, senior officers and internal auditors; set and changed
    by programme managers (a change needs the ETag in If-Match); every change is
    kept."""

    access_rule = SEE_RULE + "; programme managers set and change them"
    serializer_class = ProgrammeTargetSerializer
    pagination_class = None
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[ProgrammeTarget]:
        if getattr(self, "swagger_fake_view", False):
            return ProgrammeTarget.objects.none()
        user = request_user_or_403(self.request, can_see_programme_reporting, DENIED)
        return selectors.target_list(user)

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        if self.action == "partial_update":
            return ProgrammeTargetChangeSerializer
        return ProgrammeTargetSerializer

    @extend_schema(request=ProgrammeTargetSerializer, responses={201: ProgrammeTargetSerializer})
    def create(self, request: Request) -> Response:
        user = request_user_or_403(request, can_change_programme_targets, CHANGE_DENIED)
        serializer = ProgrammeTargetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        target = services.programme_target_set(
            actor=user,
            financial_year=data["financial_year"],
            targets={key: data.get(key) for key in FIGURE_KEYS},
            source=data["source"],
            today=timezone.localdate(),
            new_only=True,
        )
        return with_etag(
            ProgrammeTargetSerializer(target).data, _etag(target), status.HTTP_201_CREATED
        )

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        target = self.get_object()
        return with_etag(ProgrammeTargetSerializer(target).data, _etag(target))

    @extend_schema(
        request=ProgrammeTargetChangeSerializer,
        parameters=[IF_MATCH],
        responses={
            200: ProgrammeTargetSerializer,
            412: OpenApiResponse(
                inline_serializer(
                    name="ProgrammeTargetConflict",
                    fields={
                        "detail": serializers.CharField(),
                        "current": ProgrammeTargetSerializer(),
                    },
                ),
                "Someone changed the targets after the version in If-Match: the current "
                "targets (their ETag in the ETag header)",
            ),
            428: PRECONDITION_REQUIRED,
        },
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        user = request_user_or_403(request, can_change_programme_targets, CHANGE_DENIED)
        target = get_object_or_404(self.get_queryset(), pk=pk)
        expected = expected_version_from(request, f"programme-target{target.pk}-")
        serializer = ProgrammeTargetChangeSerializer(target, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            changed = services.programme_target_set(
                actor=user,
                financial_year=target.financial_year,
                targets={key: data.get(key, getattr(target, key)) for key in FIGURE_KEYS},
                source=data.get("source", target.source),
                today=timezone.localdate(),
                expected_version=expected,
            )
        except services.TargetChanged as exc:
            current = exc.current
            return with_etag(
                {"detail": exc.message, "current": ProgrammeTargetSerializer(current).data},
                _etag(current),
                status.HTTP_412_PRECONDITION_FAILED,
            )
        return with_etag(ProgrammeTargetSerializer(changed).data, _etag(changed))


class QuarterlyReturnRequestSerializer(TextLimitsMixin, serializers.Serializer[Any]):
    year = serializers.IntegerField(help_text="The financial year (2025 for 2025 to 2026)")
    quarter = serializers.ChoiceField(choices=[1, 2, 3, 4], help_text="1 is April to June")
    columns = serializers.ListField(
        child=serializers.ChoiceField(choices=list(quarterly.COLUMN_KEYS)),
        required=False,
        help_text="Column keys in the order wanted (docs/quarterly-return.md); every column "
        "when left out",
    )
    idempotency_key = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=quarterly.KEY_MAX,
        help_text="Send the same key again (a retried request) to get the same job back",
    )


class QuarterlyReturnJobSerializer(serializers.Serializer[Job]):
    id = serializers.UUIDField()
    status = serializers.CharField(help_text="queued, running, succeeded or failed")
    percent = serializers.IntegerField()
    url = serializers.SerializerMethodField(help_text="Poll this job at /api/jobs/{id}/")
    page_url = serializers.SerializerMethodField(help_text="The job's page, with its progress")

    def get_url(self, job: Job) -> str:
        return f"/api/jobs/{job.pk}/"

    def get_page_url(self, job: Job) -> str:
        return f"/jobs/{job.pk}/"


class QuarterlyReturnViewSet(viewsets.GenericViewSet[Job]):
    """The quarterly progress return: a programme manager starts one; everyone else gets
    403. Only the person who started it sees its job and downloads its file."""

    access_rule = RETURN_RULE
    serializer_class = QuarterlyReturnRequestSerializer
    queryset = Job.objects.none()

    @extend_schema(
        summary="Make the quarterly progress return (a background job)",
        request=QuarterlyReturnRequestSerializer,
        responses={202: QuarterlyReturnJobSerializer},
    )
    def create(self, request: Request) -> Response:
        user = request_user_or_403(request, can_make_quarterly_return, RETURN_DENIED)
        payload = QuarterlyReturnRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        job = quarterly.quarterly_return_start(
            actor=user,
            year=data["year"],
            quarter=int(data["quarter"]),
            columns=data.get("columns") or list(quarterly.COLUMN_KEYS),
            today=timezone.localdate(),
            idempotency_key=data.get("idempotency_key", ""),
            request=request,
        )
        return Response(QuarterlyReturnJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


def register(router: BaseRouter) -> None:
    """Add this area's viewsets to the project's API router."""
    router.register(
        "programme-dashboard", ProgrammeDashboardViewSet, basename="programme-dashboard"
    )
    router.register("programme-targets", ProgrammeTargetViewSet, basename="programme-targets")
    router.register("quarterly-returns", QuarterlyReturnViewSet, basename="quarterly-returns")
