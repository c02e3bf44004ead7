"""REST API of the LCG money (docs/lcg-money.md):

- ``GET /api/lcg-grant-statement/?year=2025``: the grant statement, a row per LCG the
  caller sees and the total; ``GET /api/lcg-grant-statement/{lcg id}/?year=2025``: one
  LCG's row with the families behind each line (programme managers: every LCG; an LCG's
  coordinators: their own; another LCG's coordinator 404; everyone else 403);
- ``GET, POST /api/lcg-grant-rates/``, ``GET, PATCH /api/lcg-grant-rates/{id}/``: the
  rates per financial year (programme managers);
- ``GET /api/lcg-targets/?year=2025``, ``POST /api/lcg-targets/``: each LCG's targets
  (programme managers).

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
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from agencies.models import LCG, User
from agencies.request_user import request_user_or_403
from lcgs.money import selectors, services
from lcgs.money.access import (
    CHANGE_DENIED,
    CHANGE_RULE,
    DENIED,
    SEE_RULE,
    can_change_lcg_money,
    can_see_lcg_money,
)
from lcgs.money.forms import StatementYearForm
from lcgs.money.models import LCGGrantRate, LCGTarget
from lcgs.money.rules import StatementRow
from lcgs.money.services import RATE_MAX, TARGET_MAX
from oneplan.api_errors import OneObjectSchema
from oneplan.text_limits import TextLimitsMixin
from outcomes.money.rules import financial_year_of
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


def _money() -> serializers.DecimalField:
    """Pounds and pence, as a string ("350.00")."""
    return serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=True)


def _year(request: Request, *, ahead: bool = False) -> int:
    today = timezone.localdate()
    current = financial_year_of(today)
    if "year" not in request.query_params:
        return current
    years = selectors.statement_years(today)
    form = StatementYearForm(request.query_params, years=[current + 1, *years] if ahead else years)
    if not form.is_valid():
        raise ValidationError({"year": [str(error) for error in form.errors["year"]]})
    year: int = form.cleaned_data["year"]
    return year


class StatementRowSerializer(serializers.Serializer[Any]):
    lcg_id = serializers.IntegerField(allow_null=True, help_text="Null for the total")
    lcg = serializers.CharField(help_text='The LCG\'s name, or "Total"')
    families_taken_on = serializers.IntegerField(
        help_text="Families whose first lead on the local track was named in the year"
    )
    grant = _money()
    results = serializers.IntegerField(
        help_text="Families on the local track whose claim was accepted in the year and "
        "still stands"
    )
    reward = _money()
    clawed_back = serializers.IntegerField(
        help_text="Families whose claim accepted in the year was clawed back: no reward"
    )
    total = _money()
    target_taken_on = serializers.IntegerField(allow_null=True)
    target_results = serializers.IntegerField(allow_null=True)


class RatesSerializer(serializers.Serializer[Any]):
    grant_per_family = _money()
    reward_per_result = _money()


class StatementSerializer(serializers.Serializer[Any]):
    year = serializers.IntegerField(help_text="The calendar year the financial year starts in")
    year_label = serializers.CharField(help_text='For example "2025 to 2026"')
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    rates = RatesSerializer(allow_null=True, help_text="Null when no rates are set for the year")
    rows = StatementRowSerializer(many=True)
    total = StatementRowSerializer()


class FamilyLineSerializer(serializers.Serializer[Any]):
    line = serializers.ChoiceField(choices=list(selectors.LINE_LABELS))
    family = serializers.CharField(source="reference", help_text="The family's reference")
    on = serializers.DateField(help_text="Taken on, or its claim accepted")
    amount = _money()
    detail = serializers.CharField()


class LcgStatementSerializer(serializers.Serializer[Any]):
    year = serializers.IntegerField()
    year_label = serializers.CharField()
    rates = RatesSerializer(allow_null=True)
    row = StatementRowSerializer()
    families = FamilyLineSerializer(many=True)


def _row(row: StatementRow) -> dict[str, Any]:
    names: list[str] = list(StatementRowSerializer().fields.keys())
    return {name: getattr(row, name) for name in names}


def _rates(statement: selectors.GrantStatement) -> dict[str, Any] | None:
    rates = statement.rates
    if rates is None:
        return None
    return {
        "grant_per_family": rates.grant_per_family,
        "reward_per_result": rates.reward_per_result,
    }


class LcgGrantStatementViewSet(viewsets.GenericViewSet[LCG]):
    """The LCG grant statement for one financial year (docs/lcg-money.md)."""

    access_rule = SEE_RULE + "; another LCG's coordinator gets 404 for its statement"
    serializer_class = StatementSerializer
    queryset = LCG.objects.none()
    pagination_class = None
    schema = OneObjectSchema()
    filter_backends: list[Any] = []
    lookup_value_regex = r"\d+"

    @extend_schema(
        operation_id="lcg_grant_statement_list", parameters=[YEAR], responses=StatementSerializer
    )
    def list(self, request: Request) -> Response:
        user = request_user_or_403(request, can_see_lcg_money, DENIED)
        statement = selectors.grant_statement(user, year=_year(request))
        data = {
            "year": statement.year,
            "year_label": statement.label,
            "starts_on": statement.starts_on,
            "ends_on": statement.ends_on,
            "rates": _rates(statement),
            "rows": [_row(row) for row in statement.rows],
            "total": _row(statement.total),
        }
        return Response(StatementSerializer(data).data)

    @extend_schema(parameters=[YEAR], responses=LcgStatementSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        user = request_user_or_403(request, can_see_lcg_money, DENIED)
        lcg = selectors.lcg_for_money_or_404(user, int(pk))
        year = _year(request)
        statement = selectors.grant_statement(user, year=year, lcgs=[lcg])
        families = selectors.statement_families(user, year=year, lcgs=[lcg], rates=statement.rates)
        data = {
            "year": statement.year,
            "year_label": statement.label,
            "rates": _rates(statement),
            "row": _row(statement.rows[0]),
            "families": families,
        }
        return Response(LcgStatementSerializer(data).data)


class GrantRateSerializer(TextLimitsMixin, serializers.ModelSerializer[LCGGrantRate]):
    grant_per_family = serializers.DecimalField(
        max_digits=8, decimal_places=2, min_value=0, max_value=RATE_MAX - 1
    )
    reward_per_result = serializers.DecimalField(
        max_digits=8, decimal_places=2, min_value=0, max_value=RATE_MAX - 1
    )

    class Meta:
        model = LCGGrantRate
        fields = [
            "id",
            "financial_year",
            "grant_per_family",
            "reward_per_result",
            "source",
            "updated_at",
        ]
        read_only_fields = ["id", "updated_at"]
        # The service refuses a year already set, in the pages' words.
        extra_kwargs: dict[str, dict[str, Any]] = {"financial_year": {"validators": []}}


class GrantRateChangeSerializer(GrantRateSerializer):
    class Meta(GrantRateSerializer.Meta):
        read_only_fields = ["id", "financial_year", "updated_at"]


class LcgGrantRateViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[LCGGrantRate]
):
    """The LCG grant rates per financial year: a grant per family taken on on the local
    track, a reward per result. Programme managers only; every change is kept."""

    access_rule = CHANGE_RULE
    serializer_class = GrantRateSerializer
    pagination_class = None
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[LCGGrantRate]:
        if getattr(self, "swagger_fake_view", False):
            return LCGGrantRate.objects.none()
        user = request_user_or_403(self.request, can_change_lcg_money, CHANGE_DENIED)
        return selectors.grant_rate_list(user)

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        if self.action == "partial_update":
            return GrantRateChangeSerializer
        return GrantRateSerializer

    @extend_schema(request=GrantRateSerializer, responses={201: GrantRateSerializer})
    def create(self, request: Request) -> Response:
        user = request_user_or_403(request, can_change_lcg_money, CHANGE_DENIED)
        serializer = GrantRateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        rate = services.lcg_grant_rate_create(
            actor=user,
            financial_year=data["financial_year"],
            grant_per_family=data["grant_per_family"],
            reward_per_result=data["reward_per_result"],
            source=data["source"],
            today=timezone.localdate(),
        )
        return Response(GrantRateSerializer(rate).data, status=status.HTTP_201_CREATED)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rate = self.get_object()
        return with_etag(GrantRateSerializer(rate).data, _rate_etag(rate))

    @extend_schema(
        request=GrantRateChangeSerializer,
        parameters=[IF_MATCH],
        responses={
            200: GrantRateSerializer,
            412: OpenApiResponse(
                inline_serializer(
                    name="GrantRateConflict",
                    fields={"detail": serializers.CharField(), "current": GrantRateSerializer()},
                ),
                "Someone changed the rates after the version in If-Match: the current "
                "rates (their ETag in the ETag header)",
            ),
            428: PRECONDITION_REQUIRED,
        },
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        user = request_user_or_403(request, can_change_lcg_money, CHANGE_DENIED)
        rate = get_object_or_404(self.get_queryset(), pk=pk)
        expected = expected_version_from(request, f"rate{rate.pk}-")
        serializer = GrantRateChangeSerializer(rate, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            changed = services.lcg_grant_rate_change(
                actor=user,
                rate=rate,
                grant_per_family=data.get("grant_per_family", rate.grant_per_family),
                reward_per_result=data.get("reward_per_result", rate.reward_per_result),
                source=data.get("source", rate.source),
                expected_version=expected,
            )
        except services.RateChanged as exc:
            current = exc.current
            return with_etag(
                {"detail": exc.message, "current": GrantRateSerializer(current).data},
                _rate_etag(current),
                status.HTTP_412_PRECONDITION_FAILED,
            )
        return with_etag(GrantRateSerializer(changed).data, _rate_etag(changed))


def _rate_etag(rate: LCGGrantRate) -> str:
    return etag_for(f"rate{rate.pk}-", services.rate_version(rate))


class TargetSerializer(TextLimitsMixin, serializers.ModelSerializer[LCGTarget]):
    lcg = serializers.PrimaryKeyRelatedField(queryset=LCG.objects.all())
    lcg_name = serializers.CharField(source="lcg.name", read_only=True)
    families_taken_on = serializers.IntegerField(min_value=0, max_value=TARGET_MAX)
    results = serializers.IntegerField(min_value=0, max_value=TARGET_MAX)

    class Meta:
        model = LCGTarget
        fields = [
            "id",
            "lcg",
            "lcg_name",
            "financial_year",
            "families_taken_on",
            "results",
            "updated_at",
        ]
        read_only_fields = ["id", "lcg_name", "updated_at"]
        # The service sets or changes the one target of an LCG and year.
        validators: list[Any] = []


class LcgTargetViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[LCGTarget]):
    """Each LCG's targets per financial year (families taken on on the local track,
    results). Programme managers only; ``POST`` sets an LCG's targets for a year, or
    changes them when set; every change is kept."""

    access_rule = CHANGE_RULE
    serializer_class = TargetSerializer
    pagination_class = None
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[LCGTarget]:
        if getattr(self, "swagger_fake_view", False):
            return LCGTarget.objects.none()
        user = request_user_or_403(self.request, can_change_lcg_money, CHANGE_DENIED)
        year = _year(self.request, ahead=True)
        lines = selectors.target_lines(user, year=year)
        ids = [line.target.pk for line in lines if line.target is not None]
        return LCGTarget.objects.filter(pk__in=ids).select_related("lcg").order_by("lcg__name")

    @extend_schema(parameters=[YEAR])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=TargetSerializer, responses={200: TargetSerializer})
    def create(self, request: Request) -> Response:
        user: User = request_user_or_403(request, can_change_lcg_money, CHANGE_DENIED)
        serializer = TargetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        target = services.lcg_target_set(
            actor=user,
            lcg=data["lcg"],
            financial_year=data["financial_year"],
            families_taken_on=data["families_taken_on"],
            results=data["results"],
            today=timezone.localdate(),
        )
        return Response(TargetSerializer(target).data)


def register(router: BaseRouter) -> None:
    """Add this area's viewsets to the project's API router."""
    router.register("lcg-grant-statement", LcgGrantStatementViewSet, basename="lcg-grant-statement")
    router.register("lcg-grant-rates", LcgGrantRateViewSet, basename="lcg-grant-rates")
    router.register("lcg-targets", LcgTargetViewSet, basename="lcg-targets")
