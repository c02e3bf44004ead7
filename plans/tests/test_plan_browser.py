"""The key worker builds a plan in real Chromium, with axe-core on every page, and
meets a conflict the way a user would."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from conftest import World
from plans.models import Action, Goal
from plans.plan import services
from plans.tests.test_plan_support import lawful_basis_for
from tests.browser import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"


def _sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_keyworker_builds_a_plan_and_meets_a_conflict(
    live_server: LiveServer,
    world: World,
    page: Page,
) -> None:
    base = live_server.url
    family = world.own_family
    lawful_basis_for(world)
    services.needs_identified_open(
        actor=world.keyworker.user,
        identified={
            family.pk: services.IdentifiedNeeds(
                "tf2", [("education", "Children not attending school regularly", [])]
            )
        },
    )
    _sign_in(page, base, "keyworker")

    page.goto(f"{base}/families/{family.reference}/")
    page.get_by_role("button", name="Start the plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Single family plan")
    expect(page.get_by_text("These needs have no goal yet: Children not attending")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Add a goal").click()
    page.get_by_role("button", name="Add goal").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the goal")
    assert_accessible(page)
    page.get_by_label("Goal", exact=True).fill("Jordan goes to school every day")
    page.get_by_label("Children not attending school regularly").check()
    page.get_by_label("Jordan Ashby").check()
    page.get_by_role("button", name="Add goal").click()
    expect(page.get_by_text("These needs have no goal yet")).to_have_count(0)

    page.get_by_role("link", name=re.compile("^Add an action")).click()
    assert_accessible(page)
    due = timezone.localdate() + datetime.timedelta(days=14)
    page.get_by_label("What will be done").fill("Walk Jordan to school on Mondays")
    page.get_by_label("An agency").check()
    page.get_by_label(re.compile("^Agency")).select_option(label="Hampshire Constabulary")
    page.get_by_label("Day").fill(str(due.day))
    page.get_by_label("Month").fill(str(due.month))
    page.get_by_label("Year").fill(str(due.year))
    page.get_by_role("button", name="Add action").click()
    expect(
        page.get_by_role("cell", name="Walk Jordan to school on Mondays", exact=True)
    ).to_be_visible()
    assert_accessible(page)

    # Someone else saves the action while the key worker has it open.
    page.get_by_role("link", name=re.compile("^Change Walk Jordan")).click()
    action = Action.objects.get()
    services.action_update(
        actor=world.coordinator.user,
        action=action,
        expected_version=action.version,
        description="Walk Jordan to school on Mondays and Fridays",
    )
    page.get_by_label("What will be done").fill("Walk Jordan to school every day")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("changed this action at")
    expect(
        page.get_by_role("cell", name="Walk Jordan to school on Mondays and Fridays")
    ).to_be_visible()
    expect(page.get_by_label("What will be done")).to_have_value("Walk Jordan to school every day")
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Action saved")).to_be_visible()
    assert Action.objects.get().description == "Walk Jordan to school every day"

    page.get_by_role("link", name="See all versions of the plan").click()
    assert_accessible(page)
    page.get_by_role("button", name="Compare").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Compare versions")
    assert_accessible(page)
    assert Goal.objects.get().title == "Jordan goes to school every day"
