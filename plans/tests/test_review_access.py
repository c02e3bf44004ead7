"""Who may read and record reviews and agreements, page by page and in the API.

A family outside the user's scope answers 404 like a missing one; inside it, a write the
user may not make answers 403. Every denied request changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from conftest import World, client_for
from plans.models import Review
from plans.review.services import GoalRatingInput, review_record
from plans.tests.test_review_support import (
    PlanWorld,
    agreement_form_data,
    build_plan,
    counts,
    review_form_data,
    today,
)

# persona -> (may read, may record reviews and agreement)
PERSONAS: dict[str, tuple[int, int]] = {
    "keyworker": (200, 302),  # the lead professional
    "coordinator": (200, 302),  # the family's LCG
    "practitioner": (200, 403),  # police, on the team: reads, does not run the plan
    "other_keyworker": (200, 403),  # the council (lead agency) is on the team
    "programme_manager": (200, 403),  # oversees plans, does not write them
    "auditor": (200, 403),
    "other_practitioner": (404, 404),  # the school is not on the team
    "other_coordinator": (404, 404),  # another LCG
    "sysadmin": (403, 403),  # no case data at all
}


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


def _pages(world: World, pw: PlanWorld) -> dict[str, str]:
    ref = world.own_family.reference
    review = Review.objects.get()
    return {
        "review-list": reverse("plans:review-list", args=[ref]),
        "review-detail": reverse("plans:review-detail", args=[ref, review.pk]),
        "agreement": reverse("plans:agreement", args=[ref]),
        "review-create": reverse("plans:review-create", args=[ref]),
    }


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_review_and_agreement_pages_follow_the_policy(
    world: World, reviewed: PlanWorld, persona: str
) -> None:
    read, write = PERSONAS[persona]
    client = client_for(getattr(world, persona))
    pages = _pages(world, reviewed)
    before = counts()

    for name in ("review-list", "review-detail", "agreement"):
        assert client.get(pages[name]).status_code == read, name
    assert client.get(pages["review-create"]).status_code == (200 if write == 302 else write)

    # Writes: the reviews form, then the agreement form, with valid input.
    review_response = client.post(pages["review-create"], review_form_data(reviewed))
    assert review_response.status_code == write
    if write != 302:
        assert counts() == before
    agree_response = client.post(pages["agreement"], agreement_form_data(reviewed))
    assert agree_response.status_code == write
    if write != 302:
        assert counts() == before


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


def _agreement_payload(pw: PlanWorld) -> dict[str, Any]:
    return {"agreed_on": today().isoformat(), "method": "signed", "signed_by": [pw.jordan.pk]}


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_review_and_agreement_api_follows_the_policy(
    world: World, reviewed: PlanWorld, persona: str
) -> None:
    read, write = PERSONAS[persona]
    api_write = 201 if write == 302 else write
    client = client_for(getattr(world, persona))
    urls = _api(world)
    before = counts()

    for name in ("reviews", "review", "agreements"):
        assert client.get(urls[name]).status_code == read, name
    posted: list[tuple[str, Callable[[PlanWorld], dict[str, Any]]]] = [
        ("reviews", _review_payload),
        ("agreements", _agreement_payload),
    ]
    for name, payload in posted:
        response = client.post(urls[name], payload(reviewed), content_type="application/json")
        assert response.status_code == api_write, (name, response.content)
        if api_write != 201:
            assert counts() == before


def test_anonymous_requests_change_nothing(
    world: World, reviewed: PlanWorld, client: Client
) -> None:
    pages = _pages(world, reviewed)
    urls = _api(world)
    before = counts()

    for url in pages.values():
        assert client.get(url).status_code == 302
    assert client.post(pages["review-create"], review_form_data(reviewed)).status_code == 302
    assert client.post(pages["agreement"], agreement_form_data(reviewed)).status_code == 302
    for url in urls.values():
        assert client.get(url).status_code == 403
    assert (
        client.post(
            urls["reviews"], _review_payload(reviewed), content_type="application/json"
        ).status_code
        == 403
    )
    assert counts() == before


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
