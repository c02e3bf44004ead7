"""Journey: a subject access request from receipt to the bundle.

The data protection officer records a request for a family member, gathers the records
(the background job, run here inline), withholds one record about the family, finishes
the redaction and downloads the response: the withheld record is not in it.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from audit.subject_access import services
from audit.subject_access.models import SubjectAccessRequest
from conftest import World
from oneplan.jobs import job_run
from plans.tests.test_review_support import build_plan
from tests.browser import assert_accessible
from tests.test_journeys import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dpo_takes_a_request_from_receipt_to_the_bundle(
    live_server: LiveServer, world: World, page: Page
) -> None:
    # Given a family member with a plan.
    build_plan(world)
    person = world.own_family.memberships.get().person
    base = live_server.url
    today = timezone.localdate()

    # The DPO opens the subject access requests and records one.
    sign_in(page, base, world.dpo.user.username, check=False)
    page.goto(f"{base}/audit/subject-access/")
    expect(page.get_by_role("heading", name="Subject access requests")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Record a new request").click()
    page.get_by_label("Family name").fill(person.family_name)
    page.get_by_role("button", name="Search").click()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(f"Record a request.*{person.given_name}")).click()
    page.get_by_role("button", name="Record the request").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("The person themselves").check()
    page.get_by_label("Name of the person who made the request").fill(person.full_name)
    page.get_by_label("Where to send the response").fill("1 High Street, Winchester")
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_label("Year").fill(str(today.year))
    page.get_by_role("button", name="Record the request").click()
    expect(page.get_by_text("Request recorded")).to_be_visible()
    assert_accessible(page)

    # ...gathers the records (the job runs here)...
    page.get_by_role("button", name="Gather the records").click()
    request = SubjectAccessRequest.objects.get()
    assert request.assembly_job_id is not None
    job_run(job_id=str(request.assembly_job_id))
    page.reload()
    expect(page.get_by_text(re.compile("^Gathered"))).to_be_visible()

    # ...withholds one record about the whole family...
    page.get_by_role("link", name="Review the records").click()
    assert_accessible(page)
    withheld = request.items.filter(needs_redaction=True, source_model="plans.Plan").get()
    page.get_by_role("link", name=withheld.label, exact=True).click()
    assert_accessible(page)
    page.get_by_label("Withhold the whole record").check()
    page.get_by_role("button", name="Save the decision").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    page.get_by_label("Why it is withheld").fill("About other members of the household")
    page.get_by_role("button", name="Save the decision").click()
    expect(page.get_by_text(f"Decision saved: {withheld.label}")).to_be_visible()
    for item in request.items.filter(needs_redaction=True, decided_at__isnull=True):
        services.subject_access_item_decide(actor=world.dpo.user, item=item, decision="keep")
    page.reload()
    page.get_by_role("button", name="Finish the redaction").click()
    expect(page.get_by_text("Redaction finished")).to_be_visible()
    assert_accessible(page)

    # ...and downloads the response: the withheld record is not in it.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the response (CSV)").click()
    content = download.value.path().read_text(encoding="utf-8-sig")
    items = {row[2] for row in csv.reader(io.StringIO(content))}
    assert withheld.label not in items
    assert any(label.startswith("Personal details") for label in items)
    with page.expect_download() as pdf:
        page.get_by_role("link", name="Download the response (PDF)").click()
    assert pdf.value.path().read_bytes().startswith(b"%PDF")
