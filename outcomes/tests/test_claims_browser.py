"""The claim pages in real Chromium: a programme manager makes a batch through the form
(GOV.UK date inputs, no JavaScript needed), replays a claim and removes a family; every
page passes axe and fits 320 px and 1920 px without hiding a column."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from conftest import World
from outcomes.tests.test_results_command import _run, tf1_family  # noqa: F401 (fixture)
from tests.browser import assert_accessible
from tests.test_journeys import sign_in
from tests.test_layout_browser import DESKTOP, PHONE, layout_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_programme_manager_makes_a_batch_in_the_browser(
    live_server: LiveServer,
    tf1_family: World,  # noqa: F811
    page: Page,
) -> None:
    _run("attach", "--person", "DWP:D-1", "--framework", "tf1", "--on", "2024-09-01")
    base = live_server.url
    sign_in(page, base, tf1_family.programme_manager.user.username, check=False)
    page.wait_for_url(lambda url: "/sign-in/" not in url)
    page.get_by_role("link", name="Claims").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Claims")
    assert_accessible(page)
    page.get_by_role("link", name="Make a claim batch").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Make a claim batch")
    assert_accessible(page)
    for field, (day, month, year) in {
        "Window starts": ("1", "4", "2025"),
        "Window ends": ("30", "9", "2025"),
    }.items():
        group = page.get_by_role("group", name=field)
        group.get_by_label("Day").fill(day)
        group.get_by_label("Month").fill(month)
        group.get_by_label("Year").fill(year)
    page.get_by_role("button", name="Make the batch").click()
    expect(page.get_by_text("Claim batch made: 1 family proposed")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Replay the decision for").click()
    expect(page.get_by_text("the rules give the same decision (route R3)")).to_be_visible()
    batch_url = page.url

    problems = {}
    for url in (f"{base}/claims/", batch_url):
        for width in (PHONE, DESKTOP):
            found = layout_problems(page, url, width)
            if found:
                problems[f"{url} at {width}px"] = found
    assert problems == {}, json.dumps(problems, indent=2)

    page.goto(batch_url)
    page.get_by_role("link", name="Remove").click()
    page.get_by_role("button", name="Remove from the batch").click()
    expect(
        page.get_by_role("link", name="Enter why the family is removed from the batch")
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Why is this family taken out of the batch?").fill("Evidence being checked")
    page.get_by_role("button", name="Remove from the batch").click()
    reference = tf1_family.own_family.reference
    expect(page.get_by_text(f"{reference} removed from the batch")).to_be_visible()
    expect(page.get_by_text("Removed from the batch: Evidence being checked")).to_be_visible()


def test_an_auditor_works_through_the_checklist_in_the_browser(
    live_server: LiveServer,
    tf1_family: World,  # noqa: F811
    page: Page,
) -> None:
    import datetime

    from outcomes.claims.audit import batch_audit_start
    from outcomes.claims.services import claim_batch_create

    _run("attach", "--person", "DWP:D-1", "--framework", "tf1", "--on", "2024-09-01")
    manager = tf1_family.programme_manager.user
    made = claim_batch_create(
        actor=manager,
        window_start=datetime.date(2025, 4, 1),
        window_end=datetime.date(2025, 9, 30),
    )
    batch_audit_start(actor=manager, batch=made.batch, seed=3)
    sign_in(page, live_server.url, tf1_family.auditor.user.username, check=False)
    page.wait_for_url(lambda url: "/sign-in/" not in url)
    page.get_by_role("link", name="Claims").first.click()
    page.get_by_role("link", name="1 April 2025 to 30 September 2025").click()
    expect(page.get_by_text("Random sample: to do")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Audit", exact=False).last.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Audit the claim for")
    assert_accessible(page)
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("link", name="Choose pass, query or fail")).to_be_visible()
    assert_accessible(page)
    for label in (
        "Eligible at entry",
        "Whole-family assessment",
        "Family plan",
        "Key worker",
        "Outcome evidence",
    ):
        page.get_by_label(label).check()
    page.get_by_label("Pass").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("audit decision recorded")).to_be_visible()
    expect(page.get_by_text("Random sample: Passed")).to_be_visible()
