"""Recording a review: ratings, decisions that create and change actions, the next
review date, and all of it or nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from pytest_django.fixtures import SettingsWrapper

from conftest import World, client_for
from plans.models import Action, ActionStatus, GoalRating, Plan, PlanVersion, Review
from plans.tests.test_review_support import (
    OPEN_GOAL,
    RESTRICTED_GOAL,
    PlanWorld,
    build_plan,
    counts,
    date_fields,
    review_form_data,
    today,
)

# After the world fixture is built (grants open at the real time), so grants are in force.
NOW = datetime.datetime(2027, 3, 10, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def pw(world: World) -> PlanWorld:
    with time_machine.travel(NOW, tick=False):
        return build_plan(world)


def _post(world: World, pw: PlanWorld, data: dict[str, Any], persona: str = "keyworker") -> Any:
    return client_for(getattr(world, persona)).post(
        reverse("plans:review-create", args=[world.own_family.reference]), data
    )


@time_machine.travel(NOW, tick=False)
def test_key_worker_records_a_review_with_ratings_new_and_changed_actions(
    world: World, pw: PlanWorld
) -> None:
    # Given a plan at some version
    version_before = Plan.objects.get(pk=pw.plan.pk).version
    due = today() + datetime.timedelta(days=21)
    new_due = today() + datetime.timedelta(days=28)
    data = review_form_data(
        pw,
        **{
            f"rating_{pw.goal.pk}": "good_progress",
            f"comment_{pw.goal.pk}": "Much better since January",
            "new_1_goal": str(pw.goal.pk),
            "new_1_description": "School nurse to meet Jordan",
            "new_1_owner": f"agency:{world.police.pk}",
            **date_fields("new_1_due_on", due),
            "new_3_goal": str(pw.goal.pk),
            "new_3_description": "Jordan packs his bag the night before",
            "new_3_owner": f"member:{pw.jordan.pk}",
            **date_fields("new_3_due_on", due),
            f"change_{pw.family_action.pk}_status": ActionStatus.DONE,
            f"change_{pw.police_action.pk}_due_on_day": str(new_due.day),
            f"change_{pw.police_action.pk}_due_on_month": str(new_due.month),
            f"change_{pw.police_action.pk}_due_on_year": str(new_due.year),
            "attendee_agencies": [str(world.police.pk)],
            "decisions": "Ask the school about a mentor",
        },
    )

    # When the key worker saves it
    response = _post(world, pw, data)

    # Then the review, its ratings and its decisions are saved together
    review = Review.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "plans:review-detail", args=[world.own_family.reference, review.pk]
    )
    assert review.held_on == today()
    assert review.next_review_on == today() + datetime.timedelta(weeks=6)
    assert list(review.attendee_agencies.all()) == [world.police]
    assert list(review.attendee_members.all()) == [pw.jordan]
    assert review.decisions == "Ask the school about a mentor"
    ratings = {r.goal_id: r for r in GoalRating.objects.filter(review=review)}
    assert ratings[pw.goal.pk].rating == "good_progress"
    assert ratings[pw.goal.pk].comment == "Much better since January"
    assert pw.restricted_goal.pk in ratings  # the key worker rates every open goal
    created = {a.description: a for a in review.actions_created.all()}
    assert set(created) == {"School nurse to meet Jordan", "Jordan packs his bag the night before"}
    assert created["School nurse to meet Jordan"].agency == world.police
    assert created["Jordan packs his bag the night before"].family_member == pw.jordan
    assert Action.objects.get(pk=pw.family_action.pk).status == ActionStatus.DONE
    assert Action.objects.get(pk=pw.police_action.pk).due_on == new_due
    # ... the plan takes the next review date and records the review as a version
    plan = Plan.objects.get(pk=pw.plan.pk)
    assert plan.next_review_on == review.next_review_on
    assert plan.version > version_before
    latest = PlanVersion.objects.filter(plan=plan).order_by("-number").first()
    assert latest is not None and latest.summary.startswith("Review on 10 March 2027 recorded")
    assert latest.snapshot["next_review_on"] == review.next_review_on.isoformat()


@time_machine.travel(NOW, tick=False)
def test_next_review_defaults_to_the_configured_interval(
    world: World, pw: PlanWorld, settings: SettingsWrapper
) -> None:
    settings.ONEPLAN_REVIEW_INTERVAL_WEEKS = 8
    held = today() - datetime.timedelta(days=3)

    _post(world, pw, review_form_data(pw, **date_fields("held_on", held)))

    assert Review.objects.get().next_review_on == held + datetime.timedelta(weeks=8)


@time_machine.travel(NOW, tick=False)
def test_a_chosen_next_review_date_is_kept(world: World, pw: PlanWorld) -> None:
    chosen = today() + datetime.timedelta(weeks=7)

    _post(world, pw, review_form_data(pw, **date_fields("next_review_on", chosen)))

    assert Review.objects.get().next_review_on == chosen
    assert Plan.objects.get(pk=pw.plan.pk).next_review_on == chosen


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {**date_fields("next_review_on", datetime.date(2027, 3, 10))},
            "The next review must be after the date of this review",
        ),
        (
            {**date_fields("next_review_on", datetime.date(2027, 3, 1))},
            "The next review must be after the date of this review",
        ),
        (
            {**date_fields("held_on", datetime.date(2027, 3, 11))},
            "The date of the review must be today",
        ),
        ({**date_fields("held_on", None)}, "Enter the date of the review"),
        ({"summary": ""}, "Enter a summary of the meeting"),
        ({"new_2_description": "Book a dentist"}, "Select the goal for new action 2"),
    ],
)
@time_machine.travel(NOW, tick=False)
def test_bad_input_is_shown_with_what_was_typed_and_nothing_is_saved(
    world: World, pw: PlanWorld, overrides: dict[str, str], message: str
) -> None:
    before = counts()
    data = review_form_data(pw, summary="Typed summary stays", **{"other_attendees": "Aunt Sally"})
    data.update(overrides)

    response = _post(world, pw, data)

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "There is a problem" in html
    assert "Aunt Sally" in html
    if "summary" not in overrides:
        assert "Typed summary stays" in html
    assert counts() == before


@time_machine.travel(NOW, tick=False)
def test_each_open_goal_needs_a_rating(world: World, pw: PlanWorld) -> None:
    data = review_form_data(pw)
    del data[f"rating_{pw.goal.pk}"]

    response = _post(world, pw, data)

    assert response.status_code == 400
    assert f"Select how &#x27;{OPEN_GOAL}&#x27; is going" in response.content.decode()
    assert not Review.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_a_refused_decision_late_in_the_review_leaves_nothing_written(
    world: World, pw: PlanWorld
) -> None:
    # Given someone else changed the police action after the form was opened
    before = counts()
    plan_version = Plan.objects.get(pk=pw.plan.pk).version
    data = review_form_data(
        pw,
        **{
            "new_1_goal": str(pw.goal.pk),
            "new_1_description": "School nurse to meet Jordan",
            "new_1_owner": "family",
            **date_fields("new_1_due_on", today() + datetime.timedelta(days=5)),
            f"change_{pw.family_action.pk}_status": ActionStatus.IN_PROGRESS,
            f"change_{pw.police_action.pk}_status": ActionStatus.DONE,
            f"change_{pw.police_action.pk}_version": str(pw.police_action.version - 1),
        },
    )

    # When the review is saved, the stale change is refused after the review, its
    # ratings, a new action and another change were already written
    response = _post(world, pw, data)

    # Then none of it was kept
    assert response.status_code == 400
    assert "while you were editing" in response.content.decode()
    assert counts() == before
    assert Plan.objects.get(pk=pw.plan.pk).version == plan_version
    assert Plan.objects.get(pk=pw.plan.pk).next_review_on is None
    assert Action.objects.get(pk=pw.family_action.pk).status == ActionStatus.NOT_STARTED
    # ... and the form now carries the action's current version, so saving again works
    current = Action.objects.get(pk=pw.police_action.pk).version
    assert f'name="change_{pw.police_action.pk}_version" value="{current}"' in (
        response.content.decode()
    )
    data[f"change_{pw.police_action.pk}_version"] = str(current)
    assert _post(world, pw, data).status_code == 302
    assert Action.objects.get(pk=pw.police_action.pk).status == ActionStatus.DONE


@time_machine.travel(NOW, tick=False)
def test_a_new_action_due_in_the_past_is_refused_on_its_own_row(
    world: World, pw: PlanWorld
) -> None:
    data = review_form_data(
        pw,
        **{
            "new_2_goal": str(pw.goal.pk),
            "new_2_description": "Late one",
            "new_2_owner": "family",
            **date_fields("new_2_due_on", today() - datetime.timedelta(days=1)),
        },
    )

    response = _post(world, pw, data)

    assert response.status_code == 400
    html = response.content.decode()
    assert "The due date must be today or in the future" in html
    assert 'href="#id_new_2_due_on_day"' in html
    assert not Review.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_not_done_needs_a_reason(world: World, pw: PlanWorld) -> None:
    data = review_form_data(pw, **{f"change_{pw.family_action.pk}_status": ActionStatus.NOT_DONE})

    response = _post(world, pw, data)

    assert response.status_code == 400
    assert "was not done" in response.content.decode()
    assert not Review.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_review_pages_list_and_show_the_review(world: World, pw: PlanWorld) -> None:
    _post(world, pw, review_form_data(pw, summary="A good meeting"))
    review = Review.objects.get()
    client = client_for(world.keyworker)

    listing = client.get(reverse("plans:review-list", args=[world.own_family.reference]))
    detail = client.get(
        reverse("plans:review-detail", args=[world.own_family.reference, review.pk])
    )

    assert listing.status_code == 200
    assert "A good meeting" in listing.content.decode()
    assert "Record a review" in listing.content.decode()
    assert detail.status_code == 200
    assert "Some progress" in detail.content.decode()
    assert RESTRICTED_GOAL in detail.content.decode()


@time_machine.travel(NOW, tick=False)
def test_practitioner_sees_the_review_without_goals_that_serve_only_restricted_needs(
    world: World, pw: PlanWorld
) -> None:
    _post(world, pw, review_form_data(pw))
    review = Review.objects.get()

    response = client_for(world.practitioner).get(
        reverse("plans:review-detail", args=[world.own_family.reference, review.pk])
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert OPEN_GOAL in html
    assert RESTRICTED_GOAL not in html
    assert (
        "Record a review"
        not in client_for(world.practitioner)
        .get(reverse("plans:review-list", args=[world.own_family.reference]))
        .content.decode()
    )


@time_machine.travel(NOW, tick=False)
def test_the_review_form_offers_one_row_per_open_goal_and_action(
    world: World, pw: PlanWorld
) -> None:
    response = client_for(world.coordinator).get(
        reverse("plans:review-create", args=[world.own_family.reference])
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert f'name="rating_{pw.goal.pk}"' in html
    assert f'name="change_{pw.police_action.pk}_status"' in html
    assert 'name="new_3_description"' in html
    assert 'value="10"' in html  # today is filled in as the date of the review
