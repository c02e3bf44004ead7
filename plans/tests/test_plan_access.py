"""Who may use each plan page, beyond the authorisation table: actions of another
agency, families outside scope, and the allowed counterpart of the refused posts.

The table itself, each page as each persona with proof that a refused request changes
nothing, is plans/tests/matrix.py, asked by tests/test_permission_matrix.py.
"""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from conftest import World, client_for
from plans.models import Action, Plan
from plans.plan import services
from plans.tests.matrix import PLAN_PAGES, PlanMatrixWorld
from plans.tests.test_plan_support import started_plan


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


def test_the_allowed_posts_do_change_the_plan(world: World) -> None:
    # The counterpart of the refused posts in plans/tests/matrix.py: the same requests
    # from the lead professional succeed, so the refusals are about who asked, not the data.
    setup = started_plan(world)
    w = PlanMatrixWorld(world, setup)
    posts = [case for case in PLAN_PAGES.cases if case.method == "post"]

    for case in posts:
        data = case.data(w)
        if case.name in ("plan-voice", "need-edit"):
            data = {**data, "version": Plan.objects.get(pk=setup.plan.pk).version}
        if case.name in ("action-edit", "action-progress"):
            data = {**data, "version": Action.objects.get(pk=setup.police_action.pk).version}
        response = client_for(world.keyworker).post(case.url(w), data)
        assert response.status_code == 302, (case.name, response.content.decode()[:2000])

    assert len(posts) == 8

    # Eight saves; the progress update saves a status and a note, so nine versions.
    assert Plan.objects.get(pk=setup.plan.pk).version == setup.plan.version + 9
