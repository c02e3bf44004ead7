"""LCG meeting pages and API: a coordinator's run of a meeting, a refused decision shown
on its form, the minutes as a page, a PDF and through the API with a restricted plan
action told only to those allowed to see it, and the routes in the OpenAPI schema."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import World, client_for
from families.models import Family
from families.states import FamilyStatus
from lcgs.meetings import services
from lcgs.meetings.models import AgendaItem, Meeting, MeetingDecision, MeetingStatus
from lcgs.meetings.selectors import HIDDEN_ACTION
from lcgs.tests.meetings_support import MeetingWorld, build_meeting, invite_police, sees
from plans.models import Action
from plans.tests.test_review_support import pdf_text

pytestmark = pytest.mark.django_db

CANARY = "Canarymeetingaction"
CONTROL = "Ordinarymeetingaction"


def test_coordinator_runs_a_meeting_through_the_pages(world: World) -> None:
    invite_police(world)
    client = client_for(world.coordinator)
    day = timezone.localdate()
    now = timezone.localtime()
    start = (now - datetime.timedelta(minutes=10)).strftime("%H:%M")
    if now.hour == 0 and now.minute < 10:  # keep the start today
        start = "00:00"
    response = client.post(
        reverse("lcgs:meeting-create"),
        {
            "lcg": str(world.winchester.pk),
            "day_day": str(day.day),
            "day_month": str(day.month),
            "day_year": str(day.year),
            "time": start,
            "location": "Guildhall",
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("lcgs:meeting-attendees", args=[meeting.pk])

    page = client.get(response["Location"])
    assert world.practitioner.display_name in page.content.decode()
    client.post(
        reverse("lcgs:meeting-attendees", args=[meeting.pk]),
        {"attendees": [str(world.practitioner.pk)]},
    )
    client.post(
        reverse("lcgs:meeting-agenda-add", args=[meeting.pk]),
        {"reference": world.own_family.reference.lower()},
    )
    item = AgendaItem.objects.get(meeting=meeting, family=world.own_family)
    assert sees(world.practitioner, world.own_family)

    detail = client.get(reverse("lcgs:meeting-detail", args=[meeting.pk])).content.decode()
    assert world.own_family.reference in detail
    assert "Added by the coordinator" in detail

    response = client.post(
        reverse("lcgs:meeting-decide", args=[meeting.pk, item.pk, "status"]),
        {"to_status": "declined", "reason": "They said no"},
    )
    assert response.status_code == 302
    assert Family.objects.get(pk=world.own_family.pk).status == FamilyStatus.DECLINED

    response = client.post(reverse("lcgs:meeting-close", args=[meeting.pk]))
    assert response.status_code == 302
    assert Meeting.objects.get().status == MeetingStatus.CLOSED
    assert not sees(world.practitioner, world.own_family)


def test_a_refused_decision_shows_on_its_form_and_writes_nothing(world: World) -> None:
    mw = build_meeting(world)
    client = client_for(world.coordinator)
    response = client.post(
        reverse("lcgs:meeting-decide", args=[mw.meeting.pk, mw.item.pk, "allocation"]),
        {
            "track": "intensive",
            "lead_agency": str(world.council.pk),
            "lead_professional": "",
            "reason": "Needs the most help",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body
    assert "intensive support provider" in body
    assert not MeetingDecision.objects.exists()


def test_decision_forms_offer_restricted_goals_only_to_those_who_may_see_them(
    world: World,
) -> None:
    mw = build_meeting(world)
    url = reverse("lcgs:meeting-decide", args=[mw.meeting.pk, mw.item.pk, "action"])
    coordinator = client_for(world.coordinator).get(url).content.decode()
    manager = client_for(world.programme_manager).get(url).content.decode()
    assert "Keep safe at home" in coordinator
    assert "Keep safe at home" not in manager
    assert "Ordinaryschoolgoal" in manager


def _with_actions(world: World) -> MeetingWorld:
    """A meeting whose decisions added an ordinary action and one under the family's
    restricted goal."""
    mw = build_meeting(world, police_on_team=True)
    due = timezone.localdate() + datetime.timedelta(days=10)
    for goal, text in ((mw.goal, CONTROL), (mw.restricted_goal, CANARY)):
        services.meeting_decision_record(
            actor=world.coordinator.user,
            item=mw.item,
            decision=services.ActionDecision(
                goal=goal, agency=world.police, description=text, due_on=due
            ),
        )
    assert Action.objects.filter(description=CANARY).exists()
    return mw


def _minutes(client: Client, mw: MeetingWorld, kind: str) -> tuple[int, str]:
    pk = mw.meeting.pk
    if kind == "page":
        response = client.get(reverse("lcgs:meeting-minutes", args=[pk]))
        return response.status_code, response.content.decode()
    if kind == "meeting page":
        response = client.get(reverse("lcgs:meeting-detail", args=[pk]))
        return response.status_code, response.content.decode()
    if kind == "pdf":
        response = client.get(reverse("lcgs:meeting-minutes-pdf", args=[pk]))
        assert response.status_code != 200 or response["Content-Type"] == "application/pdf"
        return response.status_code, pdf_text(
            response.content
        ) if response.status_code == 200 else ""
    response = client.get(f"/api/lcg-meetings/{pk}/")
    return response.status_code, response.content.decode()


# persona -> (answer, sees the restricted action). The coordinator of the family's LCG
# holds the restricted-information permission; the programme manager and the invited
# police practitioner do not; nobody else finds the meeting.
MINUTES_READERS = [
    ("coordinator", 200, True),
    ("programme_manager", 200, False),
    ("practitioner", 200, False),
    ("keyworker", 404, False),
    ("other_coordinator", 404, False),
    ("dpo", 404, False),
]


@pytest.mark.parametrize("kind", ["page", "meeting page", "pdf", "api"])
@pytest.mark.parametrize(("persona", "status", "restricted"), MINUTES_READERS)
def test_minutes_leave_out_restricted_plan_content_for_those_without_the_permission(
    world: World, kind: str, persona: str, status: int, restricted: bool
) -> None:
    mw = _with_actions(world)
    answer, body = _minutes(client_for(getattr(world, persona)), mw, kind)
    assert answer == status
    if status != 200:
        assert CANARY not in body
        return
    assert CONTROL in body
    assert (CANARY in body) == restricted
    if not restricted and kind != "pdf":
        assert HIDDEN_ACTION.split(".")[0] in body


def test_minutes_pdf_after_close_still_leaves_out_the_restricted_action(world: World) -> None:
    mw = _with_actions(world)
    services.meeting_close(actor=world.coordinator.user, meeting=mw.meeting)
    response = client_for(world.practitioner).get(
        reverse("lcgs:meeting-minutes-pdf", args=[mw.meeting.pk])
    )
    text = pdf_text(response.content)
    assert "Minutes of the Winchester LCG meeting" in text
    assert CONTROL in text
    assert CANARY not in text


def test_api_runs_a_meeting(world: World) -> None:
    invite_police(world)
    client = client_for(world.coordinator)
    start = timezone.now() - datetime.timedelta(minutes=1)
    created = client.post(
        "/api/lcg-meetings/",
        {
            "lcg": world.winchester.code,
            "starts_at": start.isoformat(),
            "attendees": [world.practitioner.user.username],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["meeting"]["id"]
    added = client.post(
        f"/api/lcg-meetings/{pk}/agenda/",
        {"reference": world.own_family.reference},
        content_type="application/json",
    )
    assert added.status_code == 201
    item = next(a for a in added.json()["agenda"] if a["reference"] == world.own_family.reference)
    assert sees(world.practitioner, world.own_family)
    refused = client.post(
        f"/api/lcg-meetings/{pk}/decisions/",
        {"item": item["id"], "kind": "status", "to_status": "screened", "reason": "Back"},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert "to_status" in refused.json()
    decided = client.post(
        f"/api/lcg-meetings/{pk}/decisions/",
        {"item": item["id"], "kind": "status", "to_status": "declined", "reason": "No"},
        content_type="application/json",
    )
    assert decided.status_code == 201, decided.content
    assert decided.json()["kind"] == "status"
    closed = client.post(f"/api/lcg-meetings/{pk}/close/", content_type="application/json")
    assert closed.status_code == 200
    assert closed.json()["meeting"]["status"] == "closed"
    assert not sees(world.practitioner, world.own_family)


def test_schema_lists_the_meeting_routes(world: World) -> None:
    paths = set(client_for(world.programme_manager).get("/api/schema/?format=json").json()["paths"])
    assert {
        "/api/lcg-meetings/",
        "/api/lcg-meetings/{id}/",
        "/api/lcg-meetings/{id}/attendees/",
        "/api/lcg-meetings/{id}/agenda/",
        "/api/lcg-meetings/{id}/agenda/{item}/",
        "/api/lcg-meetings/{id}/decisions/",
        "/api/lcg-meetings/{id}/close/",
    } <= paths
