"""The plan API: scope, ETags and If-Match, practitioners' own actions, versions."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.test import Client
from django.utils import timezone

from audit.models import AccessEvent
from conftest import World, client_for
from families.grants_models import TeamMember
from plans.models import Action, ActionProgressNote, Goal, Need, Plan
from plans.plan import services
from plans.tests.test_plan_support import member_of, started_plan


def _patch(client: Client, url: str, data: dict[str, Any], etag: str | None) -> Any:
    headers = {"HTTP_IF_MATCH": etag} if etag is not None else {}
    return client.patch(url, json.dumps(data), content_type="application/json", **headers)


def _post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json")


def _plan_url(world: World) -> str:
    return f"/api/plans/{world.own_family.reference}/"


def test_get_plan_returns_an_etag_and_the_whole_plan(world: World) -> None:
    setup = started_plan(world)

    response = client_for(world.practitioner).get(_plan_url(world))

    body = response.json()
    assert response.status_code == 200
    assert response["ETag"] == f'"plan-{setup.plan.pk}-v{setup.plan.version}"'
    assert body["version"] == setup.plan.version
    assert [g["title"] for g in body["goals"]] == ["Jordan goes to school every day"]
    assert body["goals"][0]["actions"][0]["can_update"] is True
    assert body["needs_without_goal"] == [setup.crime.pk]
    assert AccessEvent.objects.filter(
        user=world.practitioner.user, object_type="plan", action="api_read"
    ).exists()


def test_plans_outside_scope_answer_404(world: World) -> None:
    started_plan(world)

    assert client_for(world.other_coordinator).get(_plan_url(world)).status_code == 404
    assert client_for(world.other_practitioner).get(_plan_url(world)).status_code == 404
    assert Client().get(_plan_url(world)).status_code == 403


def test_patch_without_if_match_is_428_and_changes_nothing(world: World) -> None:
    setup = started_plan(world)

    response = _patch(client_for(world.keyworker), _plan_url(world), {"worries": "X"}, None)

    assert response.status_code == 428
    assert Plan.objects.get(pk=setup.plan.pk).worries == ""


def test_patch_with_a_stale_etag_is_412_with_the_current_plan(world: World) -> None:
    setup = started_plan(world)
    client = client_for(world.keyworker)
    etag = client.get(_plan_url(world))["ETag"]
    services.plan_voice_update(
        actor=world.coordinator.user,
        plan=setup.plan,
        expected_version=setup.plan.version,
        working_well="",
        worries="Coordinator's worry",
        family_wants="",
    )

    stale = _patch(client, _plan_url(world), {"worries": "My worry"}, etag)

    assert stale.status_code == 412
    assert stale.json()["current"]["worries"] == "Coordinator's worry"
    assert stale.json()["changed_by"] == world.coordinator.user.get_full_name()
    assert "while you were editing" in stale.json()["detail"]
    fresh = _patch(client, _plan_url(world), {"worries": "My worry"}, stale["ETag"])
    assert fresh.status_code == 200
    assert fresh.json()["worries"] == "My worry"
    assert Plan.objects.get(pk=setup.plan.pk).worries == "My worry"


def test_programme_manager_reads_but_cannot_patch(world: World) -> None:
    setup = started_plan(world)
    client = client_for(world.programme_manager)
    etag = client.get(_plan_url(world))["ETag"]

    response = _patch(client, _plan_url(world), {"worries": "X"}, etag)

    assert response.status_code == 403
    assert Plan.objects.get(pk=setup.plan.pk).version == setup.plan.version


def test_starting_a_plan_through_the_api(world: World) -> None:
    client = client_for(world.coordinator)

    created = _post(client, "/api/plans/", {"family": world.own_family.reference})
    again = _post(client, "/api/plans/", {"family": world.own_family.reference})
    refused = _post(
        client_for(world.programme_manager),
        "/api/plans/",
        {"family": world.other_lcg_family.reference},
    )

    assert (created.status_code, again.status_code, refused.status_code) == (201, 200, 403)
    assert Plan.objects.count() == 1
    # Getting the plan that was already there is a read, recorded like a GET.
    reads = AccessEvent.objects.filter(
        user=world.coordinator.user, object_type="plan", family_id=world.own_family.pk
    )
    assert reads.count() == 1


def _action_url(action: Action) -> str:
    return f"/api/plan-actions/{action.pk}/"


def test_practitioner_may_patch_only_the_status_of_their_own_agencys_action(world: World) -> None:
    setup = started_plan(world)
    client = client_for(world.practitioner)
    url = _action_url(setup.police_action)
    etag = client.get(url)["ETag"]

    refused = _patch(client, url, {"description": "Mine now"}, etag)
    allowed = _patch(client, url, {"status": "done"}, etag)

    assert etag == f'"action-{setup.police_action.pk}-v1"'
    assert refused.status_code == 403
    assert allowed.status_code == 200
    assert allowed["ETag"] == f'"action-{setup.police_action.pk}-v2"'
    action = Action.objects.get(pk=setup.police_action.pk)
    assert (action.description, action.status) == ("Visit school with Jordan each Monday", "done")


def test_another_agency_cannot_see_or_patch_the_action(world: World) -> None:
    setup = started_plan(world)
    url = _action_url(setup.police_action)

    response = _patch(client_for(world.other_practitioner), url, {"status": "done"}, '"x"')

    assert response.status_code == 404
    assert Action.objects.get(pk=setup.police_action.pk).status == "not_started"


def test_a_stale_action_patch_is_412(world: World) -> None:
    setup = started_plan(world)
    url = _action_url(setup.police_action)
    services.action_update(
        actor=world.keyworker.user,
        action=setup.police_action,
        expected_version=1,
        status="in_progress",
    )

    response = _patch(
        client_for(world.practitioner),
        url,
        {"status": "done"},
        f'"action-{setup.police_action.pk}-v1"',
    )

    assert response.status_code == 412
    assert response.json()["current"]["status"] == "in_progress"
    assert response["ETag"] == f'"action-{setup.police_action.pk}-v2"'


def test_creating_an_action_adds_the_agency_to_the_team(world: World) -> None:
    setup = started_plan(world)
    due = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()

    response = _post(
        client_for(world.keyworker),
        "/api/plan-actions/",
        {
            "goal": setup.goal.pk,
            "description": "School attendance calls",
            "owner": "agency",
            "agency": "SCHOOL1",
            "due_on": due,
        },
    )

    assert response.status_code == 201, response.json()
    assert TeamMember.objects.filter(
        family=world.own_family, agency__code="SCHOOL1", removed_at__isnull=True
    ).exists()


def test_an_action_under_a_goal_outside_scope_is_refused(world: World) -> None:
    plan = services.plan_get_or_create(
        actor=world.other_coordinator.user, family=world.other_lcg_family
    )
    goal = services.goal_create(actor=world.other_coordinator.user, plan=plan, title="Theirs")

    response = _post(
        client_for(world.keyworker),
        "/api/plan-actions/",
        {"goal": goal.pk, "description": "X", "owner": "family", "due_on": "2099-01-01"},
    )

    assert response.status_code == 400
    assert "goal" in response.json()
    assert not Action.objects.exists()


def test_progress_notes_through_the_api(world: World) -> None:
    setup = started_plan(world)
    url = _action_url(setup.police_action) + "progress-notes/"

    added = _post(client_for(world.practitioner), url, {"text": "Met Jordan at the gate"})
    refused = _post(client_for(world.programme_manager), url, {"text": "Not mine"})
    listed = client_for(world.keyworker).get(url)

    assert (added.status_code, refused.status_code) == (201, 403)
    assert listed.json()["count"] == 1
    assert [n["text"] for n in listed.json()["results"]] == ["Met Jordan at the gate"]
    assert ActionProgressNote.objects.count() == 1


def test_needs_list_needs_a_family_and_hides_restricted_needs(world: World) -> None:
    started_plan(world, restricted_need=True)
    url = f"/api/plan-needs/?family={world.own_family.reference}"

    missing = client_for(world.practitioner).get("/api/plan-needs/")
    practitioner = client_for(world.practitioner).get(url).json()["results"]
    keyworker = client_for(world.keyworker).get(url).json()["results"]

    assert missing.status_code == 400
    assert "domestic_abuse" not in {n["code"] for n in practitioner}
    assert "domestic_abuse" in {n["code"] for n in keyworker}


def test_a_restricted_need_is_404_for_those_who_may_not_see_it(world: World) -> None:
    started_plan(world, restricted_need=True)
    need = Need.objects.get(code="domestic_abuse")

    assert client_for(world.practitioner).get(f"/api/plan-needs/{need.pk}/").status_code == 404
    assert client_for(world.keyworker).get(f"/api/plan-needs/{need.pk}/").status_code == 200


def test_need_patch_from_an_older_plan_version_goes_through_if_the_need_is_unchanged(
    world: World,
) -> None:
    setup = started_plan(world)
    client = client_for(world.keyworker)
    url = f"/api/plan-needs/{setup.crime.pk}/"
    etag = client.get(url)["ETag"]
    services.goal_create(actor=world.coordinator.user, plan=setup.plan, title="Unrelated")

    response = _patch(client, url, {"detail": "Two call-outs in May"}, etag)

    assert response.status_code == 200
    assert Need.objects.get(pk=setup.crime.pk).detail == "Two call-outs in May"


def test_adding_a_need_and_a_goal_through_the_api(world: World) -> None:
    setup = started_plan(world)
    client = client_for(world.keyworker)
    family = world.own_family.reference

    need = _post(client, f"/api/plan-needs/?family={family}", {"kind": "other", "label": "Debt"})
    goal = _post(
        client,
        f"/api/plan-goals/?family={family}",
        {
            "title": "Debts under control",
            "needs": [need.json()["id"]],
            "members": [member_of(world.own_family).pk],
        },
    )

    assert (need.status_code, goal.status_code) == (201, 201)
    assert goal["ETag"] == f'"goal-{goal.json()["id"]}-v1"'
    assert Goal.objects.filter(plan=setup.plan).count() == 2


def test_goal_patch_needs_if_match_and_refuses_stale(world: World) -> None:
    setup = started_plan(world)
    client = client_for(world.coordinator)
    url = f"/api/plan-goals/{setup.goal.pk}/"
    etag = client.get(url)["ETag"]

    missing = _patch(client, url, {"title": "New"}, None)
    ok = _patch(client, url, {"title": "New"}, etag)
    stale = _patch(client, url, {"title": "Newer"}, etag)

    assert (missing.status_code, ok.status_code, stale.status_code) == (428, 200, 412)
    assert Goal.objects.get(pk=setup.goal.pk).title == "New"


def test_versions_through_the_api(world: World) -> None:
    started_plan(world, restricted_need=True)
    url = _plan_url(world) + "versions/"

    listed = client_for(world.practitioner).get(url).json()["results"]
    one = client_for(world.practitioner).get(url + "2/").json()

    assert [v["number"] for v in listed] == [4, 3, 2, 1]
    assert "domestic_abuse" not in {n["code"] for n in one["snapshot"]["needs"]}
    assert client_for(world.practitioner).get(url + "99/").status_code == 404


def test_the_schema_lists_the_plan_routes(world: World) -> None:
    paths = set(client_for(world.programme_manager).get("/api/schema/?format=json").json()["paths"])

    assert {
        "/api/plans/",
        "/api/plans/{reference}/",
        "/api/plans/{reference}/versions/",
        "/api/plans/{reference}/versions/{number}/",
        "/api/plan-needs/",
        "/api/plan-needs/{id}/",
        "/api/plan-goals/",
        "/api/plan-goals/{id}/",
        "/api/plan-actions/",
        "/api/plan-actions/{id}/",
        "/api/plan-actions/{id}/progress-notes/",
    } <= paths


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
READ = {
    "anonymous": 403,
    "other_practitioner": 404,
    "practitioner": 200,
    "keyworker": 200,
    "coordinator": 200,
    "other_coordinator": 404,
    "programme_manager": 200,
    "sysadmin": 403,
}
WRITE = {**READ, "practitioner": 403, "programme_manager": 403}


def _as(world: World, persona: str) -> Client:
    return Client() if persona == "anonymous" else client_for(getattr(world, persona))


def test_api_read_matrix(world: World) -> None:
    setup = started_plan(world)
    family = world.own_family.reference
    urls = [
        _plan_url(world),
        _plan_url(world) + "versions/",
        f"/api/plan-needs/?family={family}",
        f"/api/plan-needs/{setup.education.pk}/",
        f"/api/plan-goals/?family={family}",
        f"/api/plan-goals/{setup.goal.pk}/",
        f"/api/plan-actions/?family={family}",
        _action_url(setup.police_action),
        _action_url(setup.police_action) + "progress-notes/",
    ]

    for url in urls:
        got = {p: _as(world, p).get(url).status_code for p in PERSONAS}
        assert got == READ, url


def test_api_write_matrix_and_refusals_change_nothing(world: World) -> None:
    setup = started_plan(world)
    plan_etag = f'"plan-{setup.plan.pk}-v{setup.plan.version}"'
    goal_etag = f'"goal-{setup.goal.pk}-v1"'

    got = {}
    for persona in PERSONAS:
        if WRITE[persona] == 200:
            continue
        client = _as(world, persona)
        got[persona] = (
            _patch(client, _plan_url(world), {"worries": "Changed"}, plan_etag).status_code,
            _patch(
                client, f"/api/plan-goals/{setup.goal.pk}/", {"title": "Changed"}, goal_etag
            ).status_code,
            _post(
                client,
                f"/api/plan-goals/?family={world.own_family.reference}",
                {"title": "New"},
            ).status_code,
        )

    assert got == {p: (c, c, c) for p, c in WRITE.items() if c != 200}
    assert Plan.objects.get(pk=setup.plan.pk).version == setup.plan.version
    assert list(Goal.objects.values_list("title", flat=True)) == [setup.goal.title]
    assert (
        _patch(
            client_for(world.coordinator), _plan_url(world), {"worries": "Changed"}, plan_etag
        ).status_code
        == 200
    )


def test_a_missing_id_and_another_familys_id_get_the_same_answer(world: World) -> None:
    """Replies must not tell apart an id that does not exist from one that belongs to a
    family the user may not touch (or one in no valid form)."""
    setup = started_plan(world)
    other = Need.objects.create(
        family=world.other_lcg_family,
        code="housing",
        label="Housing",
        source="found",
        identified_on=timezone.localdate(),
        created_at=timezone.now(),
        created_by=world.other_coordinator.user,
    )
    client = client_for(world.keyworker)
    url = f"/api/plan-goals/?family={world.own_family.reference}"
    goals_before = Goal.objects.count()

    answers = [
        _post(client, url, {"title": "Settled home", "needs": [needs]})
        for needs in (other.pk, 999_999_999, "abc")
    ]

    assert {a.status_code for a in answers} == {400}
    assert answers[0].json() == answers[1].json() == answers[2].json()
    assert answers[0].json() == {"needs": ["Select needs of this family"]}
    assert Goal.objects.count() == goals_before
    assert setup.plan.goals.count() == goals_before


def test_a_refused_goal_answers_400_naming_the_field(world: World) -> None:
    started_plan(world)
    url = f"/api/plan-goals/?family={world.own_family.reference}"

    response = _post(client_for(world.keyworker), url, {"description": "No title"})

    assert response.status_code == 400
    assert response.json() == {"title": ["Enter the goal"]}
    assert not Goal.objects.filter(description="No title").exists()


def test_an_id_that_is_not_a_number_is_not_found(world: World) -> None:
    started_plan(world)
    client = client_for(world.keyworker)
    urls = [
        "/api/plan-goals/AAA/",
        "/api/plan-needs/AAA/",
        "/api/plan-actions/AAA/",
        "/api/plan-actions/AAA/progress-notes/",
    ]

    answers = [client.get(url) for url in urls]
    answers += [_patch(client, url, {"title": "x"}, '"goal-1-v1"') for url in urls]

    assert [(a.status_code, a.json()) for a in answers] == [(404, {"detail": "Not found."})] * 8
