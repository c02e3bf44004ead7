"""Who may use each plan page: an authorisation matrix per route, and proof that a
refused request changes nothing.

The rules (plans.plan.access): anyone who can see the family sees the plan (404
outside scope, 403 for accounts without case roles); the lead professional and the
LCG's coordinators change it; a case worker of the action's agency updates that
action's progress. Programme managers see plans but do not write them: they oversee
the programme, while the plan belongs to the family and the team around it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import World, client_for
from families.grants_models import TeamMember
from plans.models import Action, ActionProgressNote, Goal, Need, Plan, PlanVersion
from plans.plan import services
from plans.tests.test_plan_support import PlanWorld, started_plan

PERSONAS = (
    "anonymous",
    "other_practitioner",
    "practitioner",
    "keyworker",
    "coordinator",
    "other_coordinator",
    "programme_manager",
    "sysadmin",
)
SIGN_IN = 302
VIEW = {
    "anonymous": SIGN_IN,
    "other_practitioner": 404,
    "practitioner": 200,
    "keyworker": 200,
    "coordinator": 200,
    "other_coordinator": 404,
    "programme_manager": 200,
    "sysadmin": 403,
}
EDIT = {**VIEW, "practitioner": 403, "programme_manager": 403}
PROGRESS = {**EDIT, "practitioner": 200}


def _client(world: World, persona: str) -> Client:
    if persona == "anonymous":
        return Client()
    return client_for(getattr(world, persona))


Args = Callable[[PlanWorld], list[Any]]

ROUTES: list[tuple[str, Args, dict[str, int]]] = [
    ("plan", lambda s: [], VIEW),
    ("plan-versions", lambda s: [], VIEW),
    ("plan-voice", lambda s: [], EDIT),
    ("need-add", lambda s: [], EDIT),
    ("need-edit", lambda s: [s.education.pk], EDIT),
    ("goal-add", lambda s: [], EDIT),
    ("goal-edit", lambda s: [s.goal.pk], EDIT),
    ("action-add", lambda s: [s.goal.pk], EDIT),
    ("action-edit", lambda s: [s.police_action.pk], EDIT),
    ("action-progress", lambda s: [s.police_action.pk], PROGRESS),
]


@pytest.mark.parametrize(("name", "args", "expected"), ROUTES, ids=[r[0] for r in ROUTES])
def test_who_may_open_each_page(
    world: World, name: str, args: Args, expected: dict[str, int]
) -> None:
    setup = started_plan(world)
    url = reverse(f"plans:{name}", args=[world.own_family.reference, *args(setup)])

    got = {persona: _client(world, persona).get(url).status_code for persona in PERSONAS}

    assert got == expected


def test_who_may_compare_versions(world: World) -> None:
    started_plan(world)
    url = reverse("plans:plan-compare", args=[world.own_family.reference]) + "?older=1&newer=2"

    got = {persona: _client(world, persona).get(url).status_code for persona in PERSONAS}

    assert got == VIEW


def test_a_practitioner_cannot_update_another_agencys_action(world: World) -> None:
    setup = started_plan(world)
    school_action = services.action_create(
        actor=world.keyworker.user,
        goal=setup.goal,
        description="School attendance calls",
        owner="agency",
        agency=world.other_practitioner.agency,
        due_on=timezone.localdate() + datetime.timedelta(days=3),
    )
    url = reverse("plans:action-progress", args=[world.own_family.reference, school_action.pk])

    police = client_for(world.practitioner).post(url, {"version": "1", "status": "done"})
    school = client_for(world.other_practitioner).get(url)

    assert police.status_code == 403
    assert Action.objects.get(pk=school_action.pk).status == "not_started"
    # Adding the school's action put the school on the team: its practitioner may update it.
    assert school.status_code == 200


def test_a_family_outside_scope_answers_404_even_for_a_plan_that_exists(world: World) -> None:
    services.plan_get_or_create(actor=world.other_coordinator.user, family=world.other_lcg_family)
    url = reverse("plans:plan", args=[world.other_lcg_family.reference])

    assert client_for(world.coordinator).get(url).status_code == 404
    assert client_for(world.other_coordinator).get(url).status_code == 200


def _fingerprint(world: World) -> tuple[Any, ...]:
    plan = Plan.objects.get(family=world.own_family)
    return (
        plan.version,
        plan.working_well,
        PlanVersion.objects.count(),
        list(Need.objects.order_by("pk").values_list("label", "detail", "closed_on")),
        list(Goal.objects.order_by("pk").values_list("title", "version")),
        list(Action.objects.order_by("pk").values_list("description", "status", "version")),
        ActionProgressNote.objects.count(),
        TeamMember.objects.count(),
    )


def _posts(world: World, setup: PlanWorld) -> list[tuple[str, list[Any], dict[str, Any]]]:
    due = timezone.localdate() + datetime.timedelta(days=9)
    date = {"due_on_day": due.day, "due_on_month": due.month, "due_on_year": due.year}
    action = {
        "description": "Changed",
        "owner": "agency",
        "agency": world.other_practitioner.agency_id,
        **date,
    }
    return [
        (
            "plan-voice",
            [],
            {"version": setup.plan.version, "working_well": "Changed", "worries": ""},
        ),
        ("need-add", [], {"kind": "housing", "label": "Damp"}),
        (
            "need-edit",
            [setup.education.pk],
            {"version": setup.plan.version, "detail": "Changed", "is_closed": "on"},
        ),
        ("goal-add", [], {"title": "New goal"}),
        ("goal-edit", [setup.goal.pk], {"version": 1, "title": "Changed", "status": "open"}),
        ("action-add", [setup.goal.pk], action),
        (
            "action-edit",
            [setup.police_action.pk],
            {**action, "version": 1, "goal": setup.goal.pk},
        ),
        (
            "action-progress",
            [setup.police_action.pk],
            {"version": 1, "status": "done", "note": "Done"},
        ),
    ]


def test_refused_posts_change_nothing(world: World) -> None:
    setup = started_plan(world)
    before = _fingerprint(world)
    refused: dict[tuple[str, str], int] = {}

    for name, args, data in _posts(world, setup):
        url = reverse(f"plans:{name}", args=[world.own_family.reference, *args])
        expected = PROGRESS if name == "action-progress" else EDIT
        for persona, code in expected.items():
            if code == 200:
                continue
            refused[(name, persona)] = _client(world, persona).post(url, data).status_code
            assert refused[(name, persona)] == code, (name, persona)

    assert _fingerprint(world) == before
    # Seven edit routes refuse six personas each; progress refuses five.
    assert len(refused) == 7 * 6 + 5


def test_the_allowed_posts_do_change_the_plan(world: World) -> None:
    # The counterpart of the test above: the same requests from the lead professional
    # succeed, so the refusals there are about who asked, not about the data.
    setup = started_plan(world)

    for name, args, data in _posts(world, setup):
        url = reverse(f"plans:{name}", args=[world.own_family.reference, *args])
        if name in ("plan-voice", "need-edit"):
            data = {**data, "version": Plan.objects.get(pk=setup.plan.pk).version}
        if name in ("action-edit", "action-progress"):
            data = {**data, "version": Action.objects.get(pk=setup.police_action.pk).version}
        response = client_for(world.keyworker).post(url, data)
        assert response.status_code == 302, (name, response.content.decode()[:2000])

    # Eight saves; the progress update saves a status and a note, so nine versions.
    assert Plan.objects.get(pk=setup.plan.pk).version == setup.plan.version + 9


def test_refused_plan_start_creates_nothing(world: World) -> None:
    url = reverse("plans:plan-start", args=[world.own_family.reference])

    codes = {
        persona: _client(world, persona).post(url).status_code
        for persona in PERSONAS
        if EDIT[persona] != 200
    }

    assert codes == {
        "anonymous": SIGN_IN,
        "other_practitioner": 404,
        "practitioner": 404,  # not on the team yet: nothing shares the family with police
        "other_coordinator": 404,
        "programme_manager": 403,
        "sysadmin": 403,
    }
    assert not Plan.objects.exists()
