"""One access check per request: what saving one action costs in SQL statements.

The counts are pinned exactly, so a change that adds a statement (a second grant lookup,
a re-read of the action, a second lock of the plan) fails here and says what it costs.
"""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import World, client_for
from families.access.perms import VIEW
from plans.models import Action, ActionProgressNote, PlanVersion
from plans.plan import services
from plans.tests.test_plan_support import started_plan

# PATCH /api/plan-actions/{id}/ by the lead professional, changing only the status:
#   1-2   the signed-in user and their staff profile (authentication, role check)
#   3     the action with its plan, family, goal and who does it, scoped to the user
#   4     the user's grants on the family (their permissions, asked once)
#   5     savepoint of the service's transaction
#   6     the plan row locked (the only lock of it; versions are recorded under it)
#   7     the action row locked, re-read for the version check
#   8     the action updated
#   9     the plan's version bumped
#   10-14 the snapshot: needs, goals, actions, reviews, agreements
#   15    the previous snapshot (is the change restricted?)
#   16    the new plan version inserted
#   17    savepoint released
#   18-20 the session saved (savepoint, update, release: sessions idle out)
# The answer is built from the saved action: no re-read, no grant query.
API_STATUS_PATCH_STATEMENTS = 20

# POST of the "update this action" page with a new status and a note: the same first
# four statements; one transaction with one plan lock and one action lock; then the status
# change (update, plan version, 5 snapshot reads, previous snapshot, version insert) and
# the note (insert, plan version, 5 snapshot reads, previous snapshot, version insert),
# which are two versions of the plan as before; the session. The notes listed on the
# page are not read when the save redirects.
PAGE_PROGRESS_POST_STATEMENTS = 29


def test_patching_an_actions_status_runs_a_pinned_number_of_statements(world: World) -> None:
    setup = started_plan(world)
    client = client_for(world.keyworker)
    url = f"/api/plan-actions/{setup.police_action.pk}/"
    etag = client.get(url)["ETag"]

    with CaptureQueriesContext(connection) as captured:
        response = client.patch(
            url,
            json.dumps({"status": "in_progress"}),
            content_type="application/json",
            HTTP_IF_MATCH=etag,
        )

    assert response.status_code == 200
    assert response.json()["status"] == "in_progress"
    assert response.json()["can_update"] is True
    assert response["ETag"] == f'"action-{setup.police_action.pk}-v2"'
    assert len(captured.captured_queries) == API_STATUS_PATCH_STATEMENTS
    grant_reads = [
        q for q in captured.captured_queries if q["sql"].startswith('SELECT "families_grant"')
    ]
    plan_locks = [
        q
        for q in captured.captured_queries
        if q["sql"].startswith('SELECT "plans_plan"') and "FOR UPDATE" in q["sql"]
    ]
    assert (len(grant_reads), len(plan_locks)) == (1, 1)
    version = PlanVersion.objects.order_by("-number").first()
    assert version is not None
    assert version.summary.startswith("Action status changed:")


def test_the_progress_page_save_runs_a_pinned_number_of_statements(world: World) -> None:
    setup = started_plan(world)
    client = client_for(world.keyworker)
    url = reverse(
        "plans:action-progress", args=[world.own_family.reference, setup.police_action.pk]
    )
    client.get(url)  # the first request after signing in also settles the session
    versions_before = PlanVersion.objects.count()

    with CaptureQueriesContext(connection) as captured:
        response = client.post(url, {"version": "1", "status": "done", "note": "Went well"})

    assert response.status_code == 302
    assert len(captured.captured_queries) == PAGE_PROGRESS_POST_STATEMENTS
    plan_locks = [
        q
        for q in captured.captured_queries
        if q["sql"].startswith('SELECT "plans_plan"') and "FOR UPDATE" in q["sql"]
    ]
    assert len(plan_locks) == 1
    assert Action.objects.get(pk=setup.police_action.pk).status == "done"
    assert ActionProgressNote.objects.get().text == "Went well"
    assert PlanVersion.objects.count() == versions_before + 2


def test_permissions_passed_to_the_service_are_checked_again(world: World) -> None:
    # Given permissions to see the family but not to run its plan
    setup = started_plan(world)
    seen_only = frozenset({VIEW})

    # When someone outside the action's agency saves with them, then it is refused
    with pytest.raises(PermissionDenied):
        services.action_update(
            actor=world.other_keyworker.user,
            action=setup.police_action,
            expected_version=1,
            permissions=seen_only,
            status="done",
        )
    with pytest.raises(PermissionDenied):
        services.action_progress_note_add(
            actor=world.other_keyworker.user,
            action=setup.police_action,
            text="Not mine",
            permissions=seen_only,
        )

    # and nothing changed
    assert Action.objects.get(pk=setup.police_action.pk).status == "not_started"
    assert not ActionProgressNote.objects.exists()


def _grant_reads(captured: CaptureQueriesContext) -> int:
    return sum(
        1 for q in captured.captured_queries if q["sql"].startswith('SELECT "families_grant"')
    )


@pytest.mark.parametrize("kind", ["need", "goal"])
def test_changing_a_need_or_a_goal_asks_for_the_grants_once(world: World, kind: str) -> None:
    setup = started_plan(world)
    client = client_for(world.keyworker)
    item = setup.goal if kind == "goal" else setup.goal.needs.get()
    url = f"/api/plan-{kind}s/{item.pk}/"
    etag = client.get(url)["ETag"]
    change = {"title": "Jordan is at school every day"} if kind == "goal" else {"detail": "Seen"}

    with CaptureQueriesContext(connection) as captured:
        response = client.patch(
            url, json.dumps(change), content_type="application/json", HTTP_IF_MATCH=etag
        )

    assert response.status_code == 200, response.content
    # The fetch-with-check works the permissions out; the view and the service use them.
    assert _grant_reads(captured) == 1


@pytest.mark.parametrize("kind", ["need", "goal"])
def test_adding_a_need_or_a_goal_asks_for_the_grants_once(world: World, kind: str) -> None:
    setup = started_plan(world)
    client = client_for(world.keyworker)
    body = (
        {"title": "Alex finds work", "needs": [setup.goal.needs.get().pk]}
        if kind == "goal"
        else {"kind": "housing", "label": "Rent arrears"}
    )

    with CaptureQueriesContext(connection) as captured:
        response = client.post(
            f"/api/plan-{kind}s/?family={world.own_family.reference}",
            json.dumps(body),
            content_type="application/json",
        )

    assert response.status_code == 201, response.content
    assert _grant_reads(captured) == 1
