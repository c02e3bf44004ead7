"""REST API for nominations and screening: the same selectors, policy and services as
the pages. A family or nomination outside the caller's scope answers 404."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from agencies.models import User
from agencies.request_user import request_user_or_403
from audit.services import access_event_record, access_events_record_many
from families import identifiers
from families.models import Family, MemberRole
from families.selectors import family_get_for_user_or_404
from families.services import MemberData
from lcgs.screening import selectors, services
from lcgs.screening.access import can_nominate, can_screen
from lcgs.screening.filters import NominationFilter, ScreeningFilter
from lcgs.screening.selectors import ScreeningEntry
from oneplan.api_errors import NOT_FOUND, ErrorDetailSerializer
from oneplan.text_limits import TextLimitsMixin, model_max_length
from outcomes.models import Nomination

# ---------------------------------------------------------------------------
# Nominations
# ---------------------------------------------------------------------------


class NominationSerializer(serializers.ModelSerializer[Nomination]):
    family = serializers.CharField(source="family.reference")
    agency = serializers.CharField(source="agency.code")
    nominated_by = serializers.CharField(source="nominated_by.username")
    status = serializers.CharField(help_text="open, accepted, declined or withdrawn")
    framework = serializers.CharField(help_text="tf1, tf2 or sf2022")

    class Meta:
        model = Nomination
        fields = [
            "id",
            "family",
            "framework",
            "criteria",
            "reason",
            "agency",
            "nominated_by",
            "created_at",
            "status",
            "decided_at",
            "decision_note",
        ]


class NominationCreateSerializer(TextLimitsMixin, serializers.Serializer[Any]):
    family = serializers.CharField(
        max_length=model_max_length(Family, "reference"),
        help_text="The family's reference, like F-000123",
    )
    reason = serializers.CharField(max_length=2000)
    criteria = serializers.ListField(
        child=serializers.CharField(max_length=40),
        help_text="Criterion codes of the framework that applies to the family",
    )


class NewMemberSerializer(TextLimitsMixin, serializers.Serializer[Any]):
    given_name = serializers.CharField(max_length=100)
    family_name = serializers.CharField(max_length=100)
    date_of_birth = serializers.DateField()
    role = serializers.ChoiceField(choices=MemberRole.choices, default=MemberRole.CHILD.value)

    def validate_date_of_birth(self, value: datetime.date) -> datetime.date:
        if value > timezone.localdate():
            raise ValidationError("Date of birth must be today or in the past")
        return value


class NewFamilyNominationSerializer(TextLimitsMixin, serializers.Serializer[Any]):
    main_carer = NewMemberSerializer(help_text="The main carer (their role is parent_carer)")
    address_line_1 = serializers.CharField(max_length=200)
    postcode = serializers.CharField(max_length=10)
    other_members = NewMemberSerializer(many=True, required=False, default=list)
    reason = serializers.CharField(max_length=2000)
    criteria = serializers.ListField(
        child=serializers.CharField(max_length=40),
        help_text="Criterion codes of the framework in force today",
    )

    def validate_postcode(self, value: str) -> str:
        message = identifiers.postcode_error(value)
        if message:
            raise ValidationError(message)
        return identifiers.normalise_postcode(value)


class WithdrawSerializer(TextLimitsMixin, serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=2000)


def _member(data: dict[str, Any], role: str) -> MemberData:
    return MemberData(
        given_name=data["given_name"].strip(),
        family_name=data["family_name"].strip(),
        date_of_birth=data["date_of_birth"],
        role=MemberRole(role),
    )


class NominationViewSet(viewsets.GenericViewSet[Nomination]):
    """Nominations of families for the programme: your own, and those of the families
    you screen."""

    access_rule = (
        "key workers, agency practitioners and LCG coordinators nominate; screeners read "
        "their families' nominations; only the nominator withdraws"
    )
    serializer_class = NominationSerializer
    queryset = Nomination.objects.none()
    filterset_class = NominationFilter
    lookup_value_regex = r"\d+"

    def _viewer(self) -> User:
        return request_user_or_403(
            self.request,
            lambda u: can_nominate(u) or can_screen(u),
            "Your role does not nominate or screen families",
        )

    def _nominator(self) -> User:
        return request_user_or_403(self.request, can_nominate, "Your role cannot nominate families")

    def get_queryset(self) -> QuerySet[Nomination]:
        return selectors.nomination_list_for_user(self._viewer())

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = self._viewer()
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        rows = list(page or [])
        visible = [n.family for n in rows if getattr(n, "family_visible", False)]
        if visible:
            access_events_record_many(
                user=user,
                family_ids=[f.pk for f in visible],
                family_references=[f.reference for f in visible],
                request=request,
                detail={"nominations": True, "api": True},
            )
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        user = self._viewer()
        nomination = selectors.nomination_get_for_user_or_404(user, int(pk))
        access_event_record(
            user=user,
            action="api_read",
            object_type="nomination",
            object_id=str(nomination.pk),
            family_id=nomination.family_id,
            family_reference=nomination.family.reference,
            request=request,
        )
        return Response(self.get_serializer(nomination).data)

    @extend_schema(
        request=NominationCreateSerializer,
        responses={
            201: NominationSerializer,
            404: OpenApiResponse(ErrorDetailSerializer, NOT_FOUND),
        },
    )
    def create(self, request: Request) -> Response:
        """Nominate a family you can see (it must still be waiting to be screened)."""
        user = self._nominator()
        payload = NominationCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        family = family_get_for_user_or_404(user, data["family"])
        nomination = services.nomination_create(
            actor=user,
            family=family,
            reason=data["reason"],
            criteria=data["criteria"],
        )
        return Response(self.get_serializer(nomination).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=NewFamilyNominationSerializer, responses={201: NominationSerializer})
    @action(detail=False, methods=["post"], url_path="new-family")
    def new_family(self, request: Request) -> Response:
        """Add a family OnePlan does not know yet and nominate it, in one step."""
        user = self._nominator()
        payload = NewFamilyNominationSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        household = services.NewHousehold(
            main_carer=_member(data["main_carer"], MemberRole.PARENT_CARER),
            address_line_1=data["address_line_1"].strip(),
            postcode=data["postcode"],
            other_members=tuple(_member(m, m["role"]) for m in data["other_members"]),
        )
        nomination = services.nomination_create_for_new_family(
            actor=user,
            household=household,
            reason=data["reason"],
            criteria=data["criteria"],
        )
        return Response(self.get_serializer(nomination).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=WithdrawSerializer, responses=NominationSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        """Withdraw your own nomination while it is still open."""
        user = self._nominator()
        nomination = selectors.nomination_get_for_user_or_404(user, int(pk))
        if nomination.nominated_by_id != user.pk:
            raise PermissionDenied("Only the person who made a nomination can withdraw it")
        payload = WithdrawSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        updated = services.nomination_withdraw(
            actor=user,
            nomination=nomination,
            reason=payload.validated_data["reason"],
        )
        return Response(self.get_serializer(updated).data)


# ---------------------------------------------------------------------------
# Screening
# ---------------------------------------------------------------------------


class ScreeningCriterionSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField(source="label")
    from_data = serializers.BooleanField()
    nominated = serializers.BooleanField()


class ScreeningEntrySerializer(serializers.Serializer[ScreeningEntry]):
    reference = serializers.CharField(source="family.reference")
    lcg = serializers.CharField(source="family.lcg.code", allow_null=True, default=None)
    main_carer = serializers.CharField(allow_null=True)
    framework = serializers.CharField()
    identified_by = serializers.CharField(source="source", help_text="data, nomination or both")
    how_identified = serializers.ListField(child=serializers.CharField())
    met_count = serializers.IntegerField(
        source="assessment.met_count", allow_null=True, default=None
    )
    problem_count = serializers.IntegerField()
    criteria = ScreeningCriterionSerializer(many=True)
    nominations = NominationSerializer(many=True)
    since = serializers.DateTimeField()


class ScreeningDecisionSerializer(TextLimitsMixin, serializers.Serializer[Any]):
    decision = serializers.ChoiceField(
        choices=[("eligible", "Eligible: move to screened"), ("not_eligible", "Not eligible")]
    )
    reason = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required when the family is not eligible",
    )


class ScreeningDecisionResultSerializer(serializers.Serializer[Any]):
    reference = serializers.CharField(source="family.reference")
    status = serializers.CharField(source="family.status")
    eligible = serializers.BooleanField()
    nominations_decided = serializers.IntegerField()


class ScreeningViewSet(viewsets.GenericViewSet[Any]):
    """Families waiting for a screening decision: for LCG coordinators (their LCGs) and
    programme managers (every LCG and the unassigned list)."""

    access_rule = "LCG coordinators (their LCGs) and programme managers (every LCG, unassigned)"
    serializer_class = ScreeningEntrySerializer
    queryset = Family.objects.none()
    filterset_class = ScreeningFilter
    lookup_field = "reference"

    def _screener(self) -> User:
        return request_user_or_403(
            self.request, can_screen, "Only coordinators and programme managers screen families"
        )

    def get_queryset(self) -> QuerySet[Family]:
        return selectors.screening_list_for_user(self._screener())

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = self._screener()
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        entries = selectors.screening_entries(page or [])
        if entries:
            access_events_record_many(
                user=user,
                family_ids=[e.family.pk for e in entries],
                family_references=[e.family.reference for e in entries],
                filters=dict(request.query_params.items()),
                request=request,
                detail={"screening": True, "api": True},
            )
        return self.get_paginated_response(self.get_serializer(entries, many=True).data)

    def retrieve(self, request: Request, reference: str) -> Response:
        user = self._screener()
        entry = selectors.screening_entry_get_for_user_or_404(user, reference)
        access_event_record(
            user=user,
            action="api_read",
            object_type="family",
            object_id=str(entry.family.pk),
            family_id=entry.family.pk,
            family_reference=entry.family.reference,
            request=request,
        )
        return Response(self.get_serializer(entry).data)

    @extend_schema(request=ScreeningDecisionSerializer, responses=ScreeningDecisionResultSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, reference: str) -> Response:
        """Eligible: the family moves to screened. Not eligible (give a reason): it is
        closed without outcome. Open nominations are accepted or declined with it."""
        user = self._screener()
        entry = selectors.screening_entry_get_for_user_or_404(user, reference)
        payload = ScreeningDecisionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        decision = services.screening_decide(
            actor=user,
            family=entry.family,
            eligible=payload.validated_data["decision"] == "eligible",
            reason=payload.validated_data["reason"],
        )
        return Response(ScreeningDecisionResultSerializer(decision).data)


def register(router: BaseRouter) -> None:
    """Add this area's viewsets to the project's API router."""
    router.register("nominations", NominationViewSet, basename="nomination")
    router.register("screening", ScreeningViewSet, basename="screening")
