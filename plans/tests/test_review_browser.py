"""A key worker records a review, a note and the family's agreement in real Chromium,
with axe-core on every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from conftest import World
from plans.models import Agreement, CaseNote, Review
from plans.tests.test_review_support import OPEN_GOAL, build_plan, today
from tests.browser import assert_accessible
from tests.test_journeys import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_keyworker_records_a_review_a_note_and_the_agreement(
    live_server: LiveServer, world: World, page: Page
) -> None:
    build_plan(world)
    base = live_server.url
    reference = world.own_family.reference
    sign_in(page, base, "keyworker", check=False)

    # The review form: saving without ratings names each goal to rate, keeps the summary.
    page.goto(f"{base}/families/{reference}/plan/reviews/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a review")
    assert_accessible(page)
    page.get_by_label("Summary of the meeting").fill("Attendance is up")
    page.get_by_role("button", name="Save review").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    expect(page.get_by_role("link", name=f"Select how '{OPEN_GOAL}' is going")).to_be_visible()
    expect(page.get_by_label("Summary of the meeting")).to_have_value("Attendance is up")
    assert page.title().startswith("Error:")
    assert_accessible(page)

    # Each goal has its own section, open where something needs correcting: open the rest.
    for summary in page.locator("details.app-review-goal:not([open]) > summary").all():
        summary.click()
    for group in page.get_by_role("group", name=re.compile(r"^How is '.*' going\?")).all():
        group.get_by_label("Some progress").check()
    page.get_by_text("Add actions the meeting decided").click()
    page.get_by_role("group", name="New action 1").get_by_label("Goal").select_option(
        label=OPEN_GOAL
    )
    new_action = page.get_by_role("group", name="New action 1")
    new_action.get_by_label("What will be done").fill("Meet the head of year")
    new_action.get_by_label("Who will do it").select_option(label="The family")
    due = new_action.get_by_role("group", name="Due date")
    due.get_by_label("Day").fill("1")
    due.get_by_label("Month").fill("12")
    due.get_by_label("Year").fill("2099")
    page.get_by_role("button", name="Save review").click()
    expect(page.get_by_text("Review recorded")).to_be_visible()
    expect(page.get_by_role("cell", name="Meet the head of year")).to_be_visible()
    assert_accessible(page)
    assert Review.objects.get().actions_created.count() == 1

    # A case note, then the chronology shows it.
    page.goto(f"{base}/families/{reference}/notes/")
    assert_accessible(page)
    page.get_by_label("Note", exact=True).fill("Mum phoned to say thank you")
    page.get_by_role("button", name="Save note").click()
    expect(page.get_by_text("Note added")).to_be_visible()
    assert CaseNote.objects.count() == 1
    page.goto(f"{base}/families/{reference}/chronology/")
    expect(page.get_by_text("Mum phoned to say thank you")).to_be_visible()
    assert_accessible(page)

    # Agreement.
    page.goto(f"{base}/families/{reference}/plan/agreement/")
    assert_accessible(page)
    page.get_by_label("Day").fill(str(today().day))
    page.get_by_label("Month").fill(str(today().month))
    page.get_by_label("Year").fill(str(today().year))
    page.get_by_label("Jordan Ashby").check()
    page.get_by_label("Signed on paper").check()
    page.get_by_role("button", name="Record agreement").click()
    expect(page.get_by_text("The family's agreement to the plan is recorded")).to_be_visible()
    assert_accessible(page)
    assert Agreement.objects.count() == 1

    page.goto(f"{base}/families/{reference}/plan/print/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Our family plan")
    assert_accessible(page)
