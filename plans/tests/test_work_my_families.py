"""My families: what needs a key worker's (or coordinator's) attention, computed in SQL."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from agencies.models import Staff
from agencies.services import system_actor
from audit.models import AccessEvent
from conftest import World, client_for
from families.access.grants import grants_sync
from families.models import Family
from families.states import FamilyStatus
from plans.models import GoalStatus, Plan, PlanStatus
from plans.tests.test_work_support import (
    make_action,
    make_agreement,
    make_goal,
    make_need,
    make_plan,
    make_plan_version,
    make_progress_note,
    make_review,
)
from plans.work.forms import KEY_WORKER_OUTSIDE_SCOPE
from plans.work.selectors import attention_family_list_for_user, family_attention_flags
from tests.factories import FamilyFactory, MembershipFactory, StaffFactory

URL = "/my-families/"
API = "/api/my-families/"
NOW = datetime.datetime(2026, 3, 10, 9, 0, tzinfo=datetime.UTC)
TODAY = NOW.date()
LONG_AGO = NOW - datetime.timedelta(weeks=8)
RECENTLY = NOW - datetime.timedelta(days=3)


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def led_family(world: World, lead: Staff, *, lcg: object = None) -> Family:
    family = FamilyFactory(
        lcg=lcg or world.winchester,
        lead_agency=lead.agency,
        lead_professional=lead,
        status=FamilyStatus.PLAN_ACTIVE,
    )
    MembershipFactory(family=family)
    grants_sync(actor=system_actor(), family_ids=[family.pk])
    return family


def agreed_plan(family: Family, *, next_review_on: datetime.date | None = None) -> Plan:
    plan = make_plan(
        family,
        status=PlanStatus.AGREED,
        version=2,
        next_review_on=next_review_on or days(30),
        at=RECENTLY,
    )
    make_agreement(plan, version=2, on=RECENTLY.date())
    return plan


@dataclass
class Caseload:
    world: World
    troubled: Family  # every flag
    calm: Family  # none
    no_plan: Family
    changed: Family
    colleague: Family  # led by other_keyworker, Winchester
    havant: Family  # led by a Havant key worker
    havant_keyworker: Staff


@pytest.fixture
def caseload(world: World) -> Caseload:
    w = world
    troubled = w.own_family
    person = troubled.memberships.get().person
    plan = make_plan(troubled, next_review_on=days(-2), at=LONG_AGO)
    goal = make_goal(plan, at=LONG_AGO)
    make_action(goal, agency=w.council, due_on=days(-10), at=LONG_AGO)
    make_action(goal, due_on=days(-1), at=LONG_AGO)  # a family commitment counts too
    make_action(goal, agency=w.council, due_on=days(5), at=LONG_AGO)  # not yet due
    make_need(troubled, code="education", members=(person,))

    calm = led_family(w, w.keyworker)
    calm_plan = agreed_plan(calm)
    make_action(make_goal(calm_plan), agency=w.council, due_on=days(3))

    no_plan = led_family(w, w.keyworker)

    changed = led_family(w, w.keyworker)
    changed_plan = agreed_plan(changed)
    # Changed since agreed: what plans.plan.services.plan_change_record leaves when a
    # save changes what the family agreed (a save that only works the plan leaves it
    # agreed: plans/tests/test_plan_agreement.py).
    Plan.objects.filter(pk=changed_plan.pk).update(version=3, status=PlanStatus.DRAFT)

    colleague = led_family(w, w.other_keyworker)
    agreed_plan(colleague)
    havant_keyworker = StaffFactory(agency=w.council, user__username="havant-keyworker")
    havant = led_family(w, havant_keyworker, lcg=w.havant)
    return Caseload(w, troubled, calm, no_plan, changed, colleague, havant, havant_keyworker)


def _flags(user: object, family: Family) -> list[str]:
    row = attention_family_list_for_user(user, today=TODAY, now=NOW).get(pk=family.pk)
    return [flag.text for flag in family_attention_flags(row, today=TODAY, now=NOW)]


def test_key_worker_sees_their_families_most_attention_first(caseload: Caseload) -> None:
    c = caseload
    response = client_for(c.world.keyworker).get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    positions = [html.index(f.reference) for f in (c.troubled, c.no_plan, c.calm)]
    assert positions == sorted(positions)
    assert c.changed.reference in html
    assert c.colleague.reference not in html
    assert c.havant.reference not in html
    for words in (
        "2 overdue actions",
        "Review overdue since 8 March 2026",
        "Plan not agreed",
        "No progress since 13 January 2026",
        "1 need without a goal",
        "No plan yet",
        "Plan changed since agreed",
        "Nothing needs attention",
    ):
        assert words in html, words
    assert '<strong class="govuk-tag govuk-tag--red">2 overdue actions</strong>' in html


def test_sql_score_matches_the_flags_in_words(caseload: Caseload) -> None:
    rows = list(attention_family_list_for_user(caseload.world.keyworker.user, today=TODAY, now=NOW))

    assert [r.attention for r in rows] == [
        len(family_attention_flags(r, today=TODAY, now=NOW)) for r in rows
    ]
    assert rows[0].pk == caseload.troubled.pk
    assert rows[0].attention == 5


@pytest.mark.parametrize(
    ("next_review", "expected"),
    [
        (-1, ["Review overdue since 9 March 2026"]),
        (0, ["Review due 10 March 2026"]),
        (7, ["Review due 17 March 2026"]),
        (8, []),
    ],
)
def test_review_due_within_a_week_or_overdue(
    world: World, next_review: int, expected: list[str]
) -> None:
    family = led_family(world, world.keyworker)
    agreed_plan(family, next_review_on=days(next_review))

    assert _flags(world.keyworker.user, family) == expected


def _note(plan: Plan) -> None:
    goal = make_goal(plan, at=LONG_AGO)
    make_progress_note(make_action(goal, agency=None, due_on=days(9), at=LONG_AGO), at=RECENTLY)


def _review(plan: Plan) -> None:
    make_review(plan, held_on=RECENTLY.date(), next_on=days(60), at=RECENTLY)


def _version(plan: Plan) -> None:
    make_plan_version(plan, number=2, at=RECENTLY)


def _action_update(plan: Plan) -> None:
    make_action(make_goal(plan, at=LONG_AGO), due_on=days(9), at=RECENTLY)


@pytest.mark.parametrize("activity", [None, _note, _review, _version, _action_update])
def test_drift_is_no_progress_of_any_kind_for_six_weeks(
    world: World, activity: Callable[[Plan], None] | None
) -> None:
    family = led_family(world, world.keyworker)
    plan = make_plan(family, status=PlanStatus.AGREED, next_review_on=days(60), at=LONG_AGO)
    make_agreement(plan, version=1, on=LONG_AGO.date())
    if activity is not None:
        activity(plan)

    flags = _flags(world.keyworker.user, family)

    assert flags == (["No progress since 13 January 2026"] if activity is None else [])


def test_drift_weeks_come_from_settings(world: World, settings: object) -> None:
    family = led_family(world, world.keyworker)
    plan = make_plan(family, status=PlanStatus.AGREED, next_review_on=days(60), at=LONG_AGO)
    make_agreement(plan, version=1, on=LONG_AGO.date())

    settings.ONEPLAN_DRIFT_WEEKS = 9

    assert _flags(world.keyworker.user, family) == []


@pytest.mark.parametrize(
    ("case", "flagged"),
    [
        ("open goal covers it", False),
        ("only an achieved goal", True),
        ("no goal", True),
        ("no members named", False),
        ("need closed", False),
    ],
)
def test_need_with_members_and_no_open_goal(world: World, case: str, flagged: bool) -> None:
    family = led_family(world, world.keyworker)
    person = family.memberships.get().person
    plan = agreed_plan(family)
    need = make_need(
        family,
        members=() if case == "no members named" else (person,),
        closed_on=days(-1) if case == "need closed" else None,
    )
    if case == "open goal covers it":
        make_goal(plan, needs=(need,))
    if case == "only an achieved goal":
        make_goal(plan, needs=(need,), status=GoalStatus.ACHIEVED)

    flags = _flags(world.keyworker.user, family)

    assert (flags == ["1 need without a goal"]) is flagged
    assert flags in ([], ["1 need without a goal"])


def test_changed_since_agreed_and_draft_after_agreement(world: World) -> None:
    family = led_family(world, world.keyworker)
    plan = agreed_plan(family)
    assert _flags(world.keyworker.user, family) == []

    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.DRAFT, version=3)

    assert _flags(world.keyworker.user, family) == ["Plan changed since agreed"]


def test_closed_families_are_not_listed(caseload: Caseload) -> None:
    Family.objects.filter(pk=caseload.calm.pk).update(status=FamilyStatus.CLOSED)

    html = client_for(caseload.world.keyworker).get(URL).content.decode()

    assert caseload.calm.reference not in html


def test_needs_attention_only_filter(caseload: Caseload) -> None:
    html = client_for(caseload.world.keyworker).get(URL, {"attention": "on"}).content.decode()

    assert caseload.troubled.reference in html
    assert caseload.calm.reference not in html
    # What was chosen is shown again.
    assert re.search(r'<input[^>]*name="attention"[^>]*checked', html)


def test_empty_state_for_a_key_worker_with_no_families(world: World) -> None:
    html = client_for(world.other_practitioner).get(URL).content.decode()

    assert "You have no families yet" in html


# --- Coordinators ------------------------------------------------------------


def test_coordinator_sees_their_lcg_and_filters_by_key_worker(caseload: Caseload) -> None:
    c = caseload
    client = client_for(c.world.coordinator)

    everyone = client.get(URL).content.decode()
    one = client.get(URL, {"key_worker": c.world.other_keyworker.pk}).content.decode()

    for family in (c.troubled, c.calm, c.colleague):
        assert family.reference in everyone
    assert c.havant.reference not in everyone
    # The choice offers the LCG's lead professionals only.
    assert f'value="{c.world.other_keyworker.pk}"' in everyone
    assert f'value="{c.havant_keyworker.pk}"' not in everyone
    assert c.colleague.reference in one
    assert c.troubled.reference not in one


def test_coordinator_cannot_filter_to_a_key_worker_outside_their_lcg(
    caseload: Caseload,
) -> None:
    c = caseload
    client = client_for(c.world.other_coordinator)
    before = AccessEvent.objects.count()

    page = client.get(URL, {"key_worker": c.world.keyworker.pk})
    api = client.get(API, {"key_worker": c.world.keyworker.pk})

    html = page.content.decode()
    assert page.status_code == 400
    assert "Select a key worker who leads families in an LCG you coordinate" in html
    assert c.troubled.reference not in html
    assert api.status_code == 400
    assert api.json() == {
        "key_worker": ["Select a key worker who leads families in an LCG you coordinate"]
    }
    assert AccessEvent.objects.count() == before


def test_key_worker_filter_on_the_api_is_for_coordinators_only(caseload: Caseload) -> None:
    response = client_for(caseload.world.keyworker).get(
        API, {"key_worker": caseload.world.keyworker.pk}
    )

    assert response.status_code == 400


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"attention": "maybe"}, "attention", "Enter true or false"),
        ({"key_worker": "someone"}, "key_worker", KEY_WORKER_OUTSIDE_SCOPE),
        ({"key_worker": "-1"}, "key_worker", KEY_WORKER_OUTSIDE_SCOPE),
    ],
)
def test_api_refuses_a_bad_filter_naming_it_and_records_nothing(
    caseload: Caseload, params: dict[str, str], field: str, message: str
) -> None:
    before = AccessEvent.objects.count()

    response = client_for(caseload.world.coordinator).get(API, params)

    assert response.status_code == 400
    assert response.json() == {field: [message]}
    assert AccessEvent.objects.count() == before


def test_api_attention_false_is_the_whole_list(caseload: Caseload) -> None:
    client = client_for(caseload.world.keyworker)

    everything = client.get(API).json()
    not_only = client.get(API, {"attention": "false"}).json()

    assert not_only["results"] == everything["results"]
    assert caseload.calm.reference in {r["reference"] for r in not_only["results"]}


# --- API ---------------------------------------------------------------------


def test_api_gives_the_same_flags_and_order(caseload: Caseload) -> None:
    body = client_for(caseload.world.keyworker).get(API).json()

    first = body["results"][0]
    assert first["reference"] == caseload.troubled.reference
    assert first["overdue_actions"] == 2
    assert first["plan_state"] == "draft"
    assert first["needs_without_goal"] == 1
    assert first["next_review_on"] == "2026-03-08"
    assert first["attention"] == 5
    assert [f["key"] for f in first["flags"]] == [
        "overdue_actions",
        "review",
        "plan",
        "drift",
        "needs_without_goal",
    ]
    by_ref = {row["reference"]: row for row in body["results"]}
    assert by_ref[caseload.calm.reference]["flags"] == []
    assert by_ref[caseload.no_plan.reference]["plan_state"] == "none"
    attention_only = client_for(caseload.world.keyworker).get(API, {"attention": "true"}).json()
    assert caseload.calm.reference not in {r["reference"] for r in attention_only["results"]}


# --- Query count -------------------------------------------------------------


def _busy(world: World, n: int) -> None:
    for _ in range(n):
        family = led_family(world, world.keyworker)
        plan = make_plan(family, next_review_on=days(1))
        goal = make_goal(plan)
        make_action(goal, agency=world.council, due_on=days(-1))
        make_need(family, members=(family.memberships.get().person,))


@pytest.mark.parametrize(("persona", "path"), [("keyworker", URL), ("coordinator", URL)])
def test_page_query_count_is_the_same_for_2_or_50_families(
    world: World, django_assert_num_queries: object, persona: str, path: str
) -> None:
    _busy(world, 1)  # with own_family: 2
    client = client_for(getattr(world, persona))
    client.get(path)
    # User, staff, key worker choices (coordinators), count, page, access event, the
    # header's agency, the session save with its savepoint.
    expected = 10 if persona == "coordinator" else 9
    with django_assert_num_queries(expected):  # type: ignore[operator]
        assert client.get(path).status_code == 200
    _busy(world, 48)
    with django_assert_num_queries(expected):  # type: ignore[operator]
        response = client.get(path)
    assert response.content.decode().count("overdue action") >= 49


def test_api_query_count_is_the_same_for_2_or_50_families(
    world: World, django_assert_num_queries: object
) -> None:
    _busy(world, 1)
    client = client_for(world.keyworker)
    client.get(API)
    with django_assert_num_queries(8):  # type: ignore[operator]
        assert client.get(API).status_code == 200
    _busy(world, 48)
    with django_assert_num_queries(8):  # type: ignore[operator]
        assert len(client.get(API).json()["results"]) == 50


# --- Who may use it ----------------------------------------------------------


def test_anonymous_is_sent_to_sign_in_and_the_api_refuses(caseload: Caseload) -> None:
    before = AccessEvent.objects.count()

    page = Client().get(URL)
    api = Client().get(API)

    assert page.status_code == 302
    assert page["Location"].startswith(reverse("login"))
    assert api.status_code == 403
    assert AccessEvent.objects.count() == before


@pytest.mark.parametrize("persona", ["sysadmin", "programme_manager", "auditor", "dpo"])
def test_roles_without_families_to_lead_are_refused(caseload: Caseload, persona: str) -> None:
    client = client_for(getattr(caseload.world, persona))
    before = AccessEvent.objects.count()

    page = client.get(URL)
    api = client.get(API)

    assert page.status_code == 403
    assert api.status_code == 403
    assert caseload.troubled.reference not in page.content.decode()
    assert AccessEvent.objects.count() == before


def test_a_key_worker_never_sees_a_colleagues_families(caseload: Caseload) -> None:
    page = client_for(caseload.world.other_keyworker).get(URL).content.decode()
    api = client_for(caseload.world.other_keyworker).get(API).json()

    assert caseload.colleague.reference in page
    assert caseload.troubled.reference not in page
    assert [r["reference"] for r in api["results"]] == [caseload.colleague.reference]


def test_the_list_is_recorded_as_seen(caseload: Caseload) -> None:
    client_for(caseload.world.keyworker).get(URL)

    event = AccessEvent.objects.order_by("-pk").first()
    assert event is not None
    assert event.user_id == caseload.world.keyworker.user_id
    assert set(event.detail["families"]) == {
        caseload.troubled.pk,
        caseload.calm.pk,
        caseload.no_plan.pk,
        caseload.changed.pk,
    }
