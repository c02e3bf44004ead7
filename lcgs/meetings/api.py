"""REST API for LCG meetings: the same policy, selectors and services as the pages.

``/api/lcg-meetings/``: the meetings the user runs or attends (GET), a new meeting
(POST); ``/api/lcg-meetings/{id}/``: one meeting with its attendees, agenda and decisions
as its minutes tell them to the user; ``attendees/`` (POST: who is coming),
``agenda/`` (POST: add a family), ``agenda/{item}/`` (DELETE: take it off),
``decisions/`` (POST: record a decision about an agenda family), ``close/`` (POST).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from agencies.models import LCG, Agency, Staff, User
from families.models import Track
from families.states import FamilyStatus
from lcgs.meetings import selectors, services
from lcgs.meetings.access import (
    LIST_RULE,
    MANAGE_DENIED,
    MANAGE_RULE,
    VIEW_RULE,
    can_manage_meeting,
    can_run_meetings,
)
from lcgs.meetings.models import DecisionKind, Meeting, MeetingDecision
from lcgs.meetings.selectors import Minutes
from lcgs.meetings.views import agenda_shown_record
from oneplan.text_limits import TextLimitsMixin
from plans.models import Goal

ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The meeting's id")
ITEM = OpenApiParameter("item", int, OpenApiParameter.PATH, description="The agenda item's id")


class MeetingSummarySerializer(serializers.Serializer[Meeting]):
    id = serializers.IntegerField()
    lcg = serializers.CharField(source="lcg.code")
    lcg_name = serializers.CharField(source="lcg.name")
    starts_at = serializers.DateTimeField()
    location = serializers.CharField()
    status = serializers.CharField()
    closed_at = serializers.DateTimeField(allow_null=True)


class DecisionOutSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    text = serializers.CharField(
        help_text="What the decision did; a restricted plan action's details only for "
        "those who may see restricted information"
    )
    recorded_by = serializers.CharField()
    recorded_at = serializers.DateTimeField()


class AgendaItemOutSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="item.pk")
    reference = serializers.CharField()
    status = serializers.CharField(source="item.family.status")
    reasons = serializers.ListField(child=serializers.CharField(), source="item.reasons")
    reason_labels = serializers.ListField(child=serializers.CharField(), source="reasons")
    decisions = DecisionOutSerializer(many=True)


class MeetingDetailSerializer(serializers.Serializer[Minutes]):
    meeting = MeetingSummarySerializer()
    attendees = serializers.ListField(child=serializers.CharField())
    agenda = AgendaItemOutSerializer(many=True, source="items")


class MeetingCreateSerializer(TextLimitsMixin, serializers.Serializer[Any]):
    lcg = serializers.CharField(max_length=32, help_text="The LCG's code, like WINCHESTER")
    starts_at = serializers.DateTimeField()
    location = serializers.CharField(
        max_length=services.LOCATION_MAX_LENGTH, required=False, allow_blank=True, default=""
    )
    attendees = serializers.ListField(
        child=serializers.CharField(max_length=150),
        required=False,
        default=list,
        help_text="Usernames of staff of the LCG's agencies",
    )


class AttendeesSerializer(TextLimitsMixin, serializers.Serializer[Any]):
    attendees = serializers.ListField(
        child=serializers.CharField(max_length=150),
        help_text="Usernames of staff of the LCG's agencies: exactly who is coming",
    )


class AgendaAddSerializer(TextLimitsMixin, serializers.Serializer[Any]):
    reference = serializers.CharField(max_length=12, help_text="A family of the meeting's LCG")


class DecisionInSerializer(TextLimitsMixin, serializers.Serializer[Any]):
    item = serializers.IntegerField(help_text="The agenda item's id")
    kind = serializers.ChoiceField(choices=DecisionKind.choices)
    track = serializers.ChoiceField(choices=Track.choices, required=False)
    lead_agency = serializers.CharField(
        max_length=32, required=False, help_text="allocation: the lead agency's code"
    )
    lead_professional = serializers.CharField(
        max_length=150,
        required=False,
        allow_null=True,
        default=None,
        help_text="allocation: the lead professional's username (null: named later)",
    )
    to_status = serializers.ChoiceField(choices=FamilyStatus.choices, required=False)
    reason = serializers.CharField(
        max_length=services.REASON_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="allocation and status: why",
    )
    goal = serializers.IntegerField(required=False, help_text="action: the goal's id")
    agency = serializers.CharField(
        max_length=32, required=False, help_text="action: the agency's code"
    )
    description = serializers.CharField(
        max_length=2000, required=False, help_text="action: what will be done"
    )
    due_on = serializers.DateField(required=False, help_text="action: the due date")
    next_review_on = serializers.DateField(
        required=False, help_text="review: the date of the next review"
    )


class DecisionRecordedSerializer(serializers.Serializer[MeetingDecision]):
    id = serializers.IntegerField()
    item = serializers.IntegerField(source="item_id")
    reference = serializers.CharField(source="family.reference")
    kind = serializers.CharField()
    summary = serializers.CharField()
    recorded_at = serializers.DateTimeField()


def _require(data: dict[str, Any], *names: str) -> None:
    missing = {name: ["This field is required."] for name in names if not data.get(name)}
    if missing:
        raise ValidationError(missing)


def _agency(code: str, field: str) -> Agency:
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        raise ValidationError({field: [f"No agency has the code {code}"]})
    return agency


def _staff(usernames: list[str], field: str) -> list[Staff]:
    found = {
        s.user.username: s
        for s in Staff.objects.select_related("user").filter(user__username__in=usernames)
    }
    unknown = [u for u in usernames if u not in found]
    if unknown:
        raise ValidationError({field: [f"Nobody has the username {unknown[0]}"]})
    return [found[u] for u in usernames]


class MeetingViewSet(viewsets.GenericViewSet[Any]):
    """An LCG's meetings: agenda proposed from the caseload, decisions, minutes."""

    access_rule = LIST_RULE + "; one meeting: " + VIEW_RULE + "; changes: " + MANAGE_RULE
    queryset = Meeting.objects.none()
    serializer_class = MeetingSummarySerializer

    def _user(self, request: Request) -> User:
        user = request.user
        assert isinstance(user, User)
        return user

    def _managed(self, request: Request, pk: str) -> tuple[User, Meeting]:
        user = self._user(request)
        meeting = selectors.meeting_get_for_user_or_404(user, int(pk))
        if not can_manage_meeting(user, meeting):
            raise PermissionDenied(MANAGE_DENIED)
        return user, meeting

    def _detail(self, user: User, meeting: Meeting) -> dict[str, Any]:
        return dict(MeetingDetailSerializer(selectors.minutes_for_user(user, meeting)).data)

    @extend_schema(responses=MeetingSummarySerializer(many=True))
    def list(self, request: Request) -> Response:
        """The meetings the user runs (an LCG's coordinators, programme managers) or is
        invited to, newest first."""
        meetings = self.paginate_queryset(selectors.meeting_list_for_user(self._user(request)))
        data = MeetingSummarySerializer(meetings, many=True).data  # type: ignore[arg-type]
        return self.get_paginated_response(data)

    @extend_schema(request=MeetingCreateSerializer, responses={201: MeetingDetailSerializer})
    def create(self, request: Request) -> Response:
        """Create a meeting with its attendees; OnePlan proposes the agenda from the
        LCG's caseload (new families to allocate, stuck cases, drift, results at risk)."""
        user = self._user(request)
        if not can_run_meetings(user):
            raise PermissionDenied(MANAGE_DENIED)
        payload = MeetingCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        lcg = LCG.objects.filter(code=data["lcg"]).first()
        if lcg is None:
            raise ValidationError({"lcg": [f"No LCG has the code {data['lcg']}"]})
        meeting = services.meeting_create(
            actor=user,
            lcg=lcg,
            starts_at=data["starts_at"],
            location=data["location"],
            attendees=_staff(data["attendees"], "attendees"),
        )
        return Response(self._detail(user, meeting), status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[ID], responses=MeetingDetailSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        """The meeting, its attendees, and each agenda family with why it is there and
        what was decided (a restricted plan action told without its details to those
        who may not see restricted information)."""
        user = self._user(request)
        meeting = selectors.meeting_get_for_user_or_404(user, int(pk))
        agenda_shown_record(request, user, meeting)
        return Response(self._detail(user, meeting))

    @extend_schema(parameters=[ID], request=AttendeesSerializer, responses=MeetingDetailSerializer)
    @action(detail=True, methods=["post"])
    def attendees(self, request: Request, pk: str) -> Response:
        """Say exactly who is coming (staff of the LCG's agencies)."""
        user, meeting = self._managed(request, pk)
        payload = AttendeesSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        staff = _staff(payload.validated_data["attendees"], "attendees")
        services.meeting_attendees_set(actor=user, meeting=meeting, attendees=staff)
        return Response(self._detail(user, meeting))

    @extend_schema(
        parameters=[ID], request=AgendaAddSerializer, responses={201: MeetingDetailSerializer}
    )
    @action(detail=True, methods=["post"])
    def agenda(self, request: Request, pk: str) -> Response:
        """Add a family of the meeting's LCG to its agenda."""
        user, meeting = self._managed(request, pk)
        payload = AgendaAddSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        reference = payload.validated_data["reference"]
        family = selectors.agenda_family_for_user(user, meeting, reference)
        if family is None:
            raise ValidationError(
                {"reference": [f"{reference} is not a family of {meeting.lcg.name} you can add"]}
            )
        services.meeting_agenda_add(actor=user, meeting=meeting, family=family)
        return Response(self._detail(user, meeting), status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[ID, ITEM], request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"agenda/(?P<item>\d+)")
    def agenda_remove(self, request: Request, pk: str, item: str) -> Response:
        """Take a family off the agenda (refused once a decision about it is recorded)."""
        user, meeting = self._managed(request, pk)
        services.meeting_agenda_remove(
            actor=user, item=selectors.agenda_item_or_404(meeting, int(item))
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        parameters=[ID],
        request=DecisionInSerializer,
        responses={201: DecisionRecordedSerializer},
    )
    @action(detail=True, methods=["post"])
    def decisions(self, request: Request, pk: str) -> Response:
        """Record a decision about an agenda family, written straight into the family
        (``allocation``: track, lead_agency, lead_professional, reason; ``status``:
        to_status, reason) or its plan (``action``: goal, agency, description, due_on;
        ``review``: next_review_on), with the meeting named as where it was made."""
        user, meeting = self._managed(request, pk)
        payload = DecisionInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        item = selectors.agenda_item_or_404(meeting, data["item"])
        decision = self._decision(user, item, data)
        recorded = services.meeting_decision_record(actor=user, item=item, decision=decision)
        return Response(DecisionRecordedSerializer(recorded).data, status=status.HTTP_201_CREATED)

    def _decision(self, user: User, item: Any, data: dict[str, Any]) -> services.Decision:
        kind = data["kind"]
        if kind == DecisionKind.ALLOCATION:
            _require(data, "track", "lead_agency")
            lead = None
            if data["lead_professional"]:
                lead = _staff([data["lead_professional"]], "lead_professional")[0]
            return services.AllocationDecision(
                track=data["track"],
                lead_agency=_agency(data["lead_agency"], "lead_agency"),
                lead_professional=lead,
                reason=data["reason"],
            )
        if kind == DecisionKind.STATUS:
            _require(data, "to_status")
            return services.StatusDecision(to_status=data["to_status"], reason=data["reason"])
        if kind == DecisionKind.ACTION:
            _require(data, "goal", "agency", "description", "due_on")
            goals = {g.pk: g for g in selectors.open_goals_for_user(user, item.family)}
            goal: Goal | None = goals.get(data["goal"])
            if goal is None:
                raise ValidationError(
                    {"goal": ["Select a goal of the family's plan still being worked on"]}
                )
            return services.ActionDecision(
                goal=goal,
                agency=_agency(data["agency"], "agency"),
                description=data["description"],
                due_on=data["due_on"],
            )
        _require(data, "next_review_on")
        return services.ReviewDecision(next_review_on=data["next_review_on"])

    @extend_schema(parameters=[ID], request=None, responses=MeetingDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        """Close the meeting: attendees' access to the agenda's families through it ends."""
        user, meeting = self._managed(request, pk)
        closed = services.meeting_close(actor=user, meeting=meeting)
        return Response(self._detail(user, closed))


def register(router: BaseRouter) -> None:
    """Add this area's viewsets to the project's API router."""
    router.register("lcg-meetings", MeetingViewSet, basename="lcg-meeting")
