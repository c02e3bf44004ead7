"""Main journeys in real Chromium, with axe-core on every page visited."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from conftest import World
from families.models import FamilyStatusChange
from families.states import FamilyStatus
from tests.browser import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"


def sign_in(page: Page, base_url: str, username: str, *, check: bool = True) -> None:
    page.goto(f"{base_url}/sign-in/")
    if check:
        assert_accessible(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_coordinator_reviews_caseload_and_records_a_status_change(
    live_server: LiveServer,
    world: World,
    page: Page,
) -> None:
    base = live_server.url
    family = world.own_family

    sign_in(page, base, "coordinator")

    # The coordinator starts on the dashboard of their own LCG only.
    expect(page.get_by_role("heading", level=1)).to_have_text("LCG dashboard")
    expect(page.get_by_text("The caseload of Winchester LCG")).to_be_visible()
    expect(page.get_by_text("Havant LCG")).to_have_count(0)
    assert_accessible(page)

    page.get_by_role("link", name="Caseload list", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("caseload", re.I))
    assert_accessible(page)
    page.get_by_role("link", name=family.reference).click()
    # Known by name where the coordinator may see names, and by reference.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(rf"^\S.* family, {family.reference}$")
    )
    assert_accessible(page)

    # Saving without a reason: the error summary names the problem, the choice is kept.
    # (Only the side exits are offered: events move the family along its journey.)
    expect(page.get_by_label("Screened", exact=True)).to_have_count(0)
    page.get_by_label("Moved away", exact=True).check()
    page.get_by_role("button", name="Save status").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    expect(page.get_by_role("link", name="Enter the reason for the change")).to_be_visible()
    expect(page.get_by_label("Moved away", exact=True)).to_be_checked()
    assert page.title().startswith("Error:")
    assert_accessible(page)

    page.get_by_label("Why").fill("The family moved to Devon")
    page.get_by_role("button", name="Save status").click()
    expect(page.get_by_text(f"{family.reference} is now moved away")).to_be_visible()
    expect(page.get_by_role("cell", name="The family moved to Devon")).to_be_visible()
    assert_accessible(page)

    family.refresh_from_db()
    assert family.status == FamilyStatus.MOVED_AWAY
    change = FamilyStatusChange.objects.get(family=family)
    assert change.actor == world.coordinator.user


def test_keyworker_of_another_family_cannot_find_it(
    live_server: LiveServer,
    world: World,
    page: Page,
) -> None:
    base = live_server.url
    sign_in(page, base, "other-keyworker")

    # A key worker starts on "My families": the families they lead, none yet.
    expect(page.get_by_role("heading", level=1)).to_have_text("My families")
    page.goto(f"{base}/families/")
    expect(page.get_by_text("You have no families yet")).to_be_visible()
    page.goto(f"{base}/families/{world.own_family.reference}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    page.goto(f"{base}/families/?q=Ashby")
    expect(page.get_by_text("No families match your filters")).to_be_visible()
    assert world.own_family.reference not in page.content()


def test_wrong_password_shows_an_error_and_keeps_the_username(
    live_server: LiveServer,
    world: World,
    page: Page,
) -> None:
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_label("Username").fill("keyworker")
    page.get_by_label("Password", exact=True).fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    expect(page.get_by_label("Username")).to_have_value("keyworker")
    assert_accessible(page)


def test_pages_work_without_javascript(
    live_server: LiveServer,
    world: World,
    browser: Browser,
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, live_server.url, "keyworker", check=False)
        expect(page.get_by_role("heading", level=1)).to_have_text("My families")
        page.goto(f"{live_server.url}/families/")
        page.get_by_role("link", name=world.own_family.reference).click()
        page.get_by_label("Declined", exact=True).check()
        page.get_by_label("Why").fill("The family said no at the first visit")
        page.get_by_role("button", name="Save status").click()
        # Declining ends the lead professional's grant: back to the list, told why.
        expect(page.get_by_text("is now declined. You no longer have access")).to_be_visible()
    finally:
        context.close()
