"""The session-timeout warning in real Chromium: it appears two minutes before the idle
limit, "Stay signed in" keeps the session going, and once the session has ended the page
goes to the sign-in page, which says why.

The browser's clock is Playwright's (timers fast-forwarded); the server's is moved with
``time_machine`` for the last step, so both agree that 31 minutes have passed.
"""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from conftest import World
from tests.browser import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"


def test_the_warning_comes_before_the_timeout_and_the_sign_in_page_says_why(
    live_server: LiveServer, world: World, page: Page
) -> None:
    page.clock.install()
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_label("Username").fill("keyworker")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My families")
    # The page's scripts start its idle clock: moving the fake clock before they have run
    # (the heading can show first on a busy machine) would start it 27 minutes late.
    page.wait_for_load_state("load")
    families_url = page.url
    warning = page.locator("[data-session-timeout-warning]")
    stay = page.get_by_role("button", name="Stay signed in")
    expect(warning).to_be_hidden()

    # 27 minutes idle: no warning yet.
    page.clock.fast_forward("27:00")
    expect(warning).to_be_hidden()
    # Past 28 minutes: the warning, as an alert, with its button.
    page.clock.fast_forward("01:30")
    expect(warning).to_be_visible()
    expect(warning).to_have_attribute("role", "alert")
    expect(stay).to_be_visible()
    assert_accessible(page)

    # "Stay signed in" asks the server to keep the session, and the warning goes.
    with page.expect_response(re.compile(r"/keep-alive/$")) as kept:
        stay.click()
    assert kept.value.status == 204
    expect(warning).to_be_hidden()
    # The idle time starts again from there: 27 more minutes bring no warning.
    page.clock.fast_forward("27:00")
    expect(warning).to_be_hidden()
    assert page.url == families_url

    # Then nothing for over 30 minutes, on both clocks: the page goes to the sign-in page
    # (coming back to this page afterwards), which says why the session ended.
    with time_machine.travel(datetime.timedelta(minutes=31), tick=True):
        page.clock.fast_forward("04:10")
        expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to OnePlan")
        expect(
            page.get_by_text("You were signed out because you were inactive for 30 minutes")
        ).to_be_visible()
        assert re.search(r"\?next=%2Fmy-families%2F$|\?next=/my-families/$", page.url), page.url
        assert_accessible(page)
