"""Nominating and screening in real Chromium, with axe-core on every page visited; the
coordinator's part without JavaScript."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from conftest import World
from families.states import FamilyStatus
from outcomes.models import Nomination, NominationStatus
from tests.browser import assert_accessible
from tests.test_journeys import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def chromium(browser: Browser) -> Browser:
    return browser


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context(java_script_enabled=True)
    yield context.new_page()
    context.close()


def test_a_key_worker_nominates_and_the_coordinator_screens(
    live_server: LiveServer,
    world: World,
    page: Page,
    chromium: Browser,
) -> None:
    base = live_server.url
    family = world.own_family

    sign_in(page, base, "keyworker", check=False)
    page.goto(f"{base}/families/{family.reference}/")
    page.get_by_role("button", name="Nominate this family for the programme").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Nominate this family for the programme"
    )
    assert_accessible(page)

    # Forgetting the problems: the message says so and the reason typed is kept.
    page.get_by_label("Why are you nominating this family?").fill("Arrears and call-outs")
    page.get_by_role("button", name="Send nomination").click()
    expect(
        page.get_by_role("link", name="Select the problems you believe the family has")
    ).to_be_visible()
    expect(page.get_by_label("Why are you nominating this family?")).to_have_value(
        "Arrears and call-outs"
    )
    assert_accessible(page)
    page.get_by_label("Secure housing").check()
    page.get_by_role("button", name="Send nomination").click()
    expect(page.get_by_text(f"You nominated {family.reference}")).to_be_visible()
    assert_accessible(page)

    page.goto(f"{base}/nominations/new-family/")
    assert_accessible(page)
    page.goto(f"{base}/nominations/")
    expect(page.get_by_role("cell", name=family.reference, exact=True)).to_be_visible()
    assert_accessible(page)

    # The coordinator checks the list and the decision page...
    coordinator_js = chromium.new_context(java_script_enabled=True)
    coordinator = coordinator_js.new_page()
    try:
        sign_in(coordinator, base, "coordinator", check=False)
        coordinator.goto(f"{base}/screening/")
        expect(
            coordinator.get_by_role("cell", name="Nominated by Early Help Hampshire")
        ).to_be_visible()
        assert_accessible(coordinator)
        coordinator.get_by_role("link", name=re.compile(family.reference)).click()
        expect(coordinator.get_by_role("heading", level=1)).to_have_text("Screen this family")
        assert_accessible(coordinator)
        coordinator.get_by_label("Not eligible").check()
        coordinator.get_by_role("button", name="Save decision").click()
        expect(
            coordinator.get_by_role("link", name="Enter why the family is not eligible")
        ).to_be_visible()
        assert_accessible(coordinator)
    finally:
        coordinator_js.close()

    # ...and decides without JavaScript: every page must still work. (axe needs scripts.)
    no_js = chromium.new_context(java_script_enabled=False)
    coordinator = no_js.new_page()
    try:
        sign_in(coordinator, base, "coordinator", check=False)
        coordinator.goto(f"{base}/screening/")
        coordinator.get_by_role("link", name=re.compile(family.reference)).click()
        coordinator.get_by_label("Eligible: move to screened").check()
        coordinator.get_by_role("button", name="Save decision").click()
        expect(coordinator.get_by_text(f"{family.reference} is screened")).to_be_visible()
        expect(
            coordinator.get_by_role("heading", name="No families are waiting for screening")
        ).to_be_visible()
    finally:
        no_js.close()

    family.refresh_from_db()
    assert family.status == FamilyStatus.SCREENED
    assert Nomination.objects.get().status == NominationStatus.ACCEPTED
