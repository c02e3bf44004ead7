"""Journey: the data protection officer reviews records kept past their retention period.

Two closed cases are due for review. The DPO gathers them into a batch, then learns of a
claim about one family and places a legal hold on it, approves the batch, and sees that
family skipped while the other is anonymised. Every page is checked with axe.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from agencies.services import system_actor
from conftest import World
from lcgs.retention.models import RetentionBatch
from lcgs.retention.services import retention_reviews_list
from lcgs.tests.retention_support import family_ended, policies_seeded
from oneplan.jobs import job_run
from tests.browser import assert_accessible
from tests.test_journeys import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dpo_approves_a_batch_and_a_held_family_is_skipped(
    live_server: LiveServer, world: World, page: Page
) -> None:
    policies_seeded()
    # Given two closed cases whose retention period ended, listed by the nightly job.
    held = family_ended(world, closed_on=datetime.date(2018, 5, 1))
    gone = family_ended(world, closed_on=datetime.date(2018, 6, 1))
    held_name = held.memberships.get().person.family_name
    retention_reviews_list(actor=system_actor(), today=timezone.localdate())
    base = live_server.url
    sign_in(page, base, "dpo", check=False)

    # The DPO opens the retention review and sees both families due.
    # (Not in the service navigation yet: eight DPO items do not fit one line.)
    page.goto(f"{base}/retention/")
    expect(page.get_by_role("heading", name="Retention review")).to_be_visible()
    expect(page.get_by_role("cell", name=f"Family {held.reference}", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name=f"Family {gone.reference}", exact=True)).to_be_visible()
    assert_accessible(page)

    # They gather the closed cases into a batch.
    page.get_by_role("button", name=re.compile("^Start a batch.*closed case")).click()
    expect(page.get_by_role("heading", name=re.compile("^Batch \\d+: closed case"))).to_be_visible()
    batch_url = page.url
    assert_accessible(page)

    # Before approving, they place a legal hold on one family.
    page.get_by_role("link", name="Back to the retention review").click()
    page.get_by_role("link", name="Legal holds").click()
    page.get_by_role("link", name="Place a legal hold").click()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("link", name="Enter the family reference")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Family reference").fill(held.reference)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("The whole family").check()
    page.get_by_label("Reason for the hold").fill(
        "Claim against the council about this family's care"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Place the hold").click()
    expect(page.get_by_text(f"Legal hold placed on family {held.reference}")).to_be_visible()
    expect(page.get_by_role("cell", name=f"Family {held.reference}", exact=True)).to_be_visible()
    assert_accessible(page)

    # They approve the batch; OnePlan works through it in the background.
    page.goto(batch_url)
    page.get_by_role("button", name="Approve the batch").click()
    expect(
        page.get_by_role("link", name="Confirm that you have checked the records")
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_label("I have checked these records and approve what happens to them").check()
    page.get_by_role("button", name="Approve the batch").click()
    expect(page.get_by_text(re.compile("approved: OnePlan is working through it"))).to_be_visible()
    batch = RetentionBatch.objects.get()
    assert batch.job is not None
    job_run(job_id=str(batch.job.pk))

    # The held family was skipped; the other is anonymised, its reference too.
    page.reload()
    gone.refresh_from_db()
    expect(page.get_by_text("1 record anonymised, 1 skipped for a legal hold")).to_be_visible()
    expect(
        page.get_by_role("row", name=re.compile(f"Family {held.reference}.*Skipped: legal hold"))
    ).to_be_visible()
    expect(
        page.get_by_role("row", name=re.compile(f"Family {gone.reference}.*Anonymised"))
    ).to_be_visible()
    assert_accessible(page)
    assert held.memberships.get().person.family_name == held_name
    assert gone.memberships.get().person.family_name == "Anonymised"
