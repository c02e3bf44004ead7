"""The sf2022 outcomes framework's editor in real Chromium, with axe-core on every page:
from the list of local rules to a saved version 2."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from conftest import World
from oneplan.jobs import job_run
from oneplan.models import Job
from outcomes.models import FrameworkVersion
from tests.browser import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tab(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(java_script_enabled=True)
    yield context.new_page()
    context.close()


def test_programme_manager_changes_the_sf2022_outcomes_framework(
    live_server: LiveServer, world: World, tab: Page
) -> None:
    page = tab
    base = live_server.url
    page.goto(f"{base}/sign-in/")
    page.get_by_label("Username").fill("pm")
    page.get_by_label("Password", exact=True).fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()

    page.goto(f"{base}/outcome-plan/")
    assert_accessible(page)
    page.get_by_role("link", name="Supporting Families outcomes framework").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Supporting Families outcomes framework"
    )
    expect(page.locator("#in-force")).to_contain_text(
        "New families are assessed under Supporting Families (2022)"
    )
    assert_accessible(page)

    page.get_by_role("button", name="Change the outcomes framework").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change the outcomes framework")
    assert_accessible(page)

    # A bad value: the summary names the headline and links to the field.
    page.get_by_label("How many of the ten headlines a family needs to be identified").fill("11")
    page.get_by_role("button", name="Preview how many families this identifies").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "How many headlines a family needs must be between 1 and 10"
    )
    assert page.title().startswith("Error:")
    assert_accessible(page)

    page.get_by_label("How many of the ten headlines a family needs to be identified").fill("2")
    page.get_by_role("button", name="Preview how many families this identifies").click()
    expect(
        page.get_by_role("heading", name="Counting the families your changes would identify")
    ).to_be_visible()

    job_run(job_id=str(Job.objects.get().pk))
    page.reload()
    table = page.get_by_role("table", name=re.compile("Families with each headline"))
    expect(table).to_contain_text("Safe from domestic abuse")
    assert_accessible(page)
    page.get_by_label("What changed and why").fill("Two headlines are enough")
    page.get_by_role("button", name="Save as version 2").click()

    expect(
        page.get_by_text(re.compile("Version 2 of the outcomes framework is saved"))
    ).to_be_visible()
    assert FrameworkVersion.objects.get(framework="sf2022", version=2).parameters[
        "eligibility"
    ] == {"min_needs": 2}
    page.get_by_role("link", name="Version history").click()
    expect(page.get_by_role("cell", name="Two headlines are enough")).to_be_visible()
    assert_accessible(page)
