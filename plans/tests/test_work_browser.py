"""My actions and my families in real Chromium: accessible, and working without JavaScript."""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from conftest import World
from plans.models import ActionStatus
from plans.tests.test_work_support import join_team, make_action, make_goal, make_need, make_plan
from tests.browser import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"


def sign_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _plan_with_work(world: World) -> None:
    today = datetime.date.today()
    join_team(world.own_family, world.police)
    plan = make_plan(world.own_family, next_review_on=today - datetime.timedelta(days=1))
    goal = make_goal(plan, title="Jordan goes to school every day")
    make_action(
        goal,
        agency=world.police,
        due_on=today - datetime.timedelta(days=2),
        description="Visit the family about the reports",
    )
    make_action(
        goal,
        agency=world.police,
        practitioner=world.practitioner,
        due_on=today + datetime.timedelta(days=3),
        status=ActionStatus.IN_PROGRESS,
        description="Call the school liaison officer",
    )
    make_need(world.own_family, members=(world.own_family.memberships.get().person,))


def test_practitioner_finds_an_overdue_action_and_opens_its_update_page(
    live_server: LiveServer,
    world: World,
    page: Page,
) -> None:
    _plan_with_work(world)
    sign_in(page, live_server.url, "practitioner")

    page.goto(f"{live_server.url}/my-actions/")

    expect(page.get_by_role("heading", level=1)).to_have_text("My actions")
    overdue = page.get_by_role("table", name="Overdue")
    expect(overdue.get_by_text("Visit the family about the reports")).to_be_visible()
    expect(overdue.locator("strong.govuk-tag--red")).to_have_text("Overdue")
    assert_accessible(page)

    page.get_by_role("link", name=re.compile(r"^Overdue \(1\)")).click()
    expect(page.get_by_text("Call the school liaison officer")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("^Update")).first.click()
    # The update page goes back to the same list of My actions.
    expect(page).to_have_url(re.compile(r"/plan/actions/\d+/progress/\?next=%2Fmy-actions%2F"))
    expect(page.get_by_role("link", name="Back to My actions")).to_be_visible()


def test_key_worker_sees_what_needs_attention_and_coordinator_filters(
    live_server: LiveServer,
    world: World,
    page: Page,
) -> None:
    _plan_with_work(world)
    sign_in(page, live_server.url, "keyworker")

    page.goto(f"{live_server.url}/my-families/")

    expect(page.get_by_role("heading", level=1)).to_have_text("My families")
    row = page.get_by_role("row", name=re.compile(world.own_family.reference))
    expect(row.get_by_text("1 overdue action")).to_be_visible()
    expect(row.get_by_text("Plan not agreed")).to_be_visible()
    expect(row.get_by_text("1 need without a goal")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_server.url, "coordinator")
    page.goto(f"{live_server.url}/my-families/")
    page.get_by_label("Key worker").select_option(label=world.keyworker.display_name)
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(rf"key_worker={world.keyworker.pk}"))
    row = page.get_by_role("row", name=re.compile(world.own_family.reference))
    expect(row.get_by_text(world.keyworker.display_name)).to_be_visible()
    assert_accessible(page)


def test_pages_work_without_javascript(
    live_server: LiveServer,
    world: World,
    browser: Browser,
) -> None:
    _plan_with_work(world)
    context = browser.new_context(java_script_enabled=False)
    try:
        no_js = context.new_page()
        sign_in(no_js, live_server.url, "keyworker")
        no_js.goto(f"{live_server.url}/my-families/")
        no_js.get_by_label("Only families that need attention").check()
        no_js.get_by_role("button", name="Apply filters").click()
        expect(no_js).to_have_url(re.compile(r"attention=on"))
        expect(no_js.get_by_text(world.own_family.reference).first).to_be_visible()
        no_js.get_by_role("button", name="Sign out").click()
        sign_in(no_js, live_server.url, "practitioner")
        no_js.goto(f"{live_server.url}/my-actions/?show=due_soon")
        expect(no_js.get_by_text("Call the school liaison officer")).to_be_visible()
    finally:
        context.close()
