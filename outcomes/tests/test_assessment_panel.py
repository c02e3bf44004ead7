"""The family page's "Eligibility under ..." panel: criteria, reasons and evidence dates,
restricted findings withheld from those who may not see them, constant queries."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.services import system_actor
from conftest import World, client_for
from families.models import Family, Person
from outcomes.assessment import services
from tests.factories import MembershipFactory
from tests.support.assessment import evidence_add


def _assess(family: Family) -> None:
    services.assessment_families_run(
        actor=system_actor(), family_ids=[family.pk], as_of=datetime.date.today()
    )


def _page(world: World, who: str, family: Family | None = None) -> str:
    family = family or world.own_family
    response = client_for(getattr(world, who)).get(
        reverse("families:detail", args=[family.reference])
    )
    assert response.status_code == 200
    return response.content.decode()


def _parent(world: World) -> Person:
    return world.own_family.memberships.get(role="parent_carer").person


@pytest.fixture
def assessed(world: World) -> World:
    """own_family: a parent with an eviction (open) and a domestic abuse incident
    (restricted), and a child; assessed under sf2022."""
    today = datetime.date.today()
    MembershipFactory(
        family=world.own_family,
        person__given_name="Robin",
        person__date_of_birth=today.replace(year=today.year - 9),
        role="child",
    )
    evidence_add(_parent(world), "housing", today - datetime.timedelta(days=30), event="eviction")
    evidence_add(
        _parent(world),
        "domestic_abuse",
        today - datetime.timedelta(days=40),
        role="victim",
        marac=True,
    )
    _assess(world.own_family)
    return world


def test_not_assessed_family_shows_an_empty_state(world: World) -> None:
    html = _page(world, "keyworker")

    assert "Eligibility under Supporting Families (2022)" in html
    assert "Not assessed yet." in html


def test_panel_shows_each_criterion_its_reasons_and_evidence_dates(assessed: World) -> None:
    html = _page(assessed, "keyworker")

    evicted = (datetime.date.today() - datetime.timedelta(days=30)).strftime("%-d %B %Y")
    assert "Eligibility under Supporting Families (2022)" in html
    assert "Not eligible: needs under 2 of 10 headlines (at least 3 needed)." in html
    assert "Secure housing" in html
    assert f"eviction on {evicted}" in html
    assert f"Housing, {evicted} (TEST-FEEDS agency)" in html
    assert "What was looked for" in html


def test_lead_professional_sees_restricted_findings(assessed: World) -> None:
    html = _page(assessed, "keyworker")

    assert "was involved in a domestic abuse incident" in html
    assert "Met (restricted information)" not in html


@pytest.mark.parametrize("who", ["programme_manager", "auditor"])
def test_restricted_findings_are_withheld_from_roles_without_restricted_access(
    assessed: World, who: str
) -> None:
    html = _page(assessed, who)

    assert "Met (restricted information)" in html
    assert "domestic abuse incident" not in html
    assert "Domestic abuse, " not in html
    # The open finding is still shown in full.
    assert "eviction on" in html


def test_panel_queries_do_not_grow_with_criteria_or_evidence(assessed: World) -> None:
    client = client_for(assessed.keyworker)
    url = reverse("families:detail", args=[assessed.own_family.reference])
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for days in range(50, 60):
        evidence_add(
            _parent(assessed),
            "police_callouts",
            datetime.date.today() - datetime.timedelta(days=days),
            category="welfare",
        )
    evidence_add(
        _parent(assessed),
        "benefits",
        datetime.date.today() - datetime.timedelta(days=90),
        benefit="JSA",
    )
    _assess(assessed.own_family)

    with CaptureQueriesContext(connection) as after:
        html = client.get(url).content.decode()

    assert "The household had 10 police call-outs" in html
    assert len(after) == len(before)
