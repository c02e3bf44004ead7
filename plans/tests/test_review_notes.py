"""Case notes: restricted notes and who sees them, append-only. Who may read and write
them, and that denial changes nothing, is the authorisation table in plans/tests/matrix.py."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import World, client_for
from plans.models import CaseNote
from plans.review.services import case_note_add
from plans.tests.test_review_support import build_plan, counts

RESTRICTED_TEXT = "Disclosure made to the school nurse about dad"
ORDINARY_TEXT = "Jordan was on time all week"


def _url(world: World) -> str:
    return reverse("plans:case-notes", args=[world.own_family.reference])


def _api(world: World) -> str:
    return f"/api/families/{world.own_family.reference}/notes/"


@pytest.fixture
def noted(world: World) -> None:
    build_plan(world)
    family = world.own_family
    case_note_add(actor=world.keyworker.user, family=family, text=ORDINARY_TEXT)
    case_note_add(
        actor=world.keyworker.user, family=family, text=RESTRICTED_TEXT, is_restricted=True
    )


def test_practitioner_on_the_team_adds_a_note_about_a_family_member(
    world: World, noted: None
) -> None:
    jordan = world.own_family.memberships.get().person

    response = client_for(world.practitioner).post(
        _url(world), {"text": "Seen at the youth club", "person": str(jordan.pk)}
    )

    assert response.status_code == 302
    note = CaseNote.objects.get(text="Seen at the youth club")
    assert note.person == jordan
    assert note.author == world.practitioner.user
    assert note.is_restricted is False


def test_practitioner_sees_nothing_of_restricted_notes(world: World, noted: None) -> None:
    page = client_for(world.practitioner).get(_url(world)).content.decode()
    api = client_for(world.practitioner).get(_api(world)).json()

    assert ORDINARY_TEXT in page
    assert RESTRICTED_TEXT not in page
    assert "This note is restricted" not in page  # cannot write one either
    assert api["count"] == 1
    assert [n["text"] for n in api["results"]] == [ORDINARY_TEXT]


@pytest.mark.parametrize("persona", ["keyworker", "coordinator", "dpo"])
def test_the_restricted_rule_sees_restricted_notes(world: World, noted: None, persona: str) -> None:
    page = client_for(getattr(world, persona)).get(_url(world)).content.decode()
    api = client_for(getattr(world, persona)).get(_api(world)).json()

    assert RESTRICTED_TEXT in page
    assert api["count"] == 2


def test_a_practitioner_cannot_write_a_restricted_note_through_the_api(
    world: World, noted: None
) -> None:
    before = counts()

    response = client_for(world.practitioner).post(
        _api(world),
        {"text": "Intelligence", "is_restricted": True},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "is_restricted" in response.json()
    assert counts() == before


def test_key_worker_writes_a_restricted_note(world: World, noted: None) -> None:
    response = client_for(world.keyworker).post(
        _url(world), {"text": "Refuge place confirmed", "is_restricted": "on"}
    )

    assert response.status_code == 302
    assert CaseNote.objects.get(text="Refuge place confirmed").is_restricted is True


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": "   "}, "Enter the note"),
        ({"text": "x" * 10_001}, "The note must be 10,000 characters or fewer"),
        ({"text": "About someone else", "person": "999999"}, "Select a valid choice"),
    ],
)
def test_bad_input_is_shown_again_and_nothing_is_saved(
    world: World, noted: None, data: dict[str, str], message: str
) -> None:
    before = counts()

    response = client_for(world.keyworker).post(_url(world), data)

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "There is a problem" in html
    if data["text"].strip() and len(data["text"]) < 100:
        assert data["text"] in html
    assert counts() == before


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_notes_cannot_be_changed_or_deleted(world: World, noted: None, method: str) -> None:
    note = CaseNote.objects.filter(is_restricted=False).get()
    client = client_for(world.keyworker)

    response = getattr(client, method)(
        f"{_api(world)}{note.pk}/", {"text": "Edited"}, content_type="application/json"
    )

    assert response.status_code in (404, 405)
    assert CaseNote.objects.get(pk=note.pk).text == ORDINARY_TEXT


def test_the_family_page_shows_latest_notes_by_the_restricted_rule(
    world: World, noted: None
) -> None:
    page = reverse("families:detail", args=[world.own_family.reference])

    team = client_for(world.practitioner).get(page).content.decode()
    lead = client_for(world.keyworker).get(page).content.decode()

    assert "Notes and history" in team
    assert ORDINARY_TEXT in team
    assert RESTRICTED_TEXT not in team
    assert RESTRICTED_TEXT in lead
