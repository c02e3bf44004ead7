"""The add-action form in real Chromium: the owner's fields appear only once that owner is
chosen, the practitioner list follows the agency, and without JavaScript every field is
there."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from conftest import World
from plans.tests.test_review_support import build_plan
from tests.browser import assert_accessible
from tests.test_journeys import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _options(page: Page) -> list[str]:
    return page.locator("#id_practitioner option").all_inner_texts()


def test_the_owners_fields_appear_when_that_owner_is_chosen(
    live_server: LiveServer, world: World, page: Page
) -> None:
    pw = build_plan(world)
    sign_in(page, live_server.url, "keyworker", check=False)
    page.goto(
        f"{live_server.url}/families/{world.own_family.reference}/plan/goals/{pw.goal.pk}"
        "/actions/add/"
    )

    agency, member = page.locator("#id_agency"), page.locator("#id_family_member")
    expect(agency).to_be_hidden()
    expect(member).to_be_hidden()
    assert_accessible(page)

    page.get_by_label("An agency").check()
    expect(agency).to_be_visible()
    expect(member).to_be_hidden()
    everyone = _options(page)
    agency.select_option(label="Hampshire Constabulary")
    police_only = _options(page)
    assert police_only[0] == "No one named"
    assert police_only[1:] and all(o.endswith(", Hampshire Constabulary") for o in police_only[1:])
    assert len(police_only) < len(everyone)
    assert_accessible(page)

    page.get_by_label("The family (a commitment)").check()
    expect(member).to_be_visible()
    expect(agency).to_be_hidden()


def test_without_javascript_every_field_is_there(
    live_server: LiveServer, world: World, browser: Browser
) -> None:
    pw = build_plan(world)
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, live_server.url, "keyworker", check=False)
        page.goto(
            f"{live_server.url}/families/{world.own_family.reference}/plan/goals/"
            f"{pw.goal.pk}/actions/add/"
        )

        for field in ("#id_agency", "#id_practitioner", "#id_family_member"):
            expect(page.locator(field)).to_be_visible()
    finally:
        context.close()
