"""REST API of costs avoided (docs/costs-avoided.md), the same policy, selectors and
services as the pages:

- ``GET /api/costs-avoided/?year=2024``: the cohort's totals by agency and in total;
- ``GET /api/costs-avoided-families/?year=2024&agency=police``: the families behind
  them; ``GET /api/costs-avoided-families/{reference}/``: one family's lines and the
  evidence behind each (404 outside the caller's scope or never attached);
- ``GET, POST /api/unit-costs/``, ``GET, PATCH /api/unit-costs/{id}/`` (``If-Match``):
  the unit cost table (programme managers change it);
- ``GET, POST /api/programme-spend/``: the programme's spend per financial year.
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
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from agencies.models import AgencyKind, User
from agencies.request_user import request_user_or_403
from audit.models import AccessAction
from audit.services import access_event_record, access_events_record_many
from oneplan.api_errors import OneObjectSchema
from oneplan.text_limits import TextLimitsMixin
from outcomes.costs import selectors, services
from outcomes.costs.access import (
    CHANGE_DENIED,
    CHANGE_RULE,
    DENIED,
    SEE_RULE,
    can_change_costs,
    can_see_costs,
)
from outcomes.costs.forms import CohortYearForm
from outcomes.costs.models import CostUnit, ProgrammeSpend, UnitCost
from outcomes.costs.rules import CATEGORY_BY_CODE
from outcomes.models import Attachment
from outcomes.money.rules import financial_year_of
from plans.plan.api_common import IF_MATCH, etag_for, expected_version_from, with_etag
from plans.plan.serializers import PRECONDITION_REQUIRED

YEAR = OpenApiParameter(
    "year",
    int,
    OpenApiParameter.QUERY,
    required=False,
    description="Families attached in the financial year starting in this calendar year "
    "(2024 for April 2024 to March 2025); the year in progress when left out",
)
AGENCY = OpenApiParameter(
    "agency",
    str,
    OpenApiParameter.QUERY,
    required=False,
    description="Only the costs paid by this kind of agency (an agency kind code: "
    + ", ".join(AgencyKind.values)
    + ")",
)


def _money() -> serializers.DecimalField:
    """Pounds and pence, as a string ("132.00")."""
    return serializers.DecimalField(max_digits=16, decimal_places=2, coerce_to_string=True)


def _year(request: Request, user: User) -> int:
    today = timezone.localdate()
    if "year" not in request.query_params:
        return financial_year_of(today)
    form = CohortYearForm(request.query_params, years=selectors.cohort_years(user, today))
    if not form.is_valid():
        raise ValidationError({"year": [str(error) for error in form.errors["year"]]})
    year: int = form.cleaned_data["year"]
    return year


class AgencyRowSerializer(serializers.Serializer[Any]):
    agency = serializers.CharField(help_text="The kind of agency that pays (an agency kind code)")
    agency_label = serializers.CharField(source="label")
    before = _money()
    after = _money()
    saving = _money()
    families = serializers.IntegerField(help_text="Families counted with a cost for the agency")


class SummarySerializer(serializers.Serializer[Any]):
    year = serializers.IntegerField(help_text="The calendar year the financial year starts in")
    year_label = serializers.CharField()
    attached = serializers.IntegerField(help_text="Families attached in the year")
    counted = serializers.IntegerField(
        help_text="Families whose 12 months after attachment have passed: counted"
    )
    waiting = serializers.IntegerField(
        help_text="Families whose 12 months after attachment have not passed: not counted"
    )
    rows = AgencyRowSerializer(many=True)
    before = _money()
    after = _money()
    saving = _money()
    average_saving = serializers.DecimalField(
        max_digits=16, decimal_places=2, allow_null=True, help_text="Null when none is counted"
    )
    spend = serializers.DecimalField(
        max_digits=16, decimal_places=2, allow_null=True, help_text="Null when not entered"
    )
    ratio = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        allow_null=True,
        help_text="Costs avoided for each pound of programme spend; null without a spend",
    )


class CostsAvoidedViewSet(viewsets.GenericViewSet[Attachment]):
    """Costs avoided for the families attached in one financial year."""

    access_rule = SEE_RULE
    serializer_class = SummarySerializer
    queryset = Attachment.objects.none()
    pagination_class = None
    schema = OneObjectSchema()
    filter_backends: list[Any] = []

    @extend_schema(
        operation_id="costs_avoided_summary", parameters=[YEAR], responses=SummarySerializer
    )
    def list(self, request: Request) -> Response:
        user = request_user_or_403(request, can_see_costs, DENIED)
        summary = selectors.costs_summary(
            user, year=_year(request, user), today=timezone.localdate()
        )
        data = {
            "year": summary.year,
            "year_label": summary.label,
            "attached": summary.attached,
            "counted": summary.counted,
            "waiting": summary.waiting,
            "rows": [row.__dict__ for row in summary.rows],
            "before": summary.before,
            "after": summary.after,
            "saving": summary.saving,
            "average_saving": summary.average_saving,
            "spend": summary.spend_pounds,
            "ratio": summary.ratio,
        }
        return Response(SummarySerializer(data).data)


class FamilyRowSerializer(serializers.Serializer[Any]):
    family = serializers.CharField(source="reference")
    attached_on = serializers.DateField()
    counted_after = serializers.DateField(
        source="counted_until", help_text="The last day of the 12 months after attachment"
    )
    counted = serializers.BooleanField(source="elapsed")
    before = _money()
    after = _money()
    saving = _money()


class EventSerializer(serializers.Serializer[Any]):
    evidence_id = serializers.IntegerField()
    window = serializers.ChoiceField(choices=["Before", "After"])
    category = serializers.CharField()
    date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True)
    agency = serializers.CharField(help_text="The agency whose file it came from")


class LineSerializer(serializers.Serializer[Any]):
    unit_cost = serializers.IntegerField()
    service = serializers.CharField()
    agency = serializers.CharField()
    unit = serializers.ChoiceField(choices=CostUnit.values)
    price_pence = serializers.IntegerField()
    before = serializers.DecimalField(
        max_digits=10, decimal_places=1, help_text="Events, or weeks for a per week line"
    )
    after = serializers.DecimalField(max_digits=10, decimal_places=1)
    before_cost = _money()
    after_cost = _money()
    saving = _money()
    events = EventSerializer(many=True)


class BreakdownSerializer(serializers.Serializer[Any]):
    family = serializers.CharField()
    attached_on = serializers.DateField()
    before_from = serializers.DateField()
    before_to = serializers.DateField()
    after_from = serializers.DateField()
    after_to = serializers.DateField()
    counted = serializers.BooleanField()
    before_cost = _money()
    after_cost = _money()
    saving = _money()
    lines = LineSerializer(many=True)


class CostsFamiliesViewSet(viewsets.GenericViewSet[Attachment]):
    """The families behind costs avoided, and one family's lines and events."""

    access_rule = SEE_RULE + "; only families in the caller's scope (404 for any other)"
    serializer_class = FamilyRowSerializer
    queryset = Attachment.objects.none()
    pagination_class = None
    filter_backends: list[Any] = []
    lookup_field = "reference"
    lookup_value_regex = r"[^/]+"

    @extend_schema(
        operation_id="costs_avoided_families_list",
        parameters=[YEAR, AGENCY],
        responses=FamilyRowSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        user = request_user_or_403(request, can_see_costs, DENIED)
        agency = request.query_params.get("agency", "")
        if agency and agency not in AgencyKind.values:
            raise ValidationError({"agency": ["Select a kind of agency from the list"]})
        year = _year(request, user)
        listing = selectors.costs_family_list(
            user, year=year, agency=agency, today=timezone.localdate()
        )
        rows = [*listing.counted, *listing.waiting]
        access_events_record_many(
            user=user,
            family_ids=[row.family_id for row in rows],
            family_references=[row.reference for row in rows],
            object_type="costs_avoided",
            filters={"year": year, "agency": agency},
            request=request,
        )
        return Response(FamilyRowSerializer(rows, many=True).data)

    @extend_schema(operation_id="costs_avoided_family", responses=BreakdownSerializer)
    def retrieve(self, request: Request, reference: str) -> Response:
        user = request_user_or_403(request, can_see_costs, DENIED)
        breakdown = selectors.family_cost_breakdown(
            user, reference=reference, today=timezone.localdate()
        )
        family, costs = breakdown.family, breakdown.costs
        access_event_record(
            user=user,
            action=AccessAction.API_READ,
            object_type="costs_avoided_family",
            object_id=family.pk,
            family_id=family.pk,
            family_reference=family.reference,
            request=request,
        )
        windows = costs.windows
        data = {
            "family": family.reference,
            "attached_on": costs.attached_on,
            "before_from": windows.before_start,
            "before_to": windows.before_end,
            "after_from": windows.after_start,
            "after_to": windows.after_end,
            "counted": costs.elapsed,
            "before_cost": costs.before_cost,
            "after_cost": costs.after_cost,
            "saving": costs.saving,
            "lines": [
                {
                    "unit_cost": line.price.line_id,
                    "service": line.price.label,
                    "agency": line.price.agency,
                    "unit": line.price.unit,
                    "price_pence": line.price.pence,
                    "before": _amount(line.price.unit, line.before.amount),
                    "after": _amount(line.price.unit, line.after.amount),
                    "before_cost": line.before_cost,
                    "after_cost": line.after_cost,
                    "saving": line.saving,
                    "events": [e.__dict__ for e in breakdown.events.get(line.price.line_id, ())],
                }
                for line in costs.lines
            ],
        }
        return Response(BreakdownSerializer(data).data)


def _amount(unit: str, amount: Any) -> Any:
    from outcomes.costs.rules import weeks

    return weeks(amount) if unit == "week" else amount


class UnitCostSerializer(TextLimitsMixin, serializers.ModelSerializer[UnitCost]):
    # An agency kind code, checked by the service (a plain string here, so the schema
    # does not name the agency kinds' choice set a second time).
    agency = serializers.CharField(
        max_length=40, help_text="The kind of agency that pays: " + ", ".join(AgencyKind.values)
    )
    price_pence = serializers.IntegerField(min_value=0, max_value=services.PRICE_MAX_PENCE - 1)
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=list(CATEGORY_BY_CODE)),
        required=False,
        help_text="The service use categories the line prices (docs/costs-avoided.md)",
    )

    class Meta:
        model = UnitCost
        fields = [
            "id",
            "name",
            "agency",
            "unit",
            "price_pence",
            "price_year",
            "source",
            "is_example",
            "categories",
            "in_use",
            "updated_at",
        ]
        read_only_fields = ["id", "updated_at"]


class UnitCostConflictSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()
    current = UnitCostSerializer()


class UnitCostViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[UnitCost]
):
    """The unit cost table: read by whoever sees costs avoided, changed by programme
    managers; every change is kept."""

    access_rule = SEE_RULE + "; programme managers change it"
    serializer_class = UnitCostSerializer
    pagination_class = None
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[UnitCost]:
        if getattr(self, "swagger_fake_view", False):
            return UnitCost.objects.none()
        user = request_user_or_403(self.request, can_see_costs, DENIED)
        selectors.unit_cost_list(user)
        return UnitCost.objects.order_by("-in_use", "agency", "name", "pk")

    @extend_schema(request=UnitCostSerializer, responses={201: UnitCostSerializer})
    def create(self, request: Request) -> Response:
        user = request_user_or_403(request, can_change_costs, CHANGE_DENIED)
        serializer = UnitCostSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        line = services.unit_cost_create(
            actor=user,
            name=data["name"],
            agency=data["agency"],
            unit=data["unit"],
            price_pence=data["price_pence"],
            price_year=data["price_year"],
            source=data["source"],
            is_example=data.get("is_example", False),
            categories=data.get("categories", []),
            today=timezone.localdate(),
        )
        return Response(UnitCostSerializer(line).data, status=status.HTTP_201_CREATED)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        line = self.get_object()
        return with_etag(UnitCostSerializer(line).data, _etag(line))

    @extend_schema(
        request=UnitCostSerializer,
        parameters=[IF_MATCH],
        responses={
            200: UnitCostSerializer,
            412: OpenApiResponse(
                UnitCostConflictSerializer,
                "Someone changed the line after the version in If-Match: the line as it "
                "is now (its ETag in the ETag header)",
            ),
            428: PRECONDITION_REQUIRED,
        },
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        user = request_user_or_403(request, can_change_costs, CHANGE_DENIED)
        line = get_object_or_404(self.get_queryset(), pk=pk)
        expected = expected_version_from(request, f"unitcost{line.pk}-")
        serializer = UnitCostSerializer(line, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            changed = services.unit_cost_change(
                actor=user,
                line=line,
                name=data.get("name", line.name),
                agency=data.get("agency", line.agency),
                unit=data.get("unit", line.unit),
                price_pence=data.get("price_pence", line.price_pence),
                price_year=data.get("price_year", line.price_year),
                source=data.get("source", line.source),
                is_example=data.get("is_example", line.is_example),
                categories=data.get("categories", list(line.categories)),
                in_use=data.get("in_use", line.in_use),
                today=timezone.localdate(),
                expected_version=expected,
            )
        except services.UnitCostChanged as exc:
            current = exc.current
            return with_etag(
                {"detail": exc.message, "current": UnitCostSerializer(current).data},
                _etag(current),
                status.HTTP_412_PRECONDITION_FAILED,
            )
        return with_etag(UnitCostSerializer(changed).data, _etag(changed))


def _etag(line: UnitCost) -> str:
    return etag_for(f"unitcost{line.pk}-", line.version)


class ProgrammeSpendSerializer(TextLimitsMixin, serializers.ModelSerializer[ProgrammeSpend]):
    amount_pence = serializers.IntegerField(min_value=0, max_value=services.SPEND_MAX_PENCE - 1)

    class Meta:
        model = ProgrammeSpend
        fields = ["id", "financial_year", "amount_pence", "source", "updated_at"]
        read_only_fields = ["id", "updated_at"]
        # The service sets the year's spend, or changes it when set.
        validators: list[Any] = []
        extra_kwargs: dict[str, dict[str, Any]] = {"financial_year": {"validators": []}}


class ProgrammeSpendViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[ProgrammeSpend]):
    """The programme's spend per financial year; ``POST`` sets a year's spend, or
    changes it when set. Programme managers only; every change is kept."""

    access_rule = CHANGE_RULE
    serializer_class = ProgrammeSpendSerializer
    pagination_class = None
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[ProgrammeSpend]:
        if getattr(self, "swagger_fake_view", False):
            return ProgrammeSpend.objects.none()
        user = request_user_or_403(self.request, can_change_costs, CHANGE_DENIED)
        selectors.spend_list(user)
        return ProgrammeSpend.objects.order_by("-financial_year")

    @extend_schema(
        request=ProgrammeSpendSerializer,
        responses={200: ProgrammeSpendSerializer},
    )
    def create(self, request: Request) -> Response:
        user = request_user_or_403(request, can_change_costs, CHANGE_DENIED)
        serializer = ProgrammeSpendSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        spend = services.programme_spend_set(
            actor=user,
            financial_year=data["financial_year"],
            amount_pence=data["amount_pence"],
            source=data["source"],
            today=timezone.localdate(),
        )
        return Response(ProgrammeSpendSerializer(spend).data)


def register(router: BaseRouter) -> None:
    """Add this area's viewsets to the project's API router."""
    router.register("costs-avoided", CostsAvoidedViewSet, basename="costs-avoided")
    router.register(
        "costs-avoided-families", CostsFamiliesViewSet, basename="costs-avoided-families"
    )
    router.register("unit-costs", UnitCostViewSet, basename="unit-costs")
    router.register("programme-spend", ProgrammeSpendViewSet, basename="programme-spend")
