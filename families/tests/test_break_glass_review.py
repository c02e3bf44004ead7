"""The data protection officer's review of one emergency access: who asked, from which
agency, and everything they opened of the family while the access lasted."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from agencies.models import User
from audit.models import AccessAction, AccessEvent
from audit.services import access_event_record
from conftest import World, client_for
from families.access import rules, services
from families.grants_models import BreakGlassAccess
from families.models import Family
from tests.support.html import kept

pytestmark = pytest.mark.django_db

OPENED_AT = datetime.datetime(2025, 6, 10, 9, 0, tzinfo=datetime.UTC)
REASON = "Police called: a child in this family was found alone at night"


def _open(world: World, family: Family) -> BreakGlassAccess:
    with time_machine.travel(OPENED_AT, tick=False):
        return services.break_glass_open(
            actor=world.practitioner.user,
            reference=family.reference,
            category=rules.BreakGlassCategory.RISK_TO_CHILD.value,
            reason=REASON,
        ).access


def _read(user: User, family: Family, what: str, *, hours: float, **kw: Any) -> AccessEvent:
    with time_machine.travel(OPENED_AT + datetime.timedelta(hours=hours), tick=False):
        return access_event_record(
            user=user,
            action=kw.pop("action", AccessAction.VIEW),
            object_type=what,
            object_id=str(family.pk),
            family_id=family.pk,
            family_reference=family.reference,
            **kw,
        )


def _review(world: World, access: BreakGlassAccess, **params: str) -> Any:
    url = reverse("families:break-glass-review", args=[access.pk])
    with time_machine.travel(OPENED_AT + datetime.timedelta(days=2), tick=False):
        return client_for(world.dpo).get(url, params)


def test_the_review_shows_the_requesters_agency(world: World) -> None:
    access = _open(world, world.other_lcg_family)

    response = _review(world, access)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<dt class="govuk-summary-list__key">Agency</dt>' in html
    assert "Hampshire Constabulary" in html  # the practitioner's agency


def test_the_review_lists_what_they_opened_of_the_family_during_the_access(
    world: World,
) -> None:
    family, elsewhere = world.other_lcg_family, world.unassigned_family
    requester = world.practitioner.user
    access = _open(world, family)
    hours = (access.expires_at - access.started_at).total_seconds() / 3600
    before = _read(requester, family, "family", hours=-1)
    plan = _read(requester, family, "plan", hours=0.5)
    notes = _read(requester, family, "case_notes", hours=2, action=AccessAction.API_READ)
    last = _read(requester, family, "chronology", hours=hours)  # the last moment still counts
    after = _read(requester, family, "reviews", hours=hours + 1)
    other_family = _read(requester, elsewhere, "plan", hours=1)
    someone_else = _read(world.keyworker.user, family, "plan_versions", hours=1)

    response = _review(world, access)

    shown = [event.pk for event in response.context["opened_page"]]
    assert shown == [last.pk, notes.pk, plan.pk]
    html = response.content.decode()
    # In words, with the family's name: the data protection officer may see every family.
    assert f"Plan for Brook family, {kept(family.reference)}" in html
    assert f"Case notes for Brook family, {kept(family.reference)}" in html
    assert "Read through the API" in html
    for hidden in (before, after, other_family, someone_else):
        assert hidden.pk not in shown


def test_the_review_says_when_nothing_was_opened(world: World) -> None:
    access = _open(world, world.other_lcg_family)

    html = _review(world, access).content.decode()

    assert "they have not opened anything of" in html
    assert response_table_absent(html)


def test_reading_the_review_is_itself_recorded(world: World) -> None:
    access = _open(world, world.other_lcg_family)

    _review(world, access)

    event = AccessEvent.objects.get(user=world.dpo.user)
    assert (event.action, event.object_type) == (AccessAction.VIEW, "user_activity")
    assert event.object_id == str(world.practitioner.user_id)
    assert event.family_id == world.other_lcg_family.pk
    assert event.detail == {"break_glass_access": access.pk, "page": 1}


def test_the_review_list_shows_each_requesters_agency(world: World) -> None:
    _open(world, world.other_lcg_family)

    html = client_for(world.dpo).get(reverse("families:break-glass-review-list")).content.decode()

    assert "Hampshire Constabulary" in html


def response_table_absent(html: str) -> bool:
    return "<table" not in html
