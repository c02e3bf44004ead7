"""Journey: a correction and a protected address, in Chromium with axe; and the doors of
the apps above families that must never show a protected address (the family's printed
plan and its PDF, the LCG caseload export), which families' own tests may not import.

A key worker corrects a family member's date of birth with a reason, finds the change
and the reason on the person's Changes page, then protects the family's address (a
refuge). A police practitioner on the team around the family, who may not see
restricted information, then sees "Protected address" on the family page, and not the
address.
"""

from __future__ import annotations

import csv
import datetime
import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from agencies.models import User
from conftest import World, build_world, client_for
from families.access.services import lawful_basis_record, team_member_add
from families.grants_models import LawfulBasisKind
from families.household import services
from families.models import Address, Family, Person
from lcgs.caseload.export import caseload_export_start
from lcgs.caseload.selectors import CaseloadQuery
from lcgs.tests.caseload_support import build_caseload
from oneplan.jobs import job_run
from plans.tests.test_review_support import build_plan, pdf_text
from tests.browser import assert_accessible
from tests.test_journeys import sign_in

REASON = "Birth certificate seen at the home visit"
REFUGE_LINE = "12 Sanctuary Row"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_key_worker_corrects_a_date_of_birth_and_protects_the_address(
    live_server: LiveServer, world: World, page: Page
) -> None:
    # Given the key worker's family, its address, and the police on the team around it
    family = world.own_family
    Address.objects.filter(pk=family.address_id).update(line_1=REFUGE_LINE)
    lawful_basis_record(
        actor=world.keyworker.user,
        family=family,
        kind=LawfulBasisKind.STATUTORY_GATEWAY,
        gateway="Children Act 1989 section 47",
        given_on=timezone.localdate(),
    )
    team_member_add(actor=world.keyworker.user, family=family, agency=world.police)
    jordan = family.memberships.select_related("person").get().person
    base = live_server.url

    # When the key worker corrects Jordan's date of birth, with the reason
    sign_in(page, base, "keyworker", check=False)
    page.goto(f"{base}/families/{family.reference}/")
    page.get_by_role("link", name="Household and address").click()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("^Correct details")).click()
    expect(page.get_by_role("heading", name="Correct Jordan Ashby's details")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Day").fill("2")
    page.get_by_label("Month").fill("7")
    page.get_by_label("Year").fill("1986")
    page.get_by_role("button", name="Save the correction").click()
    # A missing reason is refused, with what was typed kept
    expect(page.get_by_text("There is a problem")).to_be_visible()
    expect(page.get_by_label("Year")).to_have_value("1986")
    assert_accessible(page)
    page.get_by_label("Why are you correcting these details?").fill(REASON)
    page.get_by_role("button", name="Save the correction").click()

    # Then the Changes page shows the old and new date, who and why
    expect(page.get_by_role("heading", name="Changes to Jordan Ashby's records")).to_be_visible()
    expect(page.get_by_text(REASON)).to_be_visible()
    expect(page.get_by_text("1 June 1985 to 2 July 1986")).to_be_visible()
    assert_accessible(page)
    assert Person.objects.get(pk=jordan.pk).date_of_birth == datetime.date(1986, 7, 2)

    # When they protect the address
    page.goto(f"{base}/families/{family.reference}/household/")
    page.get_by_role("link", name=re.compile("^Protect")).click()
    assert_accessible(page)
    page.get_by_label("Why?").fill("The family has moved into a refuge")
    page.get_by_role("button", name="Protect the address").click()
    expect(page.get_by_text("Address protected", exact=True)).to_be_visible()
    assert Address.objects.get(pk=family.address_id).is_protected
    page.context.clear_cookies()

    # Then the police practitioner sees that it is protected, and not where it is
    sign_in(page, base, "practitioner", check=False)
    page.goto(f"{base}/families/{family.reference}/")
    expect(page.get_by_text("Protected address").first).to_be_visible()
    expect(page.get_by_text(REFUGE_LINE)).to_have_count(0)
    assert_accessible(page)


# --- The doors above families --------------------------------------------------------

CANARY = "Canaryshelterstreet"
POSTCODE = "SO22 6RF"


def _protect(family: Family, actor: User) -> None:
    services.family_address_correct(
        actor=actor,
        family=family,
        details=services.AddressDetails(postcode=POSTCODE, line_1=f"7 {CANARY}"),
        reason="Typed wrongly",
    )
    family.refresh_from_db()
    services.family_address_protect(
        actor=actor, family=family, protected=True, reason="Fled domestic abuse"
    )
    family.refresh_from_db()


def _text(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    if response.get("Content-Type") == "application/pdf":
        return pdf_text(response.content)
    return response.content.decode()


def test_the_printed_plan_and_its_pdf_never_carry_it(world: World) -> None:
    build_plan(world)
    _protect(world.own_family, world.keyworker.user)
    reference = world.own_family.reference
    for persona in ("keyworker", "programme_manager"):
        client = client_for(getattr(world, persona))
        page = _text(client, reverse("plans:plan-print", args=[reference]))
        pdf = _text(client, reverse("plans:plan-pdf", args=[reference]))
        assert CANARY not in page and POSTCODE not in page, persona
        assert CANARY not in pdf and POSTCODE not in pdf, persona
        assert reference in pdf


def test_the_lcg_caseload_export_never_carries_it(db: None) -> None:
    world = build_world()
    caseload = build_caseload(world)
    family = caseload.families["drifting"]
    _protect(family, world.coordinator.user)

    job = caseload_export_start(
        actor=world.coordinator.user, query=CaseloadQuery(), file_format="csv"
    )
    finished = job_run(job_id=str(job.pk))
    assert finished is not None and finished.result_file
    with finished.result_file.open("rb") as handle:
        content = handle.read().decode("utf-8-sig")

    rows = list(csv.reader(io.StringIO(content)))
    assert any(family.reference in row for row in rows)
    assert CANARY not in content and POSTCODE not in content
