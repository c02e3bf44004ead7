"""Your account (password, two-step verification, recovery codes, API tokens, signing
out everywhere), and what every page says about the session ending and why it ended.

Who may use each route is in the permission matrix (agencies/tests/matrix.py, "your
account"); these tests are about what happens.
"""

from __future__ import annotations

import datetime

import time_machine
from django.conf import settings as django_settings
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from agencies.api_tokens import api_token_issue
from agencies.models import UserSession
from conftest import World, client_for
from oneplan.models import ApiToken
from oneplan.site.sessions import IDLE_UNTIL_COOKIE
from tests.support.accounts import give_authenticator_app, sign_in, signed_in_user

TIMEOUT_LINE = "You will be signed out after 30 minutes without activity"
IDLE = "You were signed out because you were inactive for 30 minutes"
ENDED = "Your session has ended: sign in again"
START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def families() -> str:
    return reverse("families:list")


def page_after_redirect(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 302
    return str(client.get(response["Location"]).content.decode())


# -- the header and the account page -----------------------------------------------------


def test_every_signed_in_page_links_to_your_account_and_says_when_the_session_ends(
    world: World,
) -> None:
    html = client_for(world.keyworker).get(families()).content.decode()
    signed_out = Client().get(reverse("login")).content.decode()

    assert f'href="{reverse("your-account")}"' in html
    assert TIMEOUT_LINE in html
    assert 'data-module="app-session-timeout"' in html
    assert 'data-idle-seconds="1800"' in html
    assert "oneplan/session-timeout.js" in html
    assert finders.find("oneplan/session-timeout.js") is not None
    for text in ("Your account", TIMEOUT_LINE, "session-timeout.js"):
        assert text not in signed_out


def test_your_account_reaches_password_two_step_verification_recovery_codes_and_tokens(
    world: World,
) -> None:
    user = world.keyworker.user
    client = client_for(world.keyworker)
    before = client.get(reverse("your-account")).content.decode()
    give_authenticator_app(user)
    api_token_issue(actor=user, user=user)

    after = client.get(reverse("your-account")).content.decode()

    assert f'href="{reverse("account_change_password")}"' in before
    assert f'href="{reverse("mfa_activate_totp")}"' in before
    assert f'href="{reverse("tokens:list")}"' in before
    assert f'href="{reverse("mfa_index")}"' in after
    assert f'href="{reverse("mfa_view_recovery_codes")}"' in after
    assert "10 of 10 left" in after
    assert "1 that works now" in after
    assert world.keyworker.agency.name in after and "Family support worker" in after


# -- signing out everywhere ----------------------------------------------------------------


def test_signing_out_everywhere_ends_other_sessions_and_tokens_but_not_this_one(
    world: World,
) -> None:
    user = world.keyworker.user
    here, elsewhere = Client(), Client()
    sign_in(here, "keyworker")
    sign_in(elsewhere, "keyworker")
    assert elsewhere.get(families()).status_code == 200
    token = api_token_issue(actor=user, user=user)

    response = here.post(reverse("sign-out-everywhere"), follow=True)

    assert "1 other session and 1 API token ended" in response.content.decode()
    assert here.get(families()).status_code == 200
    assert ENDED in page_after_redirect(elsewhere, families())
    assert not ApiToken.objects.filter(pk=token.token.pk).exists()
    assert UserSession.objects.filter(user=user).count() == 1


def test_signing_out_everywhere_through_the_api_keeps_the_token_it_was_asked_with(
    world: World,
) -> None:
    user = world.keyworker.user
    browser = Client()
    sign_in(browser, "keyworker")
    browser.get(families())
    asking = api_token_issue(actor=user, user=user)
    other = api_token_issue(actor=user, user=user)
    api = Client(HTTP_AUTHORIZATION=f"Token {asking.secret}")

    response = api.post("/api/auth/sign-out-everywhere/")

    assert response.status_code == 200
    assert response.json() == {"sessions_ended": 1, "tokens_revoked": 1}
    assert api.get("/api/families/").status_code == 200
    assert not ApiToken.objects.filter(pk=other.token.pk).exists()
    assert not signed_in_user(browser).is_authenticated


def test_signing_out_everywhere_leaves_other_people_alone(world: World) -> None:
    other = Client()
    sign_in(other, "other-keyworker")
    token = api_token_issue(actor=world.other_keyworker.user, user=world.other_keyworker.user)

    client_for(world.keyworker).post(reverse("sign-out-everywhere"))

    assert other.get(families()).status_code == 200
    assert ApiToken.objects.filter(pk=token.token.pk).exists()


# -- why a session ended -----------------------------------------------------------------


def test_the_sign_in_page_says_the_session_ended_for_inactivity_after_the_browser_dropped_it(
    world: World,
) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        client = Client()
        sign_in(client, "keyworker")
        assert client.get(families()).status_code == 200
        assert IDLE_UNTIL_COOKIE in client.cookies
        # A browser forgets the session cookie once its 30 minutes run out.
        del client.cookies[django_settings.SESSION_COOKIE_NAME]
        traveller.shift(datetime.timedelta(minutes=31))

        page = page_after_redirect(client, families())

        assert IDLE in page
        # Said once: the next page does not repeat it.
        assert IDLE not in client.get(reverse("login")).content.decode()


def test_the_sign_in_page_says_so_when_the_server_ends_an_idle_session(world: World) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        client = Client()
        sign_in(client, "keyworker")
        traveller.shift(datetime.timedelta(minutes=31))

        page = page_after_redirect(client, families())

        assert IDLE in page
        assert page.count("You were signed out") == 1


def test_a_session_ended_from_elsewhere_is_not_called_inactivity(world: World) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        client = Client()
        sign_in(client, "keyworker")
        traveller.shift(datetime.timedelta(minutes=5))
        client_for(world.keyworker).post(reverse("sign-out-everywhere"))

        page = page_after_redirect(client, families())

        assert ENDED in page
        assert IDLE not in page


def test_signing_out_yourself_gives_no_timeout_message(world: World) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        client = Client()
        sign_in(client, "keyworker")
        client.post(reverse("logout"))
        traveller.shift(datetime.timedelta(hours=1))

        page = page_after_redirect(client, families())

        assert IDLE not in page and ENDED not in page
        assert (
            IDLE_UNTIL_COOKIE not in client.cookies or not client.cookies[IDLE_UNTIL_COOKIE].value
        )


def test_stay_signed_in_restarts_the_idle_time(world: World) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        client = Client()
        sign_in(client, "keyworker")
        traveller.shift(datetime.timedelta(minutes=25))

        kept = client.get(reverse("session-keep-alive"))
        traveller.shift(datetime.timedelta(minutes=25))

        assert kept.status_code == 204
        assert client.get(families()).status_code == 200


def test_keeping_alive_needs_a_session(db: None) -> None:
    response = Client().get(reverse("session-keep-alive"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
