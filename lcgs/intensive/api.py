"""REST API for intensive support: the same policy, selectors and services as the pages.

- ``GET /api/intensive-places/?financial_year=`` every provider's places in a year;
  ``POST`` sets one provider's (programme managers).
- ``GET /api/intensive-nominations/?status=&provider=&lcg=`` the nominations the user
  sees, oldest first, with each waiting one's place in its provider's queue;
  ``POST`` nominates a family; ``GET {id}/``; ``POST {id}/accept/``, ``{id}/decline/``
  (the provider's staff), ``{id}/withdraw/`` (the LCG).
- ``GET /api/intensive-track-shares/?lcg=`` the families on each track against the
  20-30% intensive target.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from agencies.models import LCG, Agency, Staff, User
from agencies.request_user import request_user_or_403
from audit.services import access_event_record, access_events_record_many
from families.access.access import can_view_families
from families.selectors import family_get_for_user_or_404
from lcgs.allocation.access import can_allocate_family
from lcgs.intensive import selectors, services
from lcgs.intensive.access import (
    can_nominate,
    can_see_nominations,
    can_set_places,
    provider_staff,
)
from lcgs.intensive.models import IntensiveNomination, IntensiveNominationStatus
from oneplan.api_errors import NOT_FOUND, ErrorDetailSerializer, OneObjectSchema
from oneplan.pagination import StandardPagination
from oneplan.text_limits import TextLimitsMixin

SEE_WHY = (
    "Only LCG coordinators, programme managers and intensive support providers see "
    "nominations to intensive support"
)


# ---------------------------------------------------------------------------
# Places
# ---------------------------------------------------------------------------


class IntensiveProviderPlacesSerializer(serializers.Serializer[selectors.ProviderPlaces]):
    provider = serializers.CharField(source="provider.code", help_text="The provider's code")
    provider_name = serializers.CharField(source="provider.name")
    financial_year = serializers.IntegerField(
        help_text="The calendar year it starts in: 2025 for April 2025 to March 2026"
    )
    contracted = serializers.IntegerField(
        allow_null=True, help_text="Places contracted; null when none is recorded"
    )
    accepted = serializers.IntegerField(help_text="Families accepted that year")
    left = serializers.IntegerField(help_text="Places left that year")
    waiting = serializers.IntegerField(help_text="Nominations waiting for its decision")


class IntensivePlacesRequestSerializer(TextLimitsMixin, serializers.Serializer[Any]):
    provider = serializers.CharField(max_length=32, help_text="The provider's code")
    financial_year = serializers.IntegerField(
        help_text="The calendar year it starts in: 2025 for April 2025 to March 2026"
    )
    places = serializers.IntegerField(min_value=0, max_value=services.MAX_PLACES)


YEAR = OpenApiParameter(
    "financial_year",
    int,
    description="The financial year (its starting year); this year if left out",
)


def _provider(code: str, field: str = "provider") -> Agency:
    provider = selectors.provider_choices().filter(code=code).first()
    if provider is None:
        raise ValidationError({field: [f"No intensive support provider has the code {code}"]})
    return provider


class IntensivePlacesViewSet(viewsets.GenericViewSet[Any]):
    """Providers' contracted places per financial year, with the families accepted and
    the places left."""

    access_rule = (
        "LCG coordinators, programme managers and provider staff read (numbers only); "
        "programme managers set"
    )
    queryset = Agency.objects.none()
    serializer_class = IntensiveProviderPlacesSerializer
    pagination_class = None

    @extend_schema(parameters=[YEAR], responses=IntensiveProviderPlacesSerializer(many=True))
    def list(self, request: Request) -> Response:
        """Every active provider's places in the financial year."""
        request_user_or_403(request, can_see_nominations, SEE_WHY)
        raw = request.query_params.get("financial_year", "")
        if raw and not raw.isdigit():
            raise ValidationError({"financial_year": ["Enter a year, like 2025"]})
        year = int(raw) if raw else selectors.current_financial_year(timezone.localdate())
        rows = selectors.provider_places(financial_year=year)
        return Response(self.get_serializer(rows, many=True).data)

    @extend_schema(
        request=IntensivePlacesRequestSerializer, responses={200: IntensiveProviderPlacesSerializer}
    )
    def create(self, request: Request) -> Response:
        """Set a provider's contracted places for a financial year (never fewer than the
        families it has accepted that year)."""
        user = request_user_or_403(
            request, can_set_places, "Only programme managers set contracted places"
        )
        payload = IntensivePlacesRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        provider = _provider(data["provider"])
        services.intensive_places_set(
            actor=user,
            provider=provider,
            financial_year=data["financial_year"],
            places=data["places"],
        )
        row = next(
            p
            for p in selectors.provider_places(financial_year=data["financial_year"])
            if p.provider.pk == provider.pk
        )
        return Response(IntensiveProviderPlacesSerializer(row).data, status=status.HTTP_200_OK)


# ---------------------------------------------------------------------------
# Nominations
# ---------------------------------------------------------------------------


class IntensiveNominationSerializer(serializers.ModelSerializer[IntensiveNomination]):
    family = serializers.CharField(source="family.reference", help_text="The family's reference")
    lcg = serializers.CharField(source="lcg.code", allow_null=True, default=None)
    provider = serializers.CharField(source="provider.code")
    provider_name = serializers.CharField(source="provider.name")
    nominated_by = serializers.CharField(source="nominated_by.username")
    decided_by = serializers.CharField(source="decided_by.username", allow_null=True, default=None)
    lead_professional = serializers.CharField(
        source="lead_professional.user.username", allow_null=True, default=None
    )
    queue_position = serializers.SerializerMethodField(
        help_text="Its place among the nominations waiting for the provider (1 is next); "
        "null once decided"
    )

    class Meta:
        model = IntensiveNomination
        fields = [
            "id",
            "family",
            "lcg",
            "provider",
            "provider_name",
            "reason",
            "nominated_by",
            "nominated_at",
            "status",
            "queue_position",
            "decided_by",
            "decided_at",
            "decision_note",
            "place_year",
            "lead_professional",
        ]

    def get_queue_position(self, obj: IntensiveNomination) -> int | None:
        return selectors.queue_position(obj)


class IntensiveNominateRequestSerializer(TextLimitsMixin, serializers.Serializer[Any]):
    family = serializers.CharField(max_length=12, help_text="The family's reference")
    provider = serializers.CharField(max_length=32, help_text="The provider's code")
    reason = serializers.CharField(max_length=services.REASON_MAX_LENGTH)


class IntensiveAcceptRequestSerializer(TextLimitsMixin, serializers.Serializer[Any]):
    lead_professional = serializers.CharField(
        max_length=150,
        required=False,
        allow_null=True,
        default=None,
        help_text="The username of one of the provider's key workers; null or left out: "
        "the provider names one later",
    )
    note = serializers.CharField(
        max_length=services.REASON_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


class IntensiveReasonRequestSerializer(TextLimitsMixin, serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=services.REASON_MAX_LENGTH)


class IntensiveAcceptanceSerializer(serializers.Serializer[services.Acceptance]):
    nomination = IntensiveNominationSerializer()
    family_status = serializers.CharField(source="allocation.family.status")
    track = serializers.CharField(source="allocation.family.track")
    places_left = serializers.IntegerField()


STATUS = OpenApiParameter(
    "status", str, enum=IntensiveNominationStatus.values, description="Only this status"
)
PROVIDER = OpenApiParameter("provider", str, description="Only this provider (its code)")
LCG_CODE = OpenApiParameter("lcg", str, description="Only this LCG (its code)")


class IntensiveNominationViewSet(viewsets.GenericViewSet[IntensiveNomination]):
    """Nominations of families to intensive support providers."""

    access_rule = (
        "LCG coordinators (their LCGs' families), programme managers (all) and provider "
        "staff (nominations to their agency); 404 outside scope"
    )
    serializer_class = IntensiveNominationSerializer
    pagination_class = StandardPagination
    queryset = IntensiveNomination.objects.none()

    def _user(self) -> User:
        return request_user_or_403(self.request, can_see_nominations, SEE_WHY)

    def _get(self, user: User, pk: str) -> IntensiveNomination:
        if not pk.isdigit():
            raise Http404("No nomination found")
        return selectors.nomination_get_for_user_or_404(user, int(pk))

    @extend_schema(parameters=[STATUS, PROVIDER, LCG_CODE])
    def list(self, request: Request) -> Response:
        """The nominations you see, oldest first (the waiting list with ``status=waiting``)."""
        user = self._user()
        params = request.query_params
        state = params.get("status", "")
        if state and state not in IntensiveNominationStatus.values:
            raise ValidationError({"status": [f"Not a status: {state}"]})
        provider = None
        if params.get("provider"):
            provider = Agency.objects.filter(code=params["provider"]).first()
            if provider is None:
                raise ValidationError(
                    {"provider": [f"No agency has the code {params['provider']}"]}
                )
        lcg = None
        if params.get("lcg"):
            lcg = LCG.objects.filter(code=params["lcg"]).first()
            if lcg is None:
                raise ValidationError({"lcg": [f"No LCG has the code {params['lcg']}"]})
        rows = selectors.nomination_list_for_user(
            user, status=state or None, provider=provider, lcg=lcg
        )
        page = self.paginate_queryset(rows)
        shown = list(page) if page is not None else list(rows)
        access_events_record_many(
            user=user,
            family_ids=[n.family_id for n in shown],
            family_references=[n.family.reference for n in shown],
            request=request,
            detail={"intensive_nominations": True},
        )
        return self.get_paginated_response(self.get_serializer(shown, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        """One nomination."""
        user = self._user()
        nomination = self._get(user, pk)
        access_event_record(
            user=user,
            action="view",
            object_type="intensive_nomination",
            object_id=str(nomination.pk),
            family_id=nomination.family_id,
            family_reference=nomination.family.reference,
            request=request,
        )
        return Response(self.get_serializer(nomination).data)

    @extend_schema(
        request=IntensiveNominateRequestSerializer,
        responses={
            201: IntensiveNominationSerializer,
            # The family is named in the body: one outside your scope is not found.
            404: OpenApiResponse(ErrorDetailSerializer, NOT_FOUND),
        },
    )
    def create(self, request: Request) -> Response:
        """Nominate a family of your LCG to a provider: it joins the waiting list."""
        user = request_user_or_403(
            request, can_nominate, "Only LCG coordinators and programme managers nominate"
        )
        if not can_view_families(user):
            raise PermissionDenied("Your account does not give access to families")
        payload = IntensiveNominateRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        family = family_get_for_user_or_404(user, data["family"])
        if not can_allocate_family(user, family):
            raise PermissionDenied("Only the LCG's coordinators and programme managers nominate")
        provider = _provider(data["provider"])
        nomination = services.intensive_nominate(
            actor=user, family=family, provider=provider, reason=data["reason"]
        )
        shown = selectors.nomination_get_for_user_or_404(user, nomination.pk)
        return Response(self.get_serializer(shown).data, status=status.HTTP_201_CREATED)

    def _deciding(self, pk: str) -> tuple[User, IntensiveNomination]:
        user = self._user()
        nomination = self._get(user, pk)
        staff = provider_staff(user)
        if staff is None or staff.agency_id != nomination.provider_id:
            raise PermissionDenied("Only the provider's staff decide on its nominations")
        return user, nomination

    @extend_schema(
        request=IntensiveAcceptRequestSerializer, responses={200: IntensiveAcceptanceSerializer}
    )
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        """The provider accepts the family: it takes one of this year's places and is
        allocated to the provider on the intensive track."""
        user, nomination = self._deciding(pk)
        payload = IntensiveAcceptRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        professional = None
        if data["lead_professional"]:
            professional = (
                Staff.objects.select_related("user", "agency")
                .filter(user__username=data["lead_professional"])
                .first()
            )
            if professional is None:
                raise ValidationError(
                    {"lead_professional": [f"Nobody has the username {data['lead_professional']}"]}
                )
        done = services.intensive_nomination_accept(
            actor=user, nomination=nomination, lead_professional=professional, note=data["note"]
        )
        shown = selectors.nomination_get_for_user_or_404(user, nomination.pk)
        body = IntensiveAcceptanceSerializer(done).data
        body["nomination"] = self.get_serializer(shown).data
        return Response(body)

    @extend_schema(
        request=IntensiveReasonRequestSerializer, responses={200: IntensiveNominationSerializer}
    )
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str) -> Response:
        """The provider declines the family, saying why."""
        user, nomination = self._deciding(pk)
        payload = IntensiveReasonRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.intensive_nomination_decline(
            actor=user, nomination=nomination, reason=payload.validated_data["reason"]
        )
        return Response(
            self.get_serializer(selectors.nomination_get_for_user_or_404(user, nomination.pk)).data
        )

    @extend_schema(
        request=IntensiveReasonRequestSerializer, responses={200: IntensiveNominationSerializer}
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        """The LCG withdraws a nomination still waiting for the provider, saying why."""
        user = self._user()
        nomination = self._get(user, pk)
        if not can_allocate_family(user, nomination.family):
            raise PermissionDenied("Only the LCG's coordinators and programme managers withdraw")
        payload = IntensiveReasonRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.intensive_nomination_withdraw(
            actor=user, nomination=nomination, reason=payload.validated_data["reason"]
        )
        return Response(
            self.get_serializer(selectors.nomination_get_for_user_or_404(user, nomination.pk)).data
        )


# ---------------------------------------------------------------------------
# Track shares
# ---------------------------------------------------------------------------


class IntensiveTrackSharesSerializer(serializers.Serializer[selectors.TrackShares]):
    lcg = serializers.SerializerMethodField(help_text="The LCG's code; null for the programme")
    intensive = serializers.IntegerField()
    local = serializers.IntegerField()
    total = serializers.IntegerField()
    intensive_percent = serializers.DecimalField(max_digits=4, decimal_places=1)
    local_percent = serializers.DecimalField(max_digits=4, decimal_places=1)
    target_low = serializers.IntegerField(help_text="The intensive target's low end, percent")
    target_high = serializers.IntegerField(help_text="The intensive target's high end, percent")
    within_target = serializers.BooleanField(allow_null=True)

    def get_lcg(self, obj: selectors.TrackShares) -> str | None:
        lcg = self.context.get("lcg")
        return lcg.code if lcg is not None else None


class TrackSharesViewSet(viewsets.GenericViewSet[Any]):
    """How the open, allocated families divide between the intensive and local tracks."""

    access_rule = (
        "LCG coordinators (their LCGs) and programme managers (any LCG or the programme); "
        "numbers only"
    )
    queryset = LCG.objects.none()
    serializer_class = IntensiveTrackSharesSerializer
    pagination_class = None
    schema = OneObjectSchema()

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "lcg",
                str,
                description="The LCG's code; left out: the whole programme (programme "
                "managers) or your only LCG (coordinators)",
            )
        ],
        responses={
            200: IntensiveTrackSharesSerializer,
            # An LCG code you do not see is not found.
            404: OpenApiResponse(ErrorDetailSerializer, NOT_FOUND),
        },
    )
    def list(self, request: Request) -> Response:
        """The families on each track, counts and percentages, against the target."""
        user = request_user_or_403(
            request, can_nominate, "Only LCG coordinators and programme managers see this"
        )
        lcgs = selectors.lcgs_for_user(user)
        code = request.query_params.get("lcg", "")
        lcg: LCG | None = None
        if code:
            lcg = lcgs.filter(code=code).first()
            if lcg is None:
                raise Http404("No LCG found")
        elif not can_set_places(user):
            mine = list(lcgs[:2])
            if len(mine) != 1:
                raise ValidationError({"lcg": ["Enter the code of one of your LCGs"]})
            lcg = mine[0]
        shares = selectors.track_shares(lcg)
        return Response(IntensiveTrackSharesSerializer(shares, context={"lcg": lcg}).data)


def register(router: BaseRouter) -> None:
    """Add this area's viewsets to the project's API router."""
    router.register("intensive-places", IntensivePlacesViewSet, basename="intensive-places")
    router.register(
        "intensive-nominations", IntensiveNominationViewSet, basename="intensive-nomination"
    )
    router.register("intensive-track-shares", TrackSharesViewSet, basename="intensive-track-shares")
