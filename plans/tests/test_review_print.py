"""The family's printed plan and PDF: plain English, and never restricted information."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AccessEvent
from conftest import World, client_for
from plans.review.pdf import pdf_text as pdf_safe
from plans.review.services import case_note_add
from plans.tests.test_review_support import (
    OPEN_ACTION,
    OPEN_GOAL,
    POLICE_ACTION,
    RESTRICTED_ACTION,
    RESTRICTED_GOAL,
    RESTRICTED_NEED,
    SECRET_STREET,
    PlanWorld,
    build_plan,
    pdf_text,
)

RESTRICTED_NOTE = "Father seen outside the refuge on Tuesday"


def _protect_address(world: World) -> None:
    address = world.own_family.address
    address.line_1 = f"4 {SECRET_STREET}"
    address.is_protected = True
    address.save()


@pytest.fixture
def printed(world: World) -> PlanWorld:
    pw = build_plan(world)
    _protect_address(world)
    case_note_add(
        actor=world.keyworker.user,
        family=world.own_family,
        text=RESTRICTED_NOTE,
        is_restricted=True,
    )
    return pw


def test_pdf_has_the_plan_in_plain_english_and_none_of_the_restricted_content(
    world: World, printed: PlanWorld
) -> None:
    # Given a plan with a restricted need, goal and action, a restricted note and a
    # protected address; when the lead professional (who may see all of it) downloads it
    response = client_for(world.keyworker).get(
        reverse("plans:plan-pdf", args=[world.own_family.reference])
    )

    # Then it is a PDF with the ordinary plan in it ...
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    for shown in ("Our family plan", OPEN_GOAL, OPEN_ACTION, POLICE_ACTION, "Education"):
        assert shown in text, shown
    assert "Hampshire Constabulary" in text
    # ... and nothing restricted, whoever prints it.
    for hidden in (RESTRICTED_NEED, RESTRICTED_GOAL, RESTRICTED_ACTION, RESTRICTED_NOTE):
        assert hidden not in text, hidden
    assert SECRET_STREET not in text
    assert SECRET_STREET.encode() not in response.content


def test_print_page_leaves_out_restricted_content(world: World, printed: PlanWorld) -> None:
    response = client_for(world.coordinator).get(
        reverse("plans:plan-print", args=[world.own_family.reference])
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Our family plan" in html
    assert OPEN_GOAL in html
    assert OPEN_ACTION in html
    for hidden in (RESTRICTED_NEED, RESTRICTED_GOAL, RESTRICTED_ACTION, RESTRICTED_NOTE):
        assert hidden not in html
    assert SECRET_STREET not in html


def test_an_unprotected_address_is_printed(world: World) -> None:
    build_plan(world)
    postcode = world.own_family.address.postcode

    response = client_for(world.keyworker).get(
        reverse("plans:plan-pdf", args=[world.own_family.reference])
    )

    assert postcode in pdf_text(response.content)


def test_every_print_and_download_is_logged_as_an_export(world: World, printed: PlanWorld) -> None:
    client = client_for(world.practitioner)
    reference = world.own_family.reference

    client.get(reverse("plans:plan-print", args=[reference]))
    client.get(reverse("plans:plan-pdf", args=[reference]))

    events = AccessEvent.objects.filter(
        user=world.practitioner.user, action="export", family_id=world.own_family.pk
    )
    assert sorted(e.detail["format"] for e in events) == ["html", "pdf"]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("keyworker", 200),
        ("coordinator", 200),
        ("practitioner", 200),  # on the team: may print the plan for the family
        ("programme_manager", 200),
        ("other_practitioner", 404),
        ("other_coordinator", 404),
        ("other_keyworker", 200),  # the council, the lead agency, is on the team
        ("sysadmin", 403),
    ],
)
@pytest.mark.parametrize("route", ["plans:plan-print", "plans:plan-pdf"])
def test_who_can_print_the_plan(
    world: World, printed: PlanWorld, persona: str, expected: int, route: str
) -> None:
    response = client_for(getattr(world, persona)).get(
        reverse(route, args=[world.own_family.reference])
    )

    assert response.status_code == expected
    logged = AccessEvent.objects.filter(user=getattr(world, persona).user, action="export").exists()
    assert logged is (expected == 200)


def test_anonymous_visitors_are_sent_to_sign_in(
    world: World, printed: PlanWorld, client: Client
) -> None:
    response = client.get(reverse("plans:plan-pdf", args=[world.own_family.reference]))

    assert response.status_code == 302
    assert "sign-in" in response["Location"]


def test_a_family_without_a_plan_has_nothing_to_print(world: World) -> None:
    response = client_for(world.keyworker).get(
        reverse("plans:plan-pdf", args=[world.own_family.reference])
    )

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("typed", "drawn"),
    [
        ("Zo\u00eb O\u2019Neill \u2013 \u201cMum\u201d", 'Zo\u00eb O\'Neill - "Mum"'),
        ("Łukasz Wójcik", "Lukasz Wójcik"),
        ("Ștefan", "Stefan"),
        ("Plain text", "Plain text"),
        ("Emoji 🙂", "Emoji ?"),
    ],
)
def test_pdf_text_keeps_names_readable_in_the_built_in_font(typed: str, drawn: str) -> None:
    assert pdf_safe(typed) == drawn
