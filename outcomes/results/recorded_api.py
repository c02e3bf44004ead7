"""REST API for a family's recorded outcomes (sf2022, DOMAIN.md 4.3): the same policy,
selector and service as the page. Reading: anyone who can see the family, with the
reasons of restricted needs withheld from those outside the restricted-information rule;
recording: the family's lead professional only (403, nothing changed, for anyone else
who sees the family; 404 outside the user's scope)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from agencies.models import User
from audit.services import access_event_record
from families.access import access
from families.models import Family
from families.selectors import family_get_for_user_or_404
from oneplan.text_limits import TextLimitsMixin
from outcomes.models import RecordedOutcome
from outcomes.results.recorded import recorded_outcome_list_for_user
from outcomes.results.recorded_access import can_record_outcome, can_view_recorded_outcomes
from outcomes.results.recorded_services import REASON_MAX, REASON_MIN, recorded_outcome_record

REFERENCE = OpenApiParameter(
    "reference", str, OpenApiParameter.PATH, description="The family's reference"
)


class RecordedOutcomeSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    need = serializers.CharField(source="need_code", help_text="The need's code")
    need_label = serializers.CharField()
    positive = serializers.BooleanField()
    reason = serializers.CharField(help_text="Empty when withheld")
    reason_withheld = serializers.BooleanField(
        help_text="About a restricted need whose detail you may not see"
    )
    restricted = serializers.BooleanField()
    recorded_on = serializers.DateField()
    recorded_by = serializers.CharField()
    created_at = serializers.DateTimeField()
    is_current = serializers.BooleanField(
        help_text="False: replaced by a later record (superseded_by)"
    )
    superseded_by = serializers.IntegerField(allow_null=True)


class RecordedOutcomeInputSerializer(TextLimitsMixin, serializers.Serializer[Any]):
    need = serializers.CharField(
        max_length=40, help_text="A need met at entry or found during the work"
    )
    positive = serializers.BooleanField()
    reason = serializers.CharField(
        min_length=REASON_MIN,
        max_length=REASON_MAX,
        help_text="What the lead practitioner saw and where it is recorded",
    )


@extend_schema(parameters=[REFERENCE])
class RecordedOutcomeViewSet(viewsets.GenericViewSet[Any]):
    """Outcomes the family's lead practitioner recorded for its needs, current first;
    recording for a need again replaces its current record, which is kept."""

    access_rule = (
        "read: anyone who can see the family (restricted reasons withheld); record: the "
        "family's lead professional (404 outside the user's scope)"
    )
    queryset = RecordedOutcome.objects.none()
    serializer_class = RecordedOutcomeSerializer
    pagination_class = None

    def _family(self) -> tuple[User, Family]:
        user = self.request.user
        assert isinstance(user, User)
        if not access.can_view_families(user):
            raise PermissionDenied("Your account does not give access to families")
        return user, family_get_for_user_or_404(user, self.kwargs["reference"])

    def _shown(self, user: User, family: Family) -> list[dict[str, Any]]:
        rows = recorded_outcome_list_for_user(family, access.family_permissions(user, family))
        access_event_record(
            user=user,
            action="api_read",
            object_type="recorded_outcomes",
            object_id=str(family.pk),
            family_id=family.pk,
            family_reference=family.reference,
            request=self.request,
        )
        return [asdict(row) for row in rows]

    @extend_schema(responses=RecordedOutcomeSerializer(many=True))
    def list(self, request: Request, reference: str) -> Response:
        user, family = self._family()
        if not can_view_recorded_outcomes(user, family):
            raise PermissionDenied("You cannot see this family's outcomes")
        return Response(RecordedOutcomeSerializer(self._shown(user, family), many=True).data)

    @extend_schema(
        request=RecordedOutcomeInputSerializer, responses={201: RecordedOutcomeSerializer}
    )
    def create(self, request: Request, reference: str) -> Response:
        user, family = self._family()
        if not can_record_outcome(user, family):
            raise PermissionDenied("Only the family's lead professional records its outcomes")
        payload = RecordedOutcomeInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        made = recorded_outcome_record(
            actor=user,
            family=family,
            need_code=data["need"],
            positive=data["positive"],
            reason=data["reason"],
        )
        row = next(r for r in self._shown(user, family) if r["id"] == made.pk)
        return Response(RecordedOutcomeSerializer(row).data, status=status.HTTP_201_CREATED)


def register(router: BaseRouter) -> None:
    """Add this area's viewsets to the project's API router."""
    router.register(
        r"families/(?P<reference>[^/.]+)/recorded-outcomes",
        RecordedOutcomeViewSet,
        basename="family-recorded-outcome",
    )
