"""The eligibility panel and the Outcome Plan editor in real Chromium, with axe-core on
every page; the editor also without JavaScript."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from agencies.services import system_actor
from conftest import World
from oneplan.jobs import job_run
from oneplan.models import Job
from outcomes.assessment import services
from outcomes.models import FrameworkVersion
from tests.browser import assert_accessible
from tests.support.assessment import evidence_add

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def chromium(browser: Browser) -> Browser:
    return browser


@pytest.fixture
def tab(chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context(java_script_enabled=True)
    yield context.new_page()
    context.close()


def _sign_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()


def test_family_page_shows_eligibility_and_withholds_restricted_detail(
    live_server: LiveServer, world: World, tab: Page
) -> None:
    page = tab
    parent = world.own_family.memberships.get().person
    today = datetime.date.today()
    evidence_add(parent, "housing", today - datetime.timedelta(days=5), event="homeless")
    evidence_add(parent, "health", today - datetime.timedelta(days=9), need="mental_health")
    services.assessment_families_run(
        actor=system_actor(), family_ids=[world.own_family.pk], as_of=today
    )

    _sign_in(page, live_server.url, "pm")
    page.goto(f"{live_server.url}/families/{world.own_family.reference}/")

    section = page.get_by_role("region", name="Eligibility under Supporting Families (2022)")
    expect(section).to_contain_text("Not eligible")
    expect(section).to_contain_text("Met (restricted information)")
    expect(section).to_contain_text("homelessness on")
    expect(section).not_to_contain_text("mental health need")
    assert_accessible(page)


def test_programme_manager_edits_previews_and_saves_the_outcome_plan(
    live_server: LiveServer, world: World, tab: Page
) -> None:
    page = tab
    base = live_server.url
    _sign_in(page, base, "pm")
    page.goto(f"{base}/outcome-plan/")
    expect(
        page.get_by_text("New families are assessed under Supporting Families (2022)")
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Troubled Families Outcome Plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Troubled Families Outcome Plan")
    assert_accessible(page)

    page.get_by_role("button", name="Change the Outcome Plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change the Outcome Plan")
    assert_accessible(page)

    # A bad value: the summary links to the field, and what was typed is kept.
    page.get_by_label("Police call-outs: months to look back").first.fill("sixty")
    page.get_by_role("button", name="Preview how many families this identifies").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    link = page.get_by_role(
        "link", name="Police call-outs: months to look back must be a whole number"
    )
    expect(link.first).to_be_visible()
    expect(page.get_by_label("Police call-outs: months to look back").first).to_have_value("sixty")
    assert page.title().startswith("Error:")
    assert_accessible(page)

    page.get_by_label("Police call-outs: months to look back").first.fill("6")
    page.get_by_role("button", name="Preview how many families this identifies").click()
    expect(
        page.get_by_role("heading", name="Counting the families your changes would identify")
    ).to_be_visible()
    assert_accessible(page)

    job_run(job_id=str(Job.objects.get().pk))
    page.reload()
    expect(page.get_by_role("heading", name="What your changes would do")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("What changed and why").fill("Call-outs over 6 months")
    page.get_by_role("button", name="Save as version 2").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Troubled Families Outcome Plan")
    expect(page.get_by_text(re.compile("Version 2 of the Outcome Plan is saved"))).to_be_visible()
    assert FrameworkVersion.objects.filter(framework="tf2", version=2).exists()
    page.get_by_role("link", name="Version history").click()
    expect(page.get_by_role("cell", name="Call-outs over 6 months")).to_be_visible()
    assert_accessible(page)


def test_outcome_plan_editor_works_without_javascript(
    live_server: LiveServer,
    world: World,
    chromium: Browser,
) -> None:
    context = chromium.new_context(java_script_enabled=False)
    no_js = context.new_page()
    try:
        _sign_in(no_js, live_server.url, "pm")
        no_js.goto(f"{live_server.url}/outcome-plan/tf2/edit/")
        no_js.get_by_role("button", name="Preview how many families this identifies").click()
        expect(
            no_js.get_by_role("heading", name="Counting the families your changes would identify")
        ).to_be_visible()
        assert Job.objects.count() == 1
    finally:
        context.close()
