"""A programme manager submits a feed in real Chromium; axe-core checks every page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from conftest import World
from oneplan.jobs import job_run
from outcomes.models import FeedSubmission, SubmissionStatus
from tests.browser import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"
BAD_FILE = (
    b"record_id,person_id,given_name,family_name,date_of_birth,postcode,incident_date,"
    b"intervention\r\n"
    b"A1,P1,Dean,Ashby,31/02/1984,SO22 4BL,2025-01-01,warning\r\n"
    b"A2,P2,Kelly,Ashby,1986-04-12,SO22 4BL,2025-01-01,telling off\r\n"
)


@pytest.fixture
def chromium(browser: Browser) -> Browser:
    return browser


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context(java_script_enabled=True)
    yield context.new_page()
    context.close()


def _sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/sign-in/")
    page.get_by_label("Username").fill("pm")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_programme_manager_submits_a_feed_and_reads_its_errors(
    live_server: LiveServer, world: World, page: Page, tmp_path: Path
) -> None:
    base = live_server.url
    _sign_in(page, base)

    page.goto(f"{base}/feeds/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Agency feeds")
    expect(page.get_by_text("No feeds have been submitted yet")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Submit a feed").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit an agency feed")
    assert_accessible(page)

    # Nothing chosen: the error summary names each problem.
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    expect(page.get_by_role("link", name="Select the agency the data comes from")).to_be_visible()
    expect(page.get_by_role("link", name="Select a file")).to_be_visible()
    assert page.title().startswith("Error:")
    assert_accessible(page)

    feed = tmp_path / "asb.csv"
    feed.write_bytes(BAD_FILE)
    page.get_by_label("Agency", exact=True).select_option(label="Hampshire Constabulary")
    page.get_by_label("Kind of feed").select_option("asb")
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("9")
    page.get_by_label("Year").fill("2025")
    page.get_by_label("File", exact=True).set_input_files(str(feed))
    page.get_by_role("button", name="Check and import").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Anti-social behaviour from Hampshire Constabulary"
    )
    expect(page.get_by_text("The file will be checked and imported")).to_be_visible()
    assert_accessible(page)

    # No worker in this test: run the queued job here, then the page shows the result
    # (it polls every 2 seconds).
    submission = FeedSubmission.objects.get()
    assert submission.job is not None
    job_run(job_id=str(submission.job.pk))
    expect(page.get_by_text("Nothing from this file was imported")).to_be_visible(timeout=10_000)
    expect(
        page.get_by_role(
            "row",
            name=re.compile("2 date_of_birth Enter date_of_birth as YYYY-MM-DD or DD.MM.YYYY"),
        )
    ).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("3 intervention"))).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Fix the file and upload it again").click()
    expect(page.get_by_label("Kind of feed")).to_have_value("asb")
    expect(page.get_by_label("Year")).to_have_value("2025")
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.REJECTED


def test_submitting_works_without_javascript(
    live_server: LiveServer, world: World, chromium: Browser, tmp_path: Path
) -> None:
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    feed = tmp_path / "asb.csv"
    feed.write_bytes(BAD_FILE)
    try:
        _sign_in(page, live_server.url)
        page.goto(f"{live_server.url}/feeds/upload/")
        page.get_by_label("Agency", exact=True).select_option(label="Hampshire Constabulary")
        page.get_by_label("Kind of feed").select_option("asb")
        page.get_by_label("Day").fill("1")
        page.get_by_label("Month").fill("9")
        page.get_by_label("Year").fill("2025")
        page.get_by_label("File", exact=True).set_input_files(str(feed))
        page.get_by_label("Import the valid rows only").check()
        page.get_by_role("button", name="Check and import").click()
        expect(page.get_by_text("The file will be checked and imported")).to_be_visible()
        expect(page.get_by_role("link", name="Refresh to see progress")).to_be_visible()
    finally:
        context.close()
    assert FeedSubmission.objects.get().valid_rows_only is True
