"""REST API of the programme's money: ``GET /api/money/?year=2025``, the same figures
as the Money page (``outcomes.money.selectors.money_summary``), for the same people
(programme managers, ``outcomes.claims.access.can_see_money``)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from agencies.models import User
from oneplan.api_errors import OneObjectSchema
from outcomes.claims.access import can_see_money
from outcomes.models import AttachmentFee
from outcomes.money.forms import MoneyYearForm
from outcomes.money.rules import financial_year_of
from outcomes.money.selectors import MoneyRow, MoneySummary, money_summary, money_years


def _money(*, allow_null: bool = False, help_text: str | None = None) -> serializers.DecimalField:
    """Pounds and pence, as a string ("1300.00")."""
    return serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        coerce_to_string=True,
        allow_null=allow_null,
        help_text=help_text,
    )


FORECAST = "Null for a financial year that has ended (the forecast is for the year in progress)"


class MoneyRowSerializer(serializers.Serializer[Any]):
    lcg = serializers.CharField(help_text='The LCG\'s name, "No LCG (unassigned)" or "Total"')
    families_attached = serializers.IntegerField(
        help_text="Families attached in the year and eligible at entry"
    )
    attachment_fees = _money()
    families_without_fee = serializers.IntegerField(
        help_text="Families attached under a framework with no fee set for the year"
    )
    claims_paid = serializers.IntegerField(
        help_text="Claims of accepted batches whose payment was received in the year"
    )
    result_payments = _money()
    claims_clawed_back = serializers.IntegerField()
    clawed_back = _money()
    income = _money(help_text="Attachment fees plus result payments less claw-backs")
    claims_awaiting_payment = serializers.IntegerField(allow_null=True, help_text=FORECAST)
    awaiting_payment = _money(allow_null=True, help_text=FORECAST)
    families_claimable = serializers.IntegerField(allow_null=True, help_text=FORECAST)
    claimable = _money(allow_null=True, help_text=FORECAST)
    families_at_risk = serializers.IntegerField(allow_null=True, help_text=FORECAST)
    at_risk = _money(allow_null=True, help_text=FORECAST + "; each at-risk family in full")
    forecast = _money(
        allow_null=True,
        help_text="Awaiting payment plus claimable plus at risk. " + FORECAST,
    )


class MoneySerializer(serializers.Serializer[Any]):
    year = serializers.IntegerField(help_text="The calendar year the financial year starts in")
    year_label = serializers.CharField(help_text='For example "2025 to 2026"')
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    has_forecast = serializers.BooleanField()
    attachment_fees = serializers.DictField(
        child=_money(),
        help_text="The fee per family set for the year, by framework code",
    )
    fees_missing = serializers.ListField(
        child=serializers.CharField(),
        help_text="Frameworks with families attached in the year but no fee set",
    )
    government_paid = _money(
        help_text="What government paid for the batches paid in the year, as recorded"
    )
    families_unpriced = serializers.IntegerField(
        help_text="Families left out of the forecast: their payment cannot be priced"
    )
    rows = MoneyRowSerializer(many=True)
    total = MoneyRowSerializer()


FORECAST_FIELDS = (
    "claims_awaiting_payment",
    "awaiting_payment",
    "families_claimable",
    "claimable",
    "families_at_risk",
    "at_risk",
    "forecast",
)


def _row(row: MoneyRow, summary: MoneySummary) -> dict[str, Any]:
    names: list[str] = list(MoneyRowSerializer().fields.keys())
    data: dict[str, Any] = {name: getattr(row, name) for name in names}
    if not summary.has_forecast:
        data.update(dict.fromkeys(FORECAST_FIELDS))
    return data


class MoneyViewSet(viewsets.GenericViewSet[AttachmentFee]):
    """The programme's money for one financial year (1 April to 31 March), per LCG and in
    total (docs/money.md). Programme managers only."""

    access_rule = "programme managers"
    serializer_class = MoneySerializer
    queryset = AttachmentFee.objects.none()
    pagination_class = None
    schema = OneObjectSchema()
    filter_backends: list[Any] = []

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "year",
                int,
                OpenApiParameter.QUERY,
                required=False,
                description="The calendar year the financial year starts in (2025 for April "
                "2025 to March 2026); the year in progress when left out",
            ),
        ],
        responses=MoneySerializer,
    )
    def list(self, request: Request) -> Response:
        user = request.user
        assert isinstance(user, User)
        if not can_see_money(user):
            raise PermissionDenied("Only programme managers see the programme's money")
        today = timezone.localdate()
        year = financial_year_of(today)
        if "year" in request.query_params:
            form = MoneyYearForm(request.query_params, years=money_years(today))
            if not form.is_valid():
                raise ValidationError({"year": [str(error) for error in form.errors["year"]]})
            year = form.cleaned_data["year"]
        summary = money_summary(user, year=year, today=today)
        data = {
            "year": summary.year,
            "year_label": summary.label,
            "starts_on": summary.starts_on,
            "ends_on": summary.ends_on,
            "has_forecast": summary.has_forecast,
            "attachment_fees": dict(summary.fees),
            "fees_missing": list(summary.fees_missing),
            "government_paid": summary.government_paid,
            "families_unpriced": summary.families_unpriced,
            "rows": [_row(row, summary) for row in summary.rows],
            "total": _row(summary.total, summary),
        }
        return Response(MoneySerializer(data).data)


def register(router: BaseRouter) -> None:
    """Add this area's viewsets to the project's API router."""
    router.register("money", MoneyViewSet, basename="money")
