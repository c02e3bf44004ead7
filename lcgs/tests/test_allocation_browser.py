"""Allocation in real Chromium, with axe-core on every page visited: a coordinator
allocates a screened family choosing the key worker by workload, then hands it over;
the same without JavaScript."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from conftest import World
from families.models import Family, Track
from families.states import FamilyStatus
from lcgs.tests.allocation_support import screened_family
from tests.browser import assert_accessible
from tests.factories import FamilyFactory
from tests.test_journeys import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def js_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(java_script_enabled=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def no_js_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(java_script_enabled=False)
    yield context.new_page()
    context.close()


def _allocate_and_hand_over(page: Page, base: str, world: World, *, check: bool) -> Family:
    family = screened_family(world)
    # The other key worker already leads two open families.
    for _ in range(2):
        FamilyFactory(
            status=FamilyStatus.ENGAGED,
            lead_agency=world.council,
            lead_professional=world.other_keyworker,
        )
    sign_in(page, base, "coordinator", check=False)
    page.goto(f"{base}/families/{family.reference}/")
    page.get_by_role("link", name="Allocate the family").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Allocate the family")
    if check:
        assert_accessible(page)

    # Allocating with nothing chosen: every problem is named, the reason typed is kept.
    page.get_by_label("Why").fill("Agreed at the LCG meeting: school attendance")
    page.get_by_role("button", name="Allocate", exact=True).click()
    expect(page.get_by_role("link", name="Select a track")).to_be_visible()
    expect(page.get_by_role("link", name="Select a lead agency")).to_be_visible()
    expect(page.get_by_label("Why")).to_have_value("Agreed at the LCG meeting: school attendance")
    if check:
        assert_accessible(page)

    page.get_by_label("Local", exact=True).check()
    page.get_by_label("Lead agency").select_option(label="Early Help Hampshire")
    page.get_by_role("button", name="Show this agency's key workers").click()
    # Each key worker's caseload is beside their name.
    keyworker = world.keyworker.display_name
    other = world.other_keyworker.display_name
    expect(page.get_by_text("Leads 2 open families; 0 open actions")).to_be_visible()
    expect(page.get_by_label(f"{keyworker}, Family support worker")).to_be_visible()
    expect(page.get_by_label("Local", exact=True)).to_be_checked()
    if check:
        assert_accessible(page)
    page.get_by_label(f"{keyworker}, Family support worker").check()
    page.get_by_role("button", name="Allocate", exact=True).click()
    expect(page.get_by_text(f"{family.reference} allocated to {keyworker}")).to_be_visible()
    if check:
        assert_accessible(page)

    # A handover: the current lead is chosen already; the new one takes over.
    page.get_by_role("link", name="Hand over to another lead").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hand over to another lead")
    page.get_by_label(f"{other}, Family support worker").check()
    page.get_by_label("Why").fill("Caseload balance after the LCG review")
    page.get_by_role("button", name="Hand over").click()
    expect(page.get_by_text(f"{family.reference} handed over to {other}")).to_be_visible()
    expect(page.get_by_role("cell", name="Caseload balance after the LCG review")).to_be_visible()
    if check:
        assert_accessible(page)
    return Family.objects.get(pk=family.pk)


def test_a_coordinator_allocates_by_workload_and_hands_over(
    live_server: LiveServer, world: World, js_page: Page
) -> None:
    family = _allocate_and_hand_over(js_page, live_server.url, world, check=True)

    assert (family.status, family.track) == (FamilyStatus.ALLOCATED, Track.LOCAL)
    assert family.lead_professional == world.other_keyworker


def test_allocation_works_without_javascript(
    live_server: LiveServer, world: World, no_js_page: Page
) -> None:
    family = _allocate_and_hand_over(no_js_page, live_server.url, world, check=False)

    assert family.lead_professional == world.other_keyworker
