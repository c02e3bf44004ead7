"""Signing in with two-step verification in real Chromium, as a person would.

The "phone" is allauth's own TOTP code generator, fed the key the set-up page shows for
people who cannot scan the QR code. Every page is checked with axe-core, and the browser
must report no Content-Security-Policy violations.
"""

from __future__ import annotations

import re
import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from playwright.sync_api import ConsoleMessage, Page, expect
from pytest_django.fixtures import SettingsWrapper
from pytest_django.live_server_helper import LiveServer

from conftest import World
from tests.browser import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"


def authenticator_app_code(secret: str) -> str:
    return str(format_hotp_value(hotp_value(secret, int(time.time()) // 30)))


def csp_violations(page: Page) -> list[str]:
    """Collects the browser's Content-Security-Policy complaints while the page is used."""
    found: list[str] = []

    def note(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            found.append(message.text)

    page.on("console", note)
    return found


def test_first_sign_in_sets_up_an_authenticator_app_then_asks_for_codes(
    live_server: LiveServer, world: World, page: Page, settings: SettingsWrapper
) -> None:
    settings.ONEPLAN_REQUIRE_MFA = True
    base = live_server.url
    violations = csp_violations(page)

    page.goto(f"{base}/sign-in/")
    assert_accessible(page)
    page.get_by_label("Username").fill("keyworker")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # No authenticator app yet: every page sends the keyworker to set one up.
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-step verification")
    expect(page.get_by_text("You need to set up two-step verification")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    assert_accessible(page)
    secret = page.locator("#authenticator-secret").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)

    page.get_by_label("Security code").fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("The code is not correct")
    assert_accessible(page)

    page.get_by_label("Security code").fill(authenticator_app_code(secret))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My families")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to OnePlan")

    # Next time: password, then a code from the app.
    page.get_by_label("Username").fill("keyworker")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
    assert_accessible(page)
    page.get_by_label("Security code").fill("999999")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    expect(page.get_by_role("link", name=re.compile("The code is not correct"))).to_be_visible()
    assert page.title().startswith("Error:")
    assert_accessible(page)
    page.get_by_label("Security code").fill(authenticator_app_code(secret))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My families")

    assert violations == []


def test_api_docs_and_admin_work_under_the_content_security_policy(
    live_server: LiveServer, world: World, page: Page
) -> None:
    violations = csp_violations(page)
    page.goto(f"{live_server.url}/sign-in/?next=/admin/")
    page.get_by_label("Username").fill("sysadmin")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    page.goto(f"{live_server.url}/admin/agencies/agency/{world.police.pk}/change/")
    expect(page.get_by_label("Code")).to_have_value("POLICE")

    page.goto(f"{live_server.url}/api/docs/")
    expect(page.get_by_role("heading", name=re.compile("OnePlan API"))).to_be_visible()
    expect(page.get_by_text("/api/auth/token/").first).to_be_visible()

    assert violations == []
