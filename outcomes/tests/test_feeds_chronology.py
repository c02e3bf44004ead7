"""Agency evidence appears in the family's chronology, restricted kinds hidden."""

from __future__ import annotations

import datetime

import pytest

from conftest import World
from plans.review.chronology import chronology_for_user
from tests.support.assessment import evidence_add


def _member(world: World):
    return world.own_family.memberships.select_related("person").first().person


@pytest.mark.django_db
def test_new_evidence_is_in_the_chronology_with_who_sent_it(world: World) -> None:
    person = _member(world)
    evidence_add(
        person,
        "school_attendance",
        "2025-09-01",
        "2025-12-31",
        academic_year="2025/26",
        term="autumn",
        possible_sessions=100,
        unauthorised_absence_sessions=18,
        authorised_absence_sessions=0,
    )

    entries = chronology_for_user(world.keyworker.user, world.own_family, kinds=["evidence"])

    assert len(entries) == 1
    assert entries[0].title == f"School attendance: {person.full_name}"
    assert entries[0].detail == "Autumn 2025/26: 18.0% unauthorised absence"
    assert entries[0].who == "TEST-FEEDS agency"


@pytest.mark.django_db
def test_restricted_evidence_is_hidden_from_agency_practitioners(world: World) -> None:
    person = _member(world)
    evidence_add(person, "domestic_abuse", "2025-10-01", incident_date="2025-10-01", role="victim")

    lead = chronology_for_user(world.keyworker.user, world.own_family, kinds=["evidence"])
    # The coordinator may see restricted information; a team practitioner may not.
    coordinator = chronology_for_user(world.coordinator.user, world.own_family, kinds=["evidence"])
    practitioner = chronology_for_user(
        world.practitioner.user, world.own_family, kinds=["evidence"]
    )

    assert [e.is_restricted for e in lead] == [True]
    assert len(coordinator) == 1
    assert practitioner == []


@pytest.mark.django_db
def test_the_date_filter_applies_to_evidence(world: World) -> None:
    person = _member(world)
    evidence_add(person, "housing", "2025-01-10", event_date="2025-01-10", event="rent_arrears")
    evidence_add(person, "housing", "2025-06-10", event_date="2025-06-10", event="eviction")

    entries = chronology_for_user(
        world.keyworker.user,
        world.own_family,
        kinds=["evidence"],
        since=datetime.date(2025, 3, 1),
    )

    assert [e.detail for e in entries] == ["eviction"]
