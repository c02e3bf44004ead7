"""The plan pages: what they show, the forms, conflicts, versions and the family panel."""

from __future__ import annotations

import datetime
import re
import zoneinfo
from typing import Any

import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from audit.models import AccessEvent
from conftest import World, client_for
from families.grants_models import TeamMember
from plans.models import Action, ActionProgressNote, Goal, Need, Plan
from plans.plan import services
from plans.tests.test_plan_support import lawful_basis_for, member_of, started_plan

LONDON = zoneinfo.ZoneInfo("Europe/London")


def _url(name: str, world: World, *args: Any) -> str:
    return reverse(f"plans:{name}", args=[world.own_family.reference, *args])


def _text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _date_fields(name: str, day: datetime.date) -> dict[str, str]:
    return {
        f"{name}_day": str(day.day),
        f"{name}_month": str(day.month),
        f"{name}_year": str(day.year),
    }


# ---------------------------------------------------------------------------
# The plan page
# ---------------------------------------------------------------------------


def test_plan_page_shows_voice_needs_goals_actions_and_needs_without_goals(world: World) -> None:
    setup = started_plan(world)
    services.plan_voice_update(
        actor=world.keyworker.user,
        plan=setup.plan,
        expected_version=setup.plan.version,
        working_well="We laugh a lot",
        worries="",
        family_wants="Jordan back at school",
    )

    response = client_for(world.keyworker).get(_url("plan", world))

    text = _text(response)
    assert response.status_code == 200
    assert "We laugh a lot" in text
    assert "Jordan back at school" in text
    assert "Children not attending school regularly" in text
    assert "Jordan goes to school every day" in text
    assert "Visit school with Jordan each Monday" in text
    assert "Hampshire Constabulary" in text
    assert "These needs have no goal yet: Crime or anti-social behaviour." in text


def test_restricted_needs_are_hidden_from_those_who_may_not_see_them(world: World) -> None:
    started_plan(world, restricted_need=True)

    practitioner = _text(client_for(world.practitioner).get(_url("plan", world)))
    keyworker = _text(client_for(world.keyworker).get(_url("plan", world)))

    assert "Families affected by domestic abuse" not in practitioner
    assert "1 restricted item is not shown" in practitioner
    assert "1 restricted need has no goal yet" in practitioner
    assert "Families affected by domestic abuse" in keyworker
    assert "restricted item is not shown" not in keyworker


def test_a_family_without_a_plan_offers_to_start_one_to_editors_only(world: World) -> None:
    keyworker = _text(client_for(world.keyworker).get(_url("plan", world)))
    manager = _text(client_for(world.programme_manager).get(_url("plan", world)))

    assert "No plan has been started for this family yet" in keyworker
    assert "Start the plan" in keyworker
    assert "Start the plan" not in manager


def test_starting_the_plan_from_the_page(world: World) -> None:
    response = client_for(world.keyworker).post(_url("plan-start", world))

    assert response.status_code == 302
    assert Plan.objects.get(family=world.own_family).version == 1


def test_empty_plan_says_so(world: World) -> None:
    services.plan_get_or_create(actor=world.keyworker.user, family=world.own_family)

    text = _text(client_for(world.keyworker).get(_url("plan", world)))

    assert "No goals yet." in text
    assert "No open needs are recorded." in text
    assert "Not written yet" in text


def test_viewing_the_plan_is_logged(world: World) -> None:
    started_plan(world)

    client_for(world.practitioner).get(_url("plan", world))

    event = AccessEvent.objects.get(user=world.practitioner.user, object_type="plan")
    assert (event.action, event.family_id) == ("view", world.own_family.pk)


def _big_plan(world: World, goals: int, actions: int) -> None:
    plan = services.plan_get_or_create(actor=world.keyworker.user, family=world.own_family)
    lawful_basis_for(world)
    due = timezone.localdate() + datetime.timedelta(days=30)
    needs = services.needs_identified_open(
        actor=world.keyworker.user,
        identified={
            world.own_family.pk: services.IdentifiedNeeds(
                "sf2022",
                [
                    (f"need_{i}", f"Need {i}", [member_of(world.own_family).pk])
                    for i in range(goals)
                ],
            )
        },
    )
    for g in range(goals):
        goal = services.goal_create(
            actor=world.keyworker.user,
            plan=plan,
            title=f"Goal {g}",
            needs=[needs[g]],
            members=[member_of(world.own_family)],
        )
        for a in range(actions):
            action = services.action_create(
                actor=world.keyworker.user,
                goal=goal,
                description=f"Action {g}.{a}",
                owner="agency",
                agency=world.police,
                due_on=due,
            )
            services.action_progress_note_add(
                actor=world.keyworker.user, action=action, text=f"Note on {g}.{a}"
            )


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_plan_page_queries_do_not_grow_with_goals_and_actions(
    world: World, django_assert_num_queries: Any
) -> None:
    _big_plan(world, goals=1, actions=1)
    client = client_for(world.keyworker)
    client.get(_url("plan", world))  # warm the session
    small = _queries(client, _url("plan", world))
    Action.objects.all().delete()
    Goal.objects.all().delete()
    Need.objects.all().delete()
    Plan.objects.all().delete()
    _big_plan(world, goals=20, actions=5)

    with django_assert_num_queries(small):
        response = client.get(_url("plan", world))

    assert response.status_code == 200
    assert _text(response).count("Note on ") == 100
    print(f"plan page: {small} queries for 1 goal x 1 action and for 20 goals x 5 actions")


# ---------------------------------------------------------------------------
# Forms, and what a conflict looks like
# ---------------------------------------------------------------------------


def test_saving_the_voice(world: World) -> None:
    setup = started_plan(world)
    client = client_for(world.keyworker)
    form = client.get(_url("plan-voice", world))

    response = client.post(
        _url("plan-voice", world),
        {
            "version": setup.plan.version,
            "working_well": "Sunday lunch together",
            "worries": "",
            "family_wants": "",
        },
    )

    assert form.status_code == 200
    assert f'name="version" value="{setup.plan.version}"' in form.content.decode()
    assert response.status_code == 302
    assert Plan.objects.get(pk=setup.plan.pk).working_well == "Sunday lunch together"


def test_a_stale_action_edit_answers_409_with_both_versions_and_keeps_what_was_typed(
    world: World,
) -> None:
    setup = started_plan(world)
    action = setup.police_action
    with time_machine.travel(datetime.datetime(2026, 3, 3, 10, 42, tzinfo=LONDON)):
        services.action_update(
            actor=world.coordinator.user,
            action=action,
            expected_version=1,
            description="Coordinator's wording",
        )
    client = client_for(world.keyworker)
    typed = {
        "version": "1",
        "description": "Key worker's wording",
        "goal": str(setup.goal.pk),
        "owner": "agency",
        "agency": str(world.police.pk),
        "practitioner": "",
        "family_member": "",
        **_date_fields("due_on", action.due_on),
    }

    response = client.post(_url("action-edit", world, action.pk), typed)

    text = _text(response)
    # The page escapes names for HTML (an apostrophe in "O'Neill" is an entity).
    who = escape(world.coordinator.user.get_full_name())
    assert response.status_code == 409
    assert "govuk-error-summary" in text
    assert f"{who} changed this action at 10:42am on 3 March 2026 while you were editing" in text
    assert f"Saved by {who}" in text
    assert "Coordinator&#x27;s wording" in text
    assert "Key worker&#x27;s wording</textarea>" in text
    assert 'name="version" value="2"' in text
    assert Action.objects.get(pk=action.pk).description == "Coordinator's wording"

    again = client.post(_url("action-edit", world, action.pk), {**typed, "version": "2"})

    assert again.status_code == 302
    assert Action.objects.get(pk=action.pk).description == "Key worker's wording"


def test_a_stale_goal_edit_answers_409(world: World) -> None:
    setup = started_plan(world)
    services.goal_update(
        actor=world.coordinator.user,
        goal=setup.goal,
        expected_version=1,
        title="Coordinator's goal",
        description="",
        status="open",
        needs=[setup.education],
        members=[],
    )

    response = client_for(world.keyworker).post(
        _url("goal-edit", world, setup.goal.pk),
        {"version": "1", "title": "My goal", "status": "open", "needs": [setup.education.pk]},
    )

    assert response.status_code == 409
    assert "My goal" in response.content.decode()
    assert Goal.objects.get(pk=setup.goal.pk).title == "Coordinator's goal"


def test_adding_a_goal_with_needs_and_members(world: World) -> None:
    setup = started_plan(world)
    person = member_of(world.own_family)

    response = client_for(world.keyworker).post(
        _url("goal-add", world),
        {"title": "Stay safe", "needs": [setup.crime.pk], "members": [person.pk]},
    )

    goal = Goal.objects.get(title="Stay safe")
    assert response.status_code == 302
    assert list(goal.needs.all()) == [setup.crime]
    assert list(goal.members.all()) == [person]


def test_adding_a_goal_needs_a_title_and_keeps_the_input(world: World) -> None:
    started_plan(world)

    response = client_for(world.keyworker).post(
        _url("goal-add", world), {"title": "", "description": "Typed detail"}
    )

    assert response.status_code == 400
    assert "Enter the goal" in response.content.decode()
    assert "Typed detail" in response.content.decode()


def test_adding_a_need_found_during_the_work(world: World) -> None:
    started_plan(world)

    response = client_for(world.keyworker).post(
        _url("need-add", world), {"kind": "housing", "label": "Damp flat", "detail": ""}
    )

    assert response.status_code == 302
    assert Need.objects.get(code="housing").label == "Damp flat"


def test_adding_an_action_adds_the_agency_to_the_team(world: World) -> None:
    setup = started_plan(world)
    school = world.other_practitioner.agency

    response = client_for(world.keyworker).post(
        _url("action-add", world, setup.goal.pk),
        {
            "description": "Daily attendance call",
            "owner": "agency",
            "agency": str(school.pk),
            "practitioner": str(world.other_practitioner.pk),
            **_date_fields("due_on", timezone.localdate() + datetime.timedelta(days=5)),
        },
    )

    assert response.status_code == 302
    assert TeamMember.objects.filter(family=world.own_family, agency=school).exists()
    assert Action.objects.get(description="Daily attendance call").practitioner == (
        world.other_practitioner
    )


def test_adding_an_action_without_a_lawful_basis_links_to_recording_one(world: World) -> None:
    plan = services.plan_get_or_create(actor=world.keyworker.user, family=world.own_family)
    goal = services.goal_create(actor=world.keyworker.user, plan=plan, title="Goal")

    response = client_for(world.keyworker).post(
        _url("action-add", world, goal.pk),
        {
            "description": "Police welfare visit",
            "owner": "agency",
            "agency": str(world.police.pk),
            **_date_fields("due_on", timezone.localdate() + datetime.timedelta(days=5)),
        },
    )

    text = _text(response)
    assert response.status_code == 400
    assert "cannot be added until consent or a statutory gateway is recorded" in text
    assert reverse("families:lawful-basis-add", args=[world.own_family.reference]) in text
    assert "Police welfare visit" in text
    assert not Action.objects.exists()
    assert not TeamMember.objects.exists()


def test_a_practitioner_updates_the_status_with_a_note(world: World) -> None:
    setup = started_plan(world)
    client = client_for(world.practitioner)
    url = _url("action-progress", world, setup.police_action.pk)

    missing_reason = client.post(url, {"version": "1", "status": "not_done", "note": ""})
    done = client.post(
        url,
        {
            "version": "1",
            "status": "not_done",
            "not_done_reason": "Family moved",
            "note": "Tried twice",
        },
    )

    assert missing_reason.status_code == 400
    assert "Enter why the action was not done" in missing_reason.content.decode()
    assert done.status_code == 302
    action = Action.objects.get(pk=setup.police_action.pk)
    assert (action.status, action.not_done_reason) == ("not_done", "Family moved")
    assert ActionProgressNote.objects.get().text == "Tried twice"


# ---------------------------------------------------------------------------
# Versions
# ---------------------------------------------------------------------------


def test_versions_list_and_compare_side_by_side(world: World) -> None:
    setup = started_plan(world)
    services.action_update(
        actor=world.keyworker.user,
        action=setup.police_action,
        expected_version=1,
        status="in_progress",
    )
    client = client_for(world.keyworker)

    versions = _text(client.get(_url("plan-versions", world)))
    compare = client.get(_url("plan-compare", world) + "?older=2&newer=5")

    assert (
        "Action status changed: Visit school with Jordan each Monday is now in progress" in versions
    )
    assert "Goal added: Jordan goes to school every day" in versions
    text = _text(compare)
    assert compare.status_code == 200
    assert "Compare versions 2 and 5" in text
    assert (
        "Jordan goes to school every day<br>"
        '<strong class="govuk-tag govuk-tag--green">Added</strong>' in text
    )
    assert "In progress" in text


def test_compare_hides_restricted_needs(world: World) -> None:
    started_plan(world, restricted_need=True)

    client = client_for(world.practitioner)
    text = _text(client.get(_url("plan-compare", world) + "?older=1&newer=2"))
    versions = _text(client.get(_url("plan-versions", world)))

    assert "domestic abuse" not in text
    assert "domestic abuse" not in versions
    assert "Crime or anti-social behaviour, 1 restricted need" in versions
    assert "Changes to 1 restricted item (needs, and the goals" in text


def test_compare_of_unknown_versions_is_an_error(world: World) -> None:
    started_plan(world)

    response = client_for(world.keyworker).get(_url("plan-compare", world) + "?older=1&newer=99")

    assert response.status_code == 400
    assert "govuk-error-summary" in response.content.decode()


# ---------------------------------------------------------------------------
# The family page panel
# ---------------------------------------------------------------------------


def test_family_page_shows_the_plan_panel(world: World) -> None:
    setup = started_plan(world)
    Plan.objects.filter(pk=setup.plan.pk).update(next_review_on=datetime.date(2026, 5, 1))

    text = _text(
        client_for(world.keyworker).get(
            reverse("families:detail", args=[world.own_family.reference])
        )
    )

    assert "Single family plan" in text
    assert "The family has not agreed this plan yet" in text
    assert "Crime or anti-social behaviour" in text
    assert "1 May 2026" in text
    assert _url("plan", world) in text


def test_family_page_offers_to_start_a_plan(world: World) -> None:
    text = _text(
        client_for(world.keyworker).get(
            reverse("families:detail", args=[world.own_family.reference])
        )
    )

    assert "No plan has been started for this family yet" in text
    assert _url("plan-start", world) in text
