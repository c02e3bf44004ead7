"""A programme manager works the review queue in real Chromium: axe-core on every page
(with scripts, which axe needs), and the decisions made without JavaScript."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from conftest import World
from families.models import Family
from outcomes.models import MatchReviewStatus, SourcePerson
from outcomes.tests import test_matching_services as given
from outcomes.tests.test_matching_services import OLIVER_BORN, identity, match
from tests.browser import assert_accessible
from tests.test_journeys import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ashbys = given.ashbys


@pytest.fixture
def chromium(browser: Browser) -> Browser:
    return browser


def _page(chromium: Browser, *, scripts: bool) -> Page:
    return chromium.new_context(java_script_enabled=scripts).new_page()


def test_a_programme_manager_decides_a_match_and_undoes_a_link(
    live_server: LiveServer, world: World, ashbys: Family, chromium: Browser
) -> None:
    base = live_server.url
    harry = match(world.police, identity(given_name="Harry", date_of_birth=OLIVER_BORN)).sources[
        "P1"
    ]
    match(world.council, identity("C1"))
    bob = match(world.police, identity("P2", given_name="Bob")).sources["P2"]

    # Every page, checked by axe (which needs scripts)...
    page = _page(chromium, scripts=True)
    try:
        sign_in(page, base, "pm", check=False)
        page.goto(f"{base}/matching/reviews/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Matches to review")
        assert_accessible(page)
        page.get_by_role("link", name="Harry Ashby").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Is this the same person?")
        expect(page.get_by_role("columnheader", name="Candidate 1: Oliver Ashby")).to_be_visible()
        assert_accessible(page)
        # No choice: the error says so and the note typed is kept.
        page.get_by_label("Note (optional)").fill("Twins at the same school")
        page.get_by_role("button", name="Save decision").click()
        expect(
            page.get_by_role("link", name="Select whether this is the same person")
        ).to_be_visible()
        expect(page.get_by_label("Note (optional)")).to_have_value("Twins at the same school")
        assert_accessible(page)
        page.goto(f"{base}/people/{bob.person_id}/sources/")
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Where this person's records came from"
        )
        assert_accessible(page)
        page.get_by_role("link", name="Undo this link to Hampshire Constabulary record P2").click()
        page.get_by_role("button", name="Undo this link").click()
        expect(page.get_by_role("link", name="Enter why the link is wrong")).to_be_visible()
        assert_accessible(page)
    finally:
        page.context.close()

    # ...and the decisions themselves without JavaScript.
    page = _page(chromium, scripts=False)
    try:
        sign_in(page, base, "pm", check=False)
        page.goto(f"{base}/matching/reviews/{harry.pk}/")
        page.get_by_label("Different people: create a new person").check()
        page.get_by_role("button", name="Save decision").click()
        expect(page.get_by_text("Created a new person, Harry Ashby")).to_be_visible()
        expect(page.get_by_text("There are no matches to review")).to_be_visible()
        page.goto(f"{base}/matching/sources/{bob.pk}/unlink/")
        page.get_by_label("Why is this link wrong?").fill("Bob is Robert's brother")
        page.get_by_role("button", name="Undo this link").click()
        expect(page.get_by_text("is now a separate person, Bob Ashby")).to_be_visible()
    finally:
        page.context.close()

    harry.refresh_from_db()
    assert harry.person is not None and harry.reviews.get().status == MatchReviewStatus.NEW_PERSON
    bob = SourcePerson.objects.get(pk=bob.pk)
    assert bob.person is not None and bob.person.given_name == "Bob"
