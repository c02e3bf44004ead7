"""The whole claim journey in real Chromium, with axe on every page, and a real Celery
worker making the export (issue: outcomes and payment by results):

a key worker is offered neither "Outcomes met" nor "Claimed"; a programme manager makes
a batch of two claimable families with every claim sampled and sends it to internal
audit; the internal auditor passes one claim and fails the other; the manager submits
the batch, records government's acceptance and the payment, downloads the XLSX (read
back: one row a claim, the failed claim shown as failed), and claws back the claim that
stood."""

from __future__ import annotations

import datetime
import io
import re
import time

import pytest
from django.utils import timezone
from openpyxl import load_workbook  # type: ignore[import-untyped, unused-ignore]
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from agencies.services import system_actor
from conftest import World
from families.models import Family
from families.states import FamilyStatus
from outcomes.models import Claim, ClaimBatch, ClaimBatchStatus, ClaimStatus
from outcomes.results.services import family_attach
from outcomes.tests.test_results_command import tf1_family  # noqa: F401 (fixture)
from plans.tests.test_plan_support import lawful_basis_for
from tests.browser import assert_accessible
from tests.support.assessment import evidence_add
from tests.test_journeys import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.celery,
    pytest.mark.django_db(transaction=True),
]


def _second_claimable(world: World) -> None:
    """The other family's parent: the same story as the first (off ESA, in work from
    6 January 2025: R3 met), from another DWP record."""
    parent = world.other_lcg_family.memberships.get().person
    evidence_add(
        parent,
        "benefits",
        "2024-01-01",
        "2025-01-05",
        agency_code="DWP",
        source_person_id="D-2",
        benefit="ESA",
    )
    evidence_add(parent, "asb", "2024-06-01", agency_code="POLICE", intervention="abc")
    evidence_add(parent, "domestic_abuse", "2024-05-01", agency_code="POLICE", role="victim")
    evidence_add(parent, "employment", "2025-01-06", agency_code="DWP", hours_per_week="30")


def _as(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    sign_in(page, base, username, check=False)
    page.wait_for_url(lambda url: "/sign-in/" not in url)


def _fill_date(page: Page, group_name: str, day: str, month: str, year: str) -> None:
    group = page.get_by_role("group", name=group_name)
    group.get_by_label("Day").fill(day)
    group.get_by_label("Month").fill(month)
    group.get_by_label("Year").fill(year)


def test_a_claim_batch_from_making_to_claw_back(
    live_server: LiveServer,
    tf1_family: World,  # noqa: F811
    page: Page,
    celery_worker_thread: None,
) -> None:
    world = tf1_family
    _second_claimable(world)
    for family in (world.own_family, world.other_lcg_family):
        family_attach(
            actor=system_actor(),
            family=family,
            framework="tf1",
            attached_on=datetime.date(2024, 9, 1),
        )
    # The first family's lawful basis for sharing is recorded, so the journey can move it
    # to "claimed"; the other's is not.
    lawful_basis_for(world)
    # Where the nightly evaluation has put them: their route is met (the journey's
    # own moves are tested in test_results_evaluation).
    Family.objects.filter(pk__in=[world.own_family.pk, world.other_lcg_family.pk]).update(
        status=FamilyStatus.OUTCOMES_MET
    )
    base = live_server.url

    # A key worker, on the page of the family whose outcomes are met, is offered
    # neither "Claimed" nor "Outcomes met": only events set them.
    _as(page, base, world.keyworker.user.username)
    page.goto(f"{base}/families/{world.own_family.reference}/")
    options = page.locator("input[name=to_status], select[name=to_status] option")
    expect(options.first).to_be_attached()
    offered = {options.nth(i).get_attribute("value") for i in range(options.count())}
    assert offered, "the status form offers nothing"
    assert FamilyStatus.CLAIMED.value not in offered
    assert FamilyStatus.OUTCOMES_MET.value not in offered
    assert_accessible(page)

    # The programme manager makes the batch, every claim sampled.
    _as(page, base, world.programme_manager.user.username)
    page.goto(f"{base}/claims/new/")
    _fill_date(page, "Window starts", "1", "4", "2025")
    _fill_date(page, "Window ends", "30", "9", "2025")
    page.get_by_label("Share of claims sampled for internal audit (%)").fill("100")
    page.get_by_role("button", name="Make the batch").click()
    expect(page.get_by_text("Claim batch made: 2 families proposed")).to_be_visible()
    assert_accessible(page)
    batch_url = page.url
    page.get_by_role("button", name="Send to internal audit").click()
    expect(page.get_by_text("Random sample: to do")).to_have_count(2)
    assert_accessible(page)

    # The auditor passes the first claim and fails the second.
    _as(page, base, world.auditor.user.username)
    passed, failed = world.own_family.reference, world.other_lcg_family.reference
    for reference, decision, note in (
        (passed, "Pass", ""),
        (failed, "Fail", "The employment record is not evidenced"),
    ):
        page.goto(batch_url)
        page.get_by_role("link", name=f"Audit {reference}").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Audit the claim for")
        assert_accessible(page)
        for label in (
            "Eligible at entry",
            "Whole-family assessment",
            "Family plan",
            "Key worker",
            "Outcome evidence",
        ):
            if decision == "Pass":
                page.get_by_label(label).check()
        page.get_by_label(decision, exact=True).check()
        if note:
            page.get_by_label("Note (needed for a query or a failure)").fill(note)
        page.get_by_role("button", name="Record the decision").click()
        expect(page.get_by_text("audit decision recorded")).to_be_visible()
    expect(page.get_by_text("Random sample: Passed")).to_be_visible()
    expect(page.get_by_text("Random sample: Failed")).to_be_visible()
    assert_accessible(page)

    # The manager submits, records government's acceptance and the payment.
    _as(page, base, world.programme_manager.user.username)
    page.goto(batch_url)
    page.get_by_role("button", name="Submit the batch").click()
    expect(page.get_by_text(re.compile("submitted", re.IGNORECASE)).first).to_be_visible()
    page.get_by_role("link", name="Record government's decision").click()
    assert_accessible(page)
    page.get_by_label("Accepted").check()
    page.get_by_role("button", name="Record the decision").click()
    page.get_by_role("link", name="Record a payment").click()
    assert_accessible(page)
    page.get_by_label("Amount paid (£)").fill("800")
    today = timezone.localdate()
    _fill_date(page, "Paid on", str(today.day), str(today.month), str(today.year))
    page.get_by_role("button", name="Record the payment").click()
    expect(page.get_by_text("Payment recorded")).to_be_visible()
    batch = ClaimBatch.objects.get()
    assert batch.status == ClaimBatchStatus.ACCEPTED
    standing = Claim.objects.get(status=ClaimStatus.PROPOSED)
    standing.family.refresh_from_db()
    assert standing.family.status == FamilyStatus.CLAIMED

    # The XLSX, made by the worker, downloaded and read back.
    page.goto(batch_url)
    page.get_by_role("button", name="Export as XLSX").click()
    deadline = time.monotonic() + 60
    download_link = page.get_by_role("link", name="Download the result")
    while not download_link.is_visible():
        assert time.monotonic() < deadline, "the export job did not finish within a minute"
        time.sleep(0.5)
        page.reload()
    assert_accessible(page)
    with page.expect_download() as download:
        download_link.click()
    book = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    rows = list(book.active.iter_rows(values_only=True))
    heading, body = rows[0], rows[1:]
    assert heading[:3] == ("Council code", "Family reference", "Framework")
    by_reference = {row[1]: row for row in body}
    assert set(by_reference) == {world.own_family.reference, world.other_lcg_family.reference}
    audit = heading.index("Audit result")
    assert sorted(row[audit] for row in body) == ["failed", "passed"]

    # The claim that stood is clawed back, with a reason.
    page.goto(batch_url)
    page.get_by_role("link", name=f"Claw back the claim for {standing.family.reference}").click()
    assert_accessible(page)
    page.get_by_label("Why is the claim clawed back?").fill(
        "Found later: the job ended within the 13 weeks"
    )
    page.get_by_role("button", name="Claw back the claim").click()
    expect(page.get_by_text("Found later: the job ended within the 13 weeks")).to_be_visible()
    standing.refresh_from_db()
    assert standing.status == ClaimStatus.CLAWED_BACK
