"""Search in real Chromium, with axe-core on every state of the page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from audit.models import AccessAction, AccessEvent
from conftest import World
from tests.browser import assert_accessible
from tests.test_journeys import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def chromium(browser: Browser) -> Browser:
    return browser


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context(java_script_enabled=True)
    yield context.new_page()
    context.close()


def test_a_key_worker_finds_a_family_despite_a_typo_and_opens_it(
    live_server: LiveServer, world: World, page: Page
) -> None:
    base = live_server.url
    sign_in(page, base, "keyworker", check=False)
    page.goto(f"{base}/search/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a person or family")
    assert_accessible(page)

    # Nothing entered: the error summary links to the field.
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    assert page.title().startswith("Error:")
    assert_accessible(page)

    # Nobody by that name: tips, and no hint of anyone hidden.
    page.get_by_label("Name or family reference").fill("Casey Brook")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="No people found")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Name or family reference").fill("Jordon Ashbey")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="1 person found")).to_be_visible()
    expect(page.get_by_role("cell", name="Jordan Ashby", exact=True)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=re.compile(world.own_family.reference)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Ashby family, {world.own_family.reference}"
    )
    assert AccessEvent.objects.filter(
        action=AccessAction.SEARCH_RESULT_OPENED, family_id=world.own_family.pk
    ).exists()


def test_search_works_without_javascript(
    live_server: LiveServer, world: World, chromium: Browser
) -> None:
    context = chromium.new_context(java_script_enabled=False)
    no_js = context.new_page()
    try:
        sign_in(no_js, live_server.url, "coordinator", check=False)
        no_js.goto(f"{live_server.url}/search/?q=ashby&postcode=so238ug")
        expect(no_js.get_by_role("cell", name="Jordan Ashby", exact=True)).to_be_visible()
    finally:
        context.close()
