"""Key workers' caseloads for choosing a lead (lcgs.allocation.selectors): what counts,
who is listed, and one query however many there are."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from agencies.roles import Role
from conftest import World
from families.states import FamilyStatus
from lcgs.allocation.selectors import key_workers_with_caseload
from lcgs.tests.allocation_support import action_naming
from plans.models import ActionStatus
from tests.factories import FamilyFactory, StaffFactory

pytestmark = pytest.mark.django_db

S = FamilyStatus


def _loads(world: World) -> dict[str, tuple[int, int, int]]:
    rows = key_workers_with_caseload(agency_ids=[world.council.pk], today=timezone.localdate())
    return {
        row.staff.user.username: (row.families_led, row.open_actions, row.overdue_actions)
        for row in rows
    }


def test_families_led_count_open_families_only(world: World) -> None:
    # own_family (identified) is led by the keyworker already.
    for status in (S.ALLOCATED, S.ENGAGED, S.PLAN_ACTIVE, S.CLAIMED):
        FamilyFactory(status=status, lead_agency=world.council, lead_professional=world.keyworker)
    for status in (S.CLOSED, S.DECLINED, S.MOVED_AWAY, S.CLOSED_NO_OUTCOME):
        FamilyFactory(status=status, lead_agency=world.council, lead_professional=world.keyworker)

    assert _loads(world)["keyworker"][0] == 5
    assert _loads(world)["other-keyworker"][0] == 0


def test_open_and_overdue_actions_count_those_naming_the_person(world: World) -> None:
    today = timezone.localdate()
    past, future = today - datetime.timedelta(days=1), today + datetime.timedelta(days=7)
    worker = world.other_keyworker
    action_naming(worker, due_on=past)
    action_naming(worker, due_on=past, status=ActionStatus.IN_PROGRESS)
    action_naming(worker, due_on=today)  # due today is not overdue
    action_naming(worker, due_on=future)
    action_naming(worker, due_on=past, status=ActionStatus.DONE)
    action_naming(worker, due_on=past, status=ActionStatus.NOT_DONE)

    assert _loads(world)["other-keyworker"] == (0, 4, 2)


def test_only_active_people_who_can_lead_are_listed_by_surname(world: World) -> None:
    StaffFactory(agency=world.council, user__username="gone", user__is_active=False)
    StaffFactory(
        agency=world.council,
        user__username="aaron",
        user__last_name="Aardvark",
        roles=[Role.AGENCY_PRACTITIONER.value],
    )
    rows = key_workers_with_caseload(agency_ids=[world.council.pk], today=timezone.localdate())

    names = [row.staff.user.username for row in rows]
    # Coordinators, managers, auditors and the rest of the council do not lead families.
    assert set(names) == {"keyworker", "other-keyworker", "aaron"}
    assert names[0] == "aaron"
    assert key_workers_with_caseload(agency_ids=[], today=timezone.localdate()) == []


def test_several_agencies_at_once(world: World) -> None:
    rows = key_workers_with_caseload(
        agency_ids=[world.council.pk, world.police.pk], today=timezone.localdate()
    )

    assert {row.staff.agency.code for row in rows} == {"HCC-EH", "POLICE"}


@pytest.mark.parametrize("extra", [0, 12])
def test_the_caseloads_take_one_query_however_many_people(
    world: World, django_assert_num_queries: Any, extra: int
) -> None:
    today = timezone.localdate()
    for n in range(extra):
        staff = StaffFactory(agency=world.council, user__username=f"worker{n}")
        FamilyFactory(status=S.ALLOCATED, lead_agency=world.council, lead_professional=staff)
        action_naming(staff, due_on=today - datetime.timedelta(days=1))

    with django_assert_num_queries(1):
        rows = key_workers_with_caseload(agency_ids=[world.council.pk], today=today)
        # Everything a row shows is loaded: the name and the agency too.
        summaries = [(r.staff.display_name, r.staff.agency.name, r.summary) for r in rows]

    assert len(summaries) == 2 + extra


@pytest.mark.parametrize(
    ("led", "open_", "overdue", "words"),
    [
        (0, 0, 0, "Leads 0 open families; 0 open actions"),
        (1, 1, 0, "Leads 1 open family; 1 open action"),
        (3, 5, 2, "Leads 3 open families; 5 open actions, 2 overdue"),
    ],
)
def test_the_caseload_in_words(
    world: World, led: int, open_: int, overdue: int, words: str
) -> None:
    from lcgs.allocation.selectors import KeyWorkerCaseload

    assert KeyWorkerCaseload(world.keyworker, led, open_, overdue).summary == words
