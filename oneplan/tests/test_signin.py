"""Sign-in and sessions: allauth with two-step verification, axes lockout, session limits,
deactivation, passwords, Content-Security-Policy and the deployment check.

Sign-ins go through the real forms (the sign-in page, the second step, the API token
endpoint), not ``force_login``, wherever the behaviour under test is the sign-in itself.
"""

from __future__ import annotations

import datetime
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import time_machine
from allauth.core import ratelimit
from allauth.mfa.models import Authenticator
from axes.models import AccessAttempt
from django.contrib.admin.models import LogEntry
from django.contrib.auth import password_validation
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory
from django.urls import reverse
from pytest_django.fixtures import SettingsWrapper

from agencies.api_tokens import api_token_issue
from agencies.models import User, UserSession
from agencies.services import user_deactivate
from conftest import World, client_for
from oneplan.errors import ApplicationError
from oneplan.models import ApiToken
from oneplan.site.api_docs import inline_style_hashes
from oneplan.site.lockout import govuk_time, lockout_username
from tests.support.accounts import (
    PASSWORD,
    give_authenticator_app,
    recovery_codes,
    session_store,
    sign_in,
    signed_in_user,
    totp_code,
)

OTHER_IP = "10.20.30.40"


# -- helpers -----------------------------------------------------------------------------


def families_list() -> str:
    return reverse("families:list")


# -- signing in --------------------------------------------------------------------------


def test_sign_in_page_is_a_govuk_form(db: None) -> None:
    response = Client().get(reverse("login"))

    html = response.content.decode()
    assert response.status_code == 200
    assert reverse("login") == "/sign-in/"
    assert '<h1 class="govuk-heading-l">Sign in to OnePlan</h1>' in html
    assert re.search(r'<label class="govuk-label" for="id_login">Username</label>', html)
    assert re.search(r'<label class="govuk-label" for="id_password">Password</label>', html)
    assert "placeholder" not in html
    # No route to reset a password by email, or to sign up: administrators do that.
    assert "Forgot" not in html
    assert "sign up" not in html.lower()


def test_a_correct_password_signs_in_and_lands_on_the_start_page(world: World) -> None:
    client = Client()

    response = sign_in(client, "keyworker")

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert signed_in_user(client) == world.keyworker.user
    # The session is recorded against the user, so deactivating them can end it.
    assert UserSession.objects.filter(
        user=world.keyworker.user, session_key=client.session.session_key
    ).exists()


def test_a_wrong_password_is_refused_with_an_error_summary(world: World) -> None:
    client = Client()

    response = sign_in(client, "keyworker", "not-the-password")

    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Enter a correct username and password" in html
    assert 'value="keyworker"' in html
    assert html.count("<title>Error: ") == 1
    assert not signed_in_user(client).is_authenticated


def test_empty_fields_say_what_to_enter(db: None) -> None:
    response = Client().post(reverse("login"), {"login": "", "password": ""})

    html = response.content.decode()
    assert '<a href="#id_login">Enter your username</a>' in html
    assert '<a href="#id_password">Enter your password</a>' in html


def test_sign_out_is_a_post_and_ends_the_session(world: World) -> None:
    client = Client()
    sign_in(client, "keyworker")

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert not signed_in_user(client).is_authenticated


def test_no_self_sign_up_or_password_reset_by_email(db: None) -> None:
    client = Client()
    for url in ("/account/signup/", "/account/password/reset/", "/account/email/"):
        assert client.get(url).status_code == 404, url
    assert not User.objects.filter(username="newcomer").exists()


def test_force_login_still_works_for_the_test_personas(world: World) -> None:
    assert client_for(world.keyworker).get(families_list()).status_code == 200


# -- lockout (axes) ----------------------------------------------------------------------


def test_five_failures_lock_out_the_sign_in_page(world: World) -> None:
    client = Client()
    for _ in range(4):
        assert sign_in(client, "keyworker", "wrong-password").status_code == 200

    fifth = sign_in(client, "keyworker", "wrong-password")
    sixth = sign_in(client, "keyworker")  # the right password, too late

    for response in (fifth, sixth):
        assert response.status_code == 429
        html = response.content.decode()
        assert "You have been locked out" in html
        assert "You can try again after" in html
        assert "15 minutes" in html
    assert not signed_in_user(client).is_authenticated


def test_a_lockout_is_for_one_username_from_one_ip_address(world: World) -> None:
    client = Client()
    for _ in range(5):
        sign_in(client, "keyworker", "wrong-password")

    from_elsewhere = Client()
    assert sign_in(from_elsewhere, "keyworker", REMOTE_ADDR=OTHER_IP).status_code == 302
    assert signed_in_user(from_elsewhere) == world.keyworker.user

    someone_else = Client()
    assert sign_in(someone_else, "coordinator").status_code == 302
    assert signed_in_user(someone_else) == world.coordinator.user


def test_the_lockout_ends_after_15_minutes(world: World) -> None:
    start = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        client = Client()
        for _ in range(5):
            sign_in(client, "keyworker", "wrong-password")
        traveller.shift(datetime.timedelta(minutes=14))
        response = sign_in(client, "keyworker")
        assert response.status_code == 429
        assert "You can try again after <strong>9:29am</strong>" in response.content.decode()
        # That attempt started the 15 minutes again.
        traveller.shift(datetime.timedelta(minutes=16))
        assert sign_in(client, "keyworker").status_code == 302


@pytest.mark.parametrize(
    ("hour", "minute", "words"),
    [
        (9, 5, "9:05am"),
        (12, 0, "midday"),
        (0, 0, "midnight"),
        (12, 30, "12:30pm"),
        (23, 59, "11:59pm"),
    ],
)
def test_lockout_times_are_in_govuk_style(hour: int, minute: int, words: str) -> None:
    assert govuk_time(datetime.datetime(2026, 3, 2, hour, minute)) == words


def test_the_admin_has_no_password_form_of_its_own(world: World) -> None:
    """The admin sends people to the site's sign-in, with its second step and lockout."""
    client = Client()

    response = client.get("/admin/")
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")

    # Posting a correct password straight to the admin's login address signs no one in.
    client.post("/admin/login/", {"username": "sysadmin", "password": PASSWORD})
    assert not signed_in_user(client).is_authenticated

    # Through the site's sign-in, a system administrator reaches the admin.
    response = client.post(
        reverse("login") + "?next=/admin/",
        {"login": "sysadmin", "password": PASSWORD, "next": "/admin/"},
    )
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_five_failures_lock_out_the_way_into_the_admin(world: World) -> None:
    client = Client()
    next_admin = {"next": "/admin/"}
    for _ in range(5):
        client.post(reverse("login"), {"login": "sysadmin", "password": "wrong", **next_admin})

    response = client.post(reverse("login"), {"login": "sysadmin", "password": PASSWORD})

    assert response.status_code == 429
    assert client.get("/admin/").status_code == 302


def test_five_failures_lock_out_the_api_token_endpoint(world: World) -> None:
    client = Client()
    url = reverse("api-token")
    for _ in range(4):
        response = client.post(url, {"username": "keyworker", "password": "wrong"})
        assert response.status_code == 400
        assert response.json() == {"detail": "Enter a correct username and password"}

    fifth = client.post(url, {"username": "keyworker", "password": "wrong"})
    sixth = client.post(url, {"username": "keyworker", "password": PASSWORD})

    for response in (fifth, sixth):
        assert response.status_code == 429
        assert response["Content-Type"] == "application/json"
        assert "Too many failed sign-in attempts" in response.json()["detail"]
        assert "retry_after" in response.json()
    assert not ApiToken.objects.filter(user=world.keyworker.user).exists()
    # Another address, or another username, is not locked out.
    elsewhere = client.post(
        url, {"username": "keyworker", "password": PASSWORD}, REMOTE_ADDR=OTHER_IP
    )
    assert elsewhere.status_code == 200
    assert client.post(url, {"username": "coordinator", "password": PASSWORD}).status_code == 200


def case_variants(username: str, count: int) -> list[str]:
    """``count`` spellings of ``username`` that differ from it only in case."""
    letters = [index for index, char in enumerate(username) if char.isalpha()]
    variants = []
    for mask in range(1, 2 ** len(letters)):
        chars = list(username)
        for bit, index in enumerate(letters):
            if mask >> bit & 1:
                chars[index] = chars[index].upper()
        variants.append("".join(chars))
    assert len(variants) >= count
    return variants[:count]


def _site_sign_in(client: Client, username: str, password: str) -> int:
    return int(sign_in(client, username, password).status_code)


def _admin_sign_in(client: Client, username: str, password: str) -> int:
    # The admin's way in is the site's sign-in with next=/admin/ (see above).
    response = client.post(
        reverse("login") + "?next=/admin/",
        {"login": username, "password": password, "next": "/admin/"},
    )
    return int(response.status_code)


def _api_token(client: Client, username: str, password: str) -> int:
    response = client.post(reverse("api-token"), {"username": username, "password": password})
    return int(response.status_code)


DOORS = {
    "sign-in page": (_site_sign_in, "keyworker", 200, 302),
    "admin sign-in": (_admin_sign_in, "sysadmin", 200, 302),
    "API token": (_api_token, "keyworker", 400, 200),
}


@pytest.mark.parametrize("door", DOORS)
def test_failures_in_any_mixture_of_cases_lock_the_username_out(world: World, door: str) -> None:
    attempt, username, refused, accepted = DOORS[door]
    client = Client()

    statuses = [attempt(client, spelling, "wrong") for spelling in case_variants(username, 20)]

    assert statuses == [refused] * 4 + [429] * 16
    lockout = AccessAttempt.objects.get()
    assert lockout.username == username
    assert lockout.failures_since_start == 20
    # The right password is refused in every spelling, the stored one included...
    for spelling in (username, username.upper(), username.capitalize()):
        assert attempt(client, spelling, PASSWORD) == 429
    assert not signed_in_user(client).is_authenticated
    assert not ApiToken.objects.exists()
    # ...and only from this address.
    assert attempt(Client(REMOTE_ADDR=OTHER_IP), username.upper(), PASSWORD) == accepted


def test_a_correct_password_in_another_case_neither_passes_nor_clears_a_lockout(
    world: World,
) -> None:
    start = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        client = Client()
        for _ in range(5):
            sign_in(client, "keyworker", "wrong-password")

        # The report: "KEYWORKER" got in, and its success wiped the lockout of "keyworker".
        for spelling in ("KEYWORKER", "KeyWorker"):
            assert sign_in(client, spelling).status_code == 429
        api = client.post(reverse("api-token"), {"username": "KEYWORKER", "password": PASSWORD})
        assert api.status_code == 429

        assert not signed_in_user(client).is_authenticated
        assert not ApiToken.objects.filter(user=world.keyworker.user).exists()
        assert AccessAttempt.objects.get(username="keyworker").failures_since_start == 8
        assert sign_in(client, "keyworker").status_code == 429

        # Once the lockout ends, any case signs in, to the one account.
        traveller.shift(datetime.timedelta(minutes=16))
        assert sign_in(client, "KEYWORKER").status_code == 302
        assert signed_in_user(client) == world.keyworker.user


def test_signing_in_in_any_case_clears_the_failures_of_every_case(world: World) -> None:
    client = Client()
    for spelling in case_variants("keyworker", 4):
        sign_in(client, spelling, "wrong-password")

    assert sign_in(client, "keyworker").status_code == 302
    assert not AccessAttempt.objects.exists()
    client.post(reverse("logout"))

    # A fresh count: four more failures do not lock the account out.
    for _ in range(4):
        assert sign_in(client, "KeyWorker", "wrong-password").status_code == 200
    assert sign_in(client, "KEYWORKER").status_code == 302


@pytest.mark.parametrize(
    ("credentials", "post", "counted_as"),
    [
        ({"username": "keyworker"}, {}, "keyworker"),
        ({"username": "KeyWorker.30"}, {}, "keyworker.30"),
        ({"username": "  KEYWORKER  "}, {}, "keyworker"),
        ({"username": ""}, {}, ""),
        ({"username": None}, {}, None),
        (None, {"username": "KeyWorker"}, "keyworker"),  # axes' fallback: the posted form
        (None, {}, None),
    ],
)
def test_lockouts_count_the_username_in_lower_case(
    credentials: dict[str, Any] | None, post: dict[str, str], counted_as: str | None
) -> None:
    request = RequestFactory().post("/sign-in/", post)
    assert lockout_username(request, credentials) == counted_as


def test_the_api_token_endpoint_is_in_the_schema(world: World) -> None:
    schema = client_for(world.programme_manager).get("/api/schema/?format=json").json()

    operation = schema["paths"]["/api/auth/token/"]["post"]
    assert operation["operationId"] == "auth_token_create"
    assert {"200", "400", "403", "429"} <= set(operation["responses"])


# -- two-step verification ---------------------------------------------------------------


def test_with_mfa_required_a_user_without_an_app_is_sent_to_set_one_up(
    world: World, settings: SettingsWrapper
) -> None:
    settings.ONEPLAN_REQUIRE_MFA = True
    client = client_for(world.keyworker)
    set_up = reverse("mfa_activate_totp")

    for url in (reverse("home"), families_list(), f"/families/{world.own_family.reference}/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == set_up

    response = client.get(families_list(), follow=True)
    assert "You need to set up two-step verification" in response.content.decode()

    # The set-up itself, health checks and signing out still work.
    assert client.get("/healthz").status_code == 200
    assert client.post(reverse("logout")).status_code == 302


def test_with_mfa_required_the_api_refuses_a_session_without_an_app(
    world: World, settings: SettingsWrapper
) -> None:
    settings.ONEPLAN_REQUIRE_MFA = True
    client = client_for(world.keyworker)

    response = client.get("/api/families/")

    assert response.status_code == 403
    assert response.json() == {"detail": "Set up two-step verification before using the API"}


def test_with_mfa_required_the_api_gives_no_token_to_a_user_without_an_app(
    world: World, settings: SettingsWrapper
) -> None:
    settings.ONEPLAN_REQUIRE_MFA = True

    response = Client().post(reverse("api-token"), {"username": "keyworker", "password": PASSWORD})

    assert response.status_code == 403
    assert response.json() == {"detail": "Set up two-step verification before using the API"}


def test_setting_up_an_app_through_the_pages(world: World, settings: SettingsWrapper) -> None:
    settings.ONEPLAN_REQUIRE_MFA = True
    client = Client()
    sign_in(client, "keyworker")

    page = client.get(reverse("home"), follow=True)
    html = page.content.decode()
    assert page.redirect_chain[-1][0] == reverse("mfa_activate_totp")
    assert 'src="data:image/svg+xml;base64,' in html
    secret = re.search(r'<code id="authenticator-secret">([A-Z2-7]+)</code>', html)
    assert secret is not None

    wrong = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert "The code is not correct" in wrong.content.decode()

    done = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret[1])}, follow=True)
    html = done.content.decode()
    assert done.redirect_chain[-1][0] == reverse("mfa_view_recovery_codes")
    assert "Your recovery codes" in html
    assert all(code in html for code in recovery_codes(world.keyworker.user))
    assert client.get(families_list()).status_code == 200


def test_with_mfa_required_an_app_cannot_be_removed(
    world: World, settings: SettingsWrapper
) -> None:
    settings.ONEPLAN_REQUIRE_MFA = True
    secret = give_authenticator_app(world.keyworker.user)
    client = Client()
    sign_in(client, "keyworker")
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    # Changing an authenticator asks for the password again first.
    response = client.get(reverse("mfa_deactivate_totp"))
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})

    response = client.post(reverse("mfa_deactivate_totp"))

    assert "You cannot turn off two-step verification" in response.content.decode()
    assert Authenticator.objects.filter(user=world.keyworker.user, type="totp").exists()


def test_a_user_with_an_app_must_enter_a_code_after_the_password(world: World) -> None:
    secret = give_authenticator_app(world.keyworker.user)
    client = Client()

    response = sign_in(client, "keyworker")

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert not signed_in_user(client).is_authenticated
    page = client.get(reverse("mfa_authenticate")).content.decode()
    assert "Enter your security code" in page
    assert 'autocomplete="one-time-code"' in page

    wrong = client.post(reverse("mfa_authenticate"), {"code": "123456"})
    html = wrong.content.decode()
    assert wrong.status_code == 200
    assert "There is a problem" in html
    assert "The code is not correct" in html
    assert not signed_in_user(client).is_authenticated

    right = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert right.status_code == 302
    assert right["Location"] == reverse("home")
    assert signed_in_user(client) == world.keyworker.user


def test_mfa_required_lets_a_user_with_an_app_through(
    world: World, settings: SettingsWrapper
) -> None:
    settings.ONEPLAN_REQUIRE_MFA = True
    secret = give_authenticator_app(world.keyworker.user)
    client = Client()
    sign_in(client, "keyworker")
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})

    assert client.get(families_list()).status_code == 200
    assert client.get("/api/families/").status_code == 200


def test_a_recovery_code_works_once(world: World) -> None:
    give_authenticator_app(world.keyworker.user)
    code = recovery_codes(world.keyworker.user)[0]

    first = Client()
    sign_in(first, "keyworker")
    assert first.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    assert signed_in_user(first) == world.keyworker.user

    second = Client()
    sign_in(second, "keyworker")
    response = second.post(reverse("mfa_authenticate"), {"code": code})
    assert "The code is not correct" in response.content.decode()
    assert not signed_in_user(second).is_authenticated
    assert code not in recovery_codes(world.keyworker.user)


def test_cancel_on_the_second_step_signs_out(world: World) -> None:
    give_authenticator_app(world.keyworker.user)
    client = Client()
    sign_in(client, "keyworker")

    response = client.post(reverse("logout"), {"next": reverse("login")})

    assert response["Location"] == reverse("login")
    assert client.get(reverse("mfa_authenticate"))["Location"].startswith(reverse("login"))


def test_wrong_codes_are_limited_per_user(world: World, settings: SettingsWrapper) -> None:
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "5/15m/key"}
    user = world.keyworker.user
    secret = give_authenticator_app(user)
    # The limit lives in Redis, which outlives test databases (and their user ids).
    ratelimit.clear(
        RequestFactory().post("/"), action="login_failed", key=f"mfa-auth-user-{user.pk}"
    )
    client = Client()
    sign_in(client, "keyworker")
    for _ in range(5):
        client.post(reverse("mfa_authenticate"), {"code": "000000"})

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})

    assert "Too many wrong codes. Wait 15 minutes, then try again" in response.content.decode()
    assert not signed_in_user(client).is_authenticated
    ratelimit.clear(
        RequestFactory().post("/"), action="login_failed", key=f"mfa-auth-user-{user.pk}"
    )


def test_the_api_token_needs_the_code_once_an_app_is_set_up(world: World) -> None:
    secret = give_authenticator_app(world.keyworker.user)
    client = Client()
    url = reverse("api-token")
    credentials = {"username": "keyworker", "password": PASSWORD}

    without = client.post(url, credentials)
    assert without.status_code == 400
    assert "code" in without.json()["detail"]

    wrong = client.post(url, {**credentials, "code": "000000"})
    assert wrong.status_code == 400
    assert wrong.json() == {"detail": "The code is not correct"}

    right = client.post(url, {**credentials, "code": totp_code(secret)})
    assert right.status_code == 200
    issued = ApiToken.objects.get(user=world.keyworker.user)
    assert right.json()["token"].startswith(issued.token_key)
    api = Client().get("/api/families/", HTTP_AUTHORIZATION=f"Token {right.json()['token']}")
    assert api.status_code == 200


def test_wrong_api_codes_count_towards_the_lockout(world: World) -> None:
    give_authenticator_app(world.keyworker.user)
    client = Client()
    for _ in range(5):
        response = client.post(
            reverse("api-token"),
            {"username": "keyworker", "password": PASSWORD, "code": "000000"},
        )

    assert response.status_code == 429


# -- session limits ----------------------------------------------------------------------


def test_a_session_ends_after_30_minutes_idle(world: World) -> None:
    start = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        client = Client()
        sign_in(client, "keyworker")
        traveller.shift(datetime.timedelta(minutes=29))
        assert client.get(families_list()).status_code == 200

        traveller.shift(datetime.timedelta(minutes=31))
        response = client.get(families_list())

        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next={families_list()}"
        page = client.get(response["Location"]).content.decode()
        assert "You were signed out because you were inactive for 30 minutes" in page
        assert not signed_in_user(client).is_authenticated


def test_a_session_ends_12_hours_after_signing_in_however_active(world: World) -> None:
    start = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        client = Client()
        sign_in(client, "keyworker")
        # Busy all day: a request every 25 minutes for 11 hours 40 minutes.
        for _ in range(28):
            traveller.shift(datetime.timedelta(minutes=25))
            assert client.get(families_list()).status_code == 200

        traveller.shift(datetime.timedelta(minutes=25))  # 12 hours 5 minutes
        response = client.get(families_list())

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
        page = client.get(response["Location"]).content.decode()
        assert "You were signed out because you had been signed in for 12 hours" in page

        # Signing in again starts a new 12 hours.
        sign_in(client, "keyworker")
        assert client.get(families_list()).status_code == 200


def test_the_api_answers_403_once_a_session_has_ended(world: World) -> None:
    start = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        client = Client()
        sign_in(client, "keyworker")
        traveller.shift(datetime.timedelta(hours=1))

        assert client.get("/api/families/").status_code == 403


def test_signed_in_pages_are_not_stored_by_browsers(world: World) -> None:
    response = client_for(world.keyworker).get(families_list())

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


# -- deactivation ------------------------------------------------------------------------


def test_deactivating_a_user_ends_their_sessions_and_revokes_their_token(
    world: World,
) -> None:
    user = world.keyworker.user
    client = Client()
    sign_in(client, "keyworker")
    assert client.get(families_list()).status_code == 200
    session_key = client.session.session_key
    token = api_token_issue(actor=user, user=user)

    user_deactivate(actor=world.sysadmin.user, user=user, reason="Left the council")

    user.refresh_from_db()
    assert user.is_active is False
    assert not Session.objects.filter(session_key=session_key).exists()
    assert not session_store()().exists(session_key)  # gone from the cache too
    assert not UserSession.objects.filter(user=user).exists()
    assert not ApiToken.objects.filter(user=user).exists()
    response = client.get(families_list())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    api = Client().get("/api/families/", HTTP_AUTHORIZATION=f"Token {token.secret}")
    assert api.status_code in (401, 403)
    entry = LogEntry.objects.get(object_id=str(user.pk))
    assert entry.user == world.sysadmin.user
    assert entry.change_message == "Deactivated: Left the council"


def test_deactivating_needs_a_reason(world: World) -> None:
    with pytest.raises(ApplicationError, match="Enter why"):
        user_deactivate(actor=world.sysadmin.user, user=world.keyworker.user, reason="  ")

    world.keyworker.user.refresh_from_db()
    assert world.keyworker.user.is_active is True


def test_a_deactivated_user_cannot_sign_in(world: World) -> None:
    user_deactivate(actor=world.sysadmin.user, user=world.keyworker.user, reason="Left")

    client = Client()
    sign_in(client, "keyworker")

    assert not signed_in_user(client).is_authenticated
    token = client.post(reverse("api-token"), {"username": "keyworker", "password": PASSWORD})
    assert token.status_code == 400


# -- passwords ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("k7#Qz!m2Rw9", "at least 12 characters"),  # 11 characters
        ("password1234", "too common"),
        ("Password1234", "too common"),
        ("h4Xq9vTz2Lmw", None),  # 12 random characters
        ("all lower case words here", None),  # no composition rules
        ("correct-horse-battery", None),
    ],
)
def test_password_rules(db: None, password: str, problem: str | None) -> None:
    user = User(username="someone", first_name="Sam", last_name="Jones")
    if problem is None:
        password_validation.validate_password(password, user)
    else:
        with pytest.raises(ValidationError, match=problem):
            password_validation.validate_password(password, user)


def test_changing_a_password_applies_the_rules(world: World) -> None:
    client = Client()
    sign_in(client, "keyworker")

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": "password1234", "password2": "password1234"},
    )
    assert "This password is too common." in response.content.decode()

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": "h4Xq9vTz2Lmw", "password2": "h4Xq9vTz2Lmw"},
    )
    assert response.status_code == 302
    world.keyworker.user.refresh_from_db()
    assert world.keyworker.user.check_password("h4Xq9vTz2Lmw")


# -- Content-Security-Policy -------------------------------------------------------------


def test_pages_send_a_csp_whose_nonce_matches_the_inline_scripts(db: None) -> None:
    response = Client().get(reverse("login"))

    policy = response["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    nonce = re.search(r"'nonce-([^']+)'", policy)
    assert nonce is not None
    html = response.content.decode()
    inline_nonces = re.findall(r'<script(?: type="module")? nonce="([^"]+)">', html)
    assert len(inline_nonces) == 2
    assert set(inline_nonces) == {nonce[1]}
    assert "'unsafe-inline'" not in policy
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'", f"'nonce-{nonce[1]}'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "data:"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    # A new nonce for every response.
    assert nonce[1] not in Client().get(reverse("login"))["Content-Security-Policy"]


def test_the_api_docs_page_relaxes_the_policy_for_its_inline_style_only(world: World) -> None:
    response = client_for(world.programme_manager).get("/api/docs/")

    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    html = response.content.decode()
    assert "'unsafe-inline'" not in policy
    # The start-up script comes from the same address, not inline...
    assert "<script>" not in html
    assert '<script src="/api/docs/?script="></script>' in html
    script = client_for(world.programme_manager).get("/api/docs/?script=")
    assert script["Content-Type"].startswith("application/javascript")
    # ...and the one inline <style> is allowed by its hash, on this page only.
    style_src = next(d for d in policy.split(";") if d.strip().startswith("style-src"))
    assert style_src.split()[1:] == ["'self'", *inline_style_hashes()]
    assert "sha256" not in Client().get(reverse("login"))["Content-Security-Policy"]


# -- deployment --------------------------------------------------------------------------


def test_check_deploy_is_clean_with_a_safe_production_environment() -> None:
    root = Path(__file__).resolve().parents[2]
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "SECRET_KEY",
            "DEBUG",
            "DEMO_MODE",
            "ALLOWED_HOSTS",
            "DJANGO_SETTINGS_MODULE",
            # Set by the root conftest.py for Playwright; never in a deployment.
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "oneplan.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(48),  # 64 characters
            "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/oneplan",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "ALLOWED_HOSTS": "oneplan.example.gov.uk",
            "BASE_URL": "https://oneplan.example.gov.uk",
            "MFA_ENCRYPTION_KEYS": "b25lcGxhbi10ZXN0LWtleS1ub3QtZm9yLXVzZS0wMDA=",
        }
    )

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stdout + result.stderr
