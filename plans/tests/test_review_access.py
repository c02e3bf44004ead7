"""Reviews and agreements beyond the authorisation table: a review reached through
another family, and what the API says about the rows it refuses or records.

The table itself (who may read and record reviews and agreements, page by page and in the
API; every denied request changes nothing) is plans/tests/matrix.py, asked by
tests/test_permission_matrix.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from conftest import World, client_for
from plans.models import Review
from plans.review.services import GoalRatingInput, review_record
from plans.tests.test_review_support import (
    PlanWorld,
    build_plan,
    counts,
    today,
)


@pytest.fixture
def reviewed(world: World) -> PlanWorld:
    pw = build_plan(world)
    goals = pw.plan.goals.filter(status="open")
    review_record(
        actor=world.keyworker.user,
        plan=pw.plan,
        held_on=today(),
        summary="First review",
        ratings=[GoalRatingInput(g.pk, "no_change") for g in goals],
    )
    pw.plan.refresh_from_db()
    return pw


def _api(world: World) -> dict[str, str]:
    ref = world.own_family.reference
    review = Review.objects.get()
    return {
        "reviews": f"/api/families/{ref}/reviews/",
        "review": f"/api/families/{ref}/reviews/{review.pk}/",
        "agreements": f"/api/families/{ref}/agreements/",
    }


def _review_payload(pw: PlanWorld) -> dict[str, Any]:
    return {
        "held_on": today().isoformat(),
        "summary": "Through the API",
        "ratings": [
            {"goal_id": g.pk, "rating": "good_progress"}
            for g in pw.plan.goals.filter(status="open")
        ],
    }


def test_a_review_of_another_family_is_not_found(world: World, reviewed: PlanWorld) -> None:
    # The review id is real, but it belongs to own_family, not to the family in the URL.
    review = Review.objects.get()
    other = world.unassigned_family

    response = client_for(world.programme_manager).get(
        reverse("plans:review-detail", args=[other.reference, review.pk])
    )

    assert response.status_code == 404


def test_api_review_refusal_names_the_row(world: World, reviewed: PlanWorld) -> None:
    payload = _review_payload(reviewed)
    payload["new_actions"] = [
        {
            "goal_id": reviewed.goal.pk,
            "description": "Too late",
            "due_on": "2020-01-01",
        }
    ]
    before = counts()

    response = client_for(world.keyworker).post(
        _api(world)["reviews"], payload, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "new_actions.0.due_on": ["The due date must be today or in the future"]
    }
    assert counts() == before


def test_api_records_a_review(world: World, reviewed: PlanWorld) -> None:
    payload = _review_payload(reviewed)
    payload["attendee_agencies"] = ["POLICE"]
    payload["new_actions"] = [
        {
            "goal_id": reviewed.goal.pk,
            "description": "Police youth worker meets Jordan",
            "due_on": today().isoformat(),
            "agency": "POLICE",
        }
    ]

    response = client_for(world.coordinator).post(
        _api(world)["reviews"], payload, content_type="application/json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["attendee_agencies"] == ["POLICE"]
    assert [a["description"] for a in body["actions_created"]] == [
        "Police youth worker meets Jordan"
    ]
    assert Review.objects.count() == 2
