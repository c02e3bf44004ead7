"""My actions: a case worker's own agency actions across the families they can see."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from audit.models import AccessEvent
from conftest import World, client_for
from plans.models import Action, ActionStatus, Goal
from plans.plan.access import can_update_action
from plans.tests.test_work_support import join_team, make_action, make_goal, make_plan
from tests.factories import StaffFactory

TODAY = datetime.date(2026, 3, 10)
URL = "/my-actions/"
API = "/api/my-actions/"


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[None]:
    with time_machine.travel(datetime.datetime(2026, 3, 10, 9, 0), tick=False):
        yield


@dataclass
class Actions:
    world: World
    goal: Goal
    unnamed_overdue: Action
    named_mine_soon: Action
    mine_later: Action
    named_colleague: Action
    council: Action
    family_commitment: Action
    done_recently: Action
    done_long_ago: Action
    invisible_family: Action


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def actions(world: World) -> Actions:
    w = world
    join_team(w.own_family, w.police)
    colleague = StaffFactory(agency=w.police, roles=["agency_practitioner"])
    goal = make_goal(make_plan(w.own_family), title="Keep Jordan safe online")
    other_goal = make_goal(make_plan(w.other_lcg_family), title="Settle the rent arrears")
    return Actions(
        world=w,
        goal=goal,
        unnamed_overdue=make_action(
            goal, agency=w.police, due_on=days(-3), description="Visit about the reports"
        ),
        named_mine_soon=make_action(
            goal,
            agency=w.police,
            practitioner=w.practitioner,
            due_on=days(2),
            status=ActionStatus.IN_PROGRESS,
            description="Call the school liaison officer",
        ),
        mine_later=make_action(
            goal, agency=w.police, due_on=days(30), description="Check in after half term"
        ),
        named_colleague=make_action(
            goal, agency=w.police, practitioner=colleague, due_on=days(-1), description="Colleague"
        ),
        council=make_action(goal, agency=w.council, due_on=days(-1), description="Council job"),
        family_commitment=make_action(goal, due_on=days(-1), description="Family promise"),
        done_recently=make_action(
            goal,
            agency=w.police,
            due_on=days(-5),
            status=ActionStatus.DONE,
            completed_on=days(-2),
            description="Talked to Jordan",
        ),
        done_long_ago=make_action(
            goal,
            agency=w.police,
            due_on=days(-60),
            status=ActionStatus.DONE,
            completed_on=days(-40),
            description="Old visit",
        ),
        invisible_family=make_action(
            other_goal, agency=w.police, due_on=days(-1), description="Not on the team"
        ),
    )


def _update_url(action: Action) -> str:
    return reverse("plans:action-progress", args=[action.plan.family.reference, action.pk])


def test_practitioner_sees_only_their_agency_actions_that_name_them_or_no_one(
    actions: Actions,
) -> None:
    a = actions
    response = client_for(a.world.practitioner).get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    for shown in (a.unnamed_overdue, a.named_mine_soon, a.mine_later):
        assert shown.description in html
        assert _update_url(shown) in html
    for hidden in (
        a.named_colleague,
        a.council,
        a.family_commitment,
        a.invisible_family,
        a.done_recently,
    ):
        assert hidden.description not in html
        assert _update_url(hidden) not in html


def test_the_page_offers_exactly_the_actions_the_plan_rules_let_them_update(
    actions: Actions,
) -> None:
    a = actions
    user = a.world.practitioner.user
    response = client_for(a.world.practitioner).get(URL)

    html = response.content.decode()
    open_actions = Action.objects.filter(status__in=["not_started", "in_progress"])
    for action in open_actions.select_related("plan__family"):
        offered = _update_url(action) in html
        assert offered == can_update_action(user, action), action.description


def test_rows_are_grouped_by_due_date_with_overdue_first_and_tagged(actions: Actions) -> None:
    html = client_for(actions.world.practitioner).get(URL).content.decode()

    overdue = html.index(">Overdue</caption>")
    soon = html.index(">Due in the next 7 days</caption>")
    later = html.index(">Due later</caption>")
    assert overdue < soon < later
    assert '<strong class="govuk-tag govuk-tag--red">Overdue</strong>' in html
    assert html.index(actions.unnamed_overdue.description) < soon
    assert soon < html.index(actions.named_mine_soon.description) < later
    assert actions.world.own_family.reference in html
    assert "Keep Jordan safe online" in html


@pytest.mark.parametrize(
    ("show", "expected"),
    [
        ("overdue", ["unnamed_overdue"]),
        ("due_soon", ["named_mine_soon"]),
        ("open", ["unnamed_overdue", "named_mine_soon", "mine_later"]),
        ("done", ["done_recently"]),
    ],
)
def test_filters_show_the_chosen_actions(actions: Actions, show: str, expected: list[str]) -> None:
    everything = ["unnamed_overdue", "named_mine_soon", "mine_later", "done_recently"]
    everything.append("done_long_ago")
    html = client_for(actions.world.practitioner).get(URL, {"show": show}).content.decode()

    for name in everything:
        action = getattr(actions, name)
        assert (action.description in html) == (name in expected), name


def test_filter_links_carry_counts(actions: Actions) -> None:
    html = client_for(actions.world.practitioner).get(URL).content.decode()

    assert "Overdue (1)" in html
    assert "Due in the next 7 days (1)" in html
    assert 'aria-current="page">All open (3)' in html
    assert "Done recently (1)" in html


def test_an_unknown_filter_is_explained_and_all_open_actions_shown(actions: Actions) -> None:
    response = client_for(actions.world.practitioner).get(URL, {"show": "everything"})

    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html
    assert "Select overdue, due in the next 7 days, all open or done recently" in html
    assert actions.mine_later.description in html


def test_key_worker_sees_their_agency_actions_in_families_they_lead(actions: Actions) -> None:
    w = actions.world

    mine = client_for(w.keyworker).get(URL).content.decode()
    colleague = client_for(w.other_keyworker).get(URL).content.decode()

    assert actions.council.description in mine
    assert actions.unnamed_overdue.description not in mine
    # Same agency, but they cannot see the family: nothing.
    assert actions.council.description not in colleague
    assert "You have no open actions" in colleague


def test_empty_state_for_each_filter(world: World) -> None:
    client = client_for(world.practitioner)

    assert "You have no open actions" in client.get(URL).content.decode()
    assert "You have no overdue actions" in client.get(URL, {"show": "overdue"}).content.decode()
    done = client.get(URL, {"show": "done"}).content.decode()
    assert "You have not finished any actions in the last 14 days" in done


def test_the_list_is_recorded_as_seen(actions: Actions) -> None:
    before = AccessEvent.objects.count()
    client_for(actions.world.practitioner).get(URL)

    event = AccessEvent.objects.order_by("-pk").first()
    assert AccessEvent.objects.count() == before + 1
    assert event is not None
    assert event.user_id == actions.world.practitioner.user_id
    assert event.detail["families"] == [actions.world.own_family.pk]


def _many_actions(goal: Goal, agency: object, n: int) -> None:
    for i in range(n):
        make_action(goal, agency=agency, due_on=days(i - n // 2))


@pytest.mark.parametrize("path", [URL, API])
def test_query_count_does_not_grow_with_actions(
    world: World, django_assert_num_queries: object, path: str
) -> None:
    join_team(world.own_family, world.police)
    goal = make_goal(make_plan(world.own_family))
    _many_actions(goal, world.police, 3)
    client = client_for(world.practitioner)
    client.get(path)  # warm the session

    # User, staff, the count, the page and the access event; the page counts with its
    # filter counts, and adds the header's agency and the session save (a savepoint).
    expected = 9 if path == URL else 8
    with django_assert_num_queries(expected):  # type: ignore[operator]
        assert client.get(path).status_code == 200
    _many_actions(goal, world.police, 57)
    with django_assert_num_queries(expected):  # type: ignore[operator]
        assert client.get(path).status_code == 200


# --- API -------------------------------------------------------------------


def test_api_lists_the_same_actions_with_the_update_page(actions: Actions) -> None:
    response = client_for(actions.world.practitioner).get(API)

    assert response.status_code == 200
    body = response.json()
    assert [row["id"] for row in body["results"]] == [
        actions.unnamed_overdue.pk,
        actions.named_mine_soon.pk,
        actions.mine_later.pk,
    ]
    first = body["results"][0]
    assert first["family_reference"] == actions.world.own_family.reference
    assert first["goal"] == "Keep Jordan safe online"
    assert first["overdue"] is True
    assert first["practitioner"] is None
    assert first["update_url"] == _update_url(actions.unnamed_overdue)
    assert body["results"][1]["overdue"] is False


def test_api_filters_and_refuses_an_unknown_filter(actions: Actions) -> None:
    client = client_for(actions.world.practitioner)

    done = client.get(API, {"show": "done"}).json()
    bad = client.get(API, {"show": "everything"})

    assert [row["id"] for row in done["results"]] == [actions.done_recently.pk]
    assert bad.status_code == 400
    assert "show" in bad.json()


@pytest.mark.parametrize("show", ["", "Overdue", "all"])
def test_api_refuses_a_show_that_names_no_view_and_records_nothing(
    actions: Actions, show: str
) -> None:
    before = AccessEvent.objects.count()

    response = client_for(actions.world.practitioner).get(API, {"show": show})

    assert response.status_code == 400
    assert response.json() == {"show": ["Choose one of: open, overdue, due_soon, done"]}
    assert AccessEvent.objects.count() == before


def test_api_records_which_view_was_shown(actions: Actions) -> None:
    client = client_for(actions.world.practitioner)

    client.get(API)
    default = AccessEvent.objects.order_by("-pk").first()
    client.get(API, {"show": "overdue"})
    overdue = AccessEvent.objects.order_by("-pk").first()

    assert default is not None and overdue is not None
    assert default.detail["filters"] == {"show": "open"}
    assert overdue.detail["filters"] == {"show": "overdue"}


# --- Who may use it --------------------------------------------------------


def test_anonymous_is_sent_to_sign_in_and_the_api_refuses(actions: Actions) -> None:
    before = AccessEvent.objects.count()
    page = Client().get(URL)
    api = Client().get(API)

    assert page.status_code == 302
    assert page["Location"].startswith(reverse("login"))
    assert api.status_code == 403
    assert AccessEvent.objects.count() == before


@pytest.mark.parametrize(
    "persona", ["sysadmin", "coordinator", "programme_manager", "auditor", "dpo"]
)
def test_roles_that_own_no_actions_are_refused_and_nothing_is_recorded(
    actions: Actions, persona: str
) -> None:
    client = client_for(getattr(actions.world, persona))
    before = AccessEvent.objects.count()

    page = client.get(URL)
    api = client.get(API)

    assert page.status_code == 403
    assert api.status_code == 403
    assert actions.unnamed_overdue.description not in page.content.decode()
    assert AccessEvent.objects.count() == before


def test_practitioner_of_another_agency_sees_none_of_the_police_actions(
    actions: Actions,
) -> None:
    client = client_for(actions.world.other_practitioner)

    page = client.get(URL).content.decode()
    api = client.get(API).json()

    assert actions.unnamed_overdue.description not in page
    assert "You have no open actions" in page
    assert api["results"] == []
