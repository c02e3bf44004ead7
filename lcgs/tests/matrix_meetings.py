"""LCG meetings' authorisation table, asked by tests/test_permission_matrix.py.

Winchester's meeting is run by its coordinator (and any programme manager); the police
practitioner is invited, so sees the meeting's page and minutes but changes nothing
(403); everyone else finds no such meeting (404). Only those who run meetings create
them. Every denied request changes nothing (``_snapshot``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import timezone

from conftest import World, build_world
from families.models import Family, FamilyStatusChange, Grant
from lcgs.meetings.models import AgendaItem, Meeting, MeetingAttendee, MeetingDecision
from lcgs.tests.meetings_support import build_meeting
from tests.factories import FamilyFactory
from tests.matrix import PERSONAS, RouteCase, Table

SIGN_IN = 302
RUNS = {"coordinator", "programme_manager"}
ATTENDS = {"practitioner"}
RUNS_MEETINGS = {"coordinator", "other_coordinator", "programme_manager"}


def _rule(ok: int, *, attendee: int, anonymous: int) -> dict[str, int]:
    """Runs the meeting: ``ok``; invited: ``attendee``; anyone else: 404."""
    answers = dict.fromkeys(PERSONAS, 404) | {"anonymous": anonymous}
    return answers | dict.fromkeys(ATTENDS, attendee) | dict.fromkeys(RUNS, ok)


def _runners(ok: int, *, anonymous: int, other_coordinator: int | None = None) -> dict[str, int]:
    """Pages for whoever runs meetings at all: ``ok``; everyone else 403."""
    answers = dict.fromkeys(PERSONAS, 403) | {"anonymous": anonymous}
    answers |= dict.fromkeys(RUNS_MEETINGS, ok)
    if other_coordinator is not None:
        answers["other_coordinator"] = other_coordinator
    return answers


@dataclass
class MeetingsMatrixWorld:
    world: World
    meeting: Meeting
    item: AgendaItem
    extra: Family  # a Winchester family not on the agenda


def _build() -> MeetingsMatrixWorld:
    world = build_world()
    mw = build_meeting(world)
    extra = FamilyFactory(lcg=world.winchester)
    return MeetingsMatrixWorld(world=world, meeting=mw.meeting, item=mw.item, extra=extra)


def _snapshot(w: MeetingsMatrixWorld) -> tuple[object, ...]:
    return (
        sorted(Meeting.objects.values_list("pk", "status", "starts_at", "location")),
        sorted(MeetingAttendee.objects.values_list("meeting_id", "staff_id")),
        sorted(AgendaItem.objects.values_list("pk", "family_id")),
        MeetingDecision.objects.count(),
        sorted(Family.objects.values_list("pk", "status")),
        FamilyStatusChange.objects.count(),
        sorted(Grant.objects.values_list("pk", "ended_at")),
    )


def _page(name: str, *extra: Any) -> Any:
    def url(w: MeetingsMatrixWorld) -> str:
        args: list[Any] = [w.meeting.pk]
        for part in extra:
            args.append(w.item.pk if part == "item" else part)
        return reverse(f"lcgs:{name}", args=args)

    return url


def _api(tail: str = "") -> Any:
    return lambda w: f"/api/lcg-meetings/{w.meeting.pk}/{tail.format(item=w.item.pk)}"


def _when() -> dict[str, str]:
    day = timezone.localdate() + datetime.timedelta(days=7)
    return {"day_day": str(day.day), "day_month": str(day.month), "day_year": str(day.year)}


def _create_form(w: MeetingsMatrixWorld) -> dict[str, Any]:
    return {"lcg": str(w.world.winchester.pk), "time": "10:30", **_when()}


def _edit_form(w: MeetingsMatrixWorld) -> dict[str, Any]:
    return {"time": "14:00", "location": "Council offices", **_when()}


def _status(w: MeetingsMatrixWorld) -> dict[str, Any]:
    return {"to_status": "declined", "reason": "The family declined at the meeting"}


def _api_decision(w: MeetingsMatrixWorld) -> dict[str, Any]:
    return {"item": w.item.pk, **_status(w), "kind": "status"}


def _api_create(w: MeetingsMatrixWorld) -> dict[str, Any]:
    start = timezone.now() + datetime.timedelta(days=7)
    return {"lcg": w.world.winchester.code, "starts_at": start.isoformat()}


MEETINGS = Table(
    name="lcg meetings",
    build=_build,
    snapshot=_snapshot,
    cases=[
        RouteCase(
            "meeting-list",
            "get",
            lambda w: reverse("lcgs:meeting-list"),
            _runners(200, anonymous=SIGN_IN) | dict.fromkeys(ATTENDS, 200),
        ),
        RouteCase(
            "meeting-create",
            "get",
            lambda w: reverse("lcgs:meeting-create"),
            _runners(200, anonymous=SIGN_IN),
        ),
        RouteCase(
            "meeting-create",
            "post",
            lambda w: reverse("lcgs:meeting-create"),
            # Another LCG's coordinator is not offered Winchester: the form refuses it.
            _runners(302, anonymous=SIGN_IN, other_coordinator=400),
            _create_form,
        ),
        RouteCase(
            "meeting-detail",
            "get",
            _page("meeting-detail"),
            _rule(200, attendee=200, anonymous=SIGN_IN),
        ),
        RouteCase(
            "meeting-minutes",
            "get",
            _page("meeting-minutes"),
            _rule(200, attendee=200, anonymous=SIGN_IN),
        ),
        RouteCase(
            "meeting-minutes-pdf",
            "get",
            _page("meeting-minutes-pdf"),
            _rule(200, attendee=200, anonymous=SIGN_IN),
        ),
        RouteCase(
            "meeting-edit",
            "get",
            _page("meeting-edit"),
            _rule(200, attendee=403, anonymous=SIGN_IN),
        ),
        RouteCase(
            "meeting-edit",
            "post",
            _page("meeting-edit"),
            _rule(302, attendee=403, anonymous=SIGN_IN),
            _edit_form,
        ),
        RouteCase(
            "meeting-attendees",
            "get",
            _page("meeting-attendees"),
            _rule(200, attendee=403, anonymous=SIGN_IN),
        ),
        RouteCase(
            "meeting-attendees",
            "post",
            _page("meeting-attendees"),
            _rule(302, attendee=403, anonymous=SIGN_IN),
            lambda w: {"attendees": [str(w.world.coordinator.pk)]},
        ),
        RouteCase(
            "meeting-agenda-add",
            "get",
            _page("meeting-agenda-add"),
            _rule(200, attendee=403, anonymous=SIGN_IN),
        ),
        RouteCase(
            "meeting-agenda-remove",
            "post",
            _page("meeting-agenda-remove", "item"),
            _rule(302, attendee=403, anonymous=SIGN_IN),
        ),
        RouteCase(
            "meeting-decide",
            "get",
            _page("meeting-decide", "item", "status"),
            _rule(200, attendee=403, anonymous=SIGN_IN),
        ),
        RouteCase(
            "meeting-decide",
            "post",
            _page("meeting-decide", "item", "status"),
            _rule(302, attendee=403, anonymous=SIGN_IN),
            _status,
        ),
        RouteCase(
            "meeting-close",
            "get",
            _page("meeting-close"),
            _rule(200, attendee=403, anonymous=SIGN_IN),
        ),
        RouteCase(
            "meeting-close",
            "post",
            _page("meeting-close"),
            _rule(302, attendee=403, anonymous=SIGN_IN),
        ),
        # API
        RouteCase(
            "api-lcg-meetings",
            "get",
            lambda w: "/api/lcg-meetings/",
            {**dict.fromkeys(PERSONAS, 200), "anonymous": 403},
        ),
        RouteCase(
            "api-lcg-meetings",
            "post",
            lambda w: "/api/lcg-meetings/",
            _runners(201, anonymous=403, other_coordinator=403),
            _api_create,
            json=True,
        ),
        RouteCase("api-lcg-meeting", "get", _api(), _rule(200, attendee=200, anonymous=403)),
        RouteCase(
            "api-lcg-meeting-attendees",
            "post",
            _api("attendees/"),
            _rule(200, attendee=403, anonymous=403),
            lambda w: {"attendees": [w.world.coordinator.user.username]},
            json=True,
        ),
        RouteCase(
            "api-lcg-meeting-agenda",
            "post",
            _api("agenda/"),
            _rule(201, attendee=403, anonymous=403),
            lambda w: {"reference": w.extra.reference},
            json=True,
        ),
        RouteCase(
            "api-lcg-meeting-agenda-remove",
            "delete",
            _api("agenda/{item}/"),
            _rule(204, attendee=403, anonymous=403),
        ),
        RouteCase(
            "api-lcg-meeting-decisions",
            "post",
            _api("decisions/"),
            _rule(201, attendee=403, anonymous=403),
            _api_decision,
            json=True,
        ),
        RouteCase(
            "api-lcg-meeting-close",
            "post",
            _api("close/"),
            _rule(200, attendee=403, anonymous=403),
            json=True,
        ),
    ],
)

TABLES = [MEETINGS]
