"""API tokens: two-step verification, expiry, rotation, revocation and their history.

Tokens are got through the real token endpoint wherever the behaviour under test is
issuing; elsewhere ``api_token_issue`` stands in for it.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.contrib import admin
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import SettingsWrapper

from agencies.api_tokens import api_token_issue
from agencies.models import User
from agencies.services import user_deactivate
from conftest import World, client_for
from oneplan.config import Config, check_production
from oneplan.models import ApiToken, ApiTokenEvent
from tests.support.accounts import PASSWORD, give_authenticator_app, sign_in, totp_code

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
MFA_MESSAGE = "Set up two-step verification before using the API"


def families_with(token: str) -> Any:
    return Client().get("/api/families/", HTTP_AUTHORIZATION=f"Token {token}")


def refused(response: Any) -> bool:
    """The API's answer to a token that does not work (ended, revoked, never issued): 403,
    as for any request without sign-in, since session authentication comes first."""
    return bool(response.status_code == 403 and "token" in response.json()["detail"].lower())


def issue(user: User) -> str:
    return api_token_issue(actor=user, user=user).secret


def revoke_events() -> list[ApiTokenEvent]:
    return list(
        ApiTokenEvent.objects.filter(pgh_label="api_token.revoke")
        .select_related("pgh_context")
        .order_by("pgh_id")
    )


def reasons() -> list[str]:
    return [event.pgh_context.metadata["reason"] for event in revoke_events()]


# -- issuing ------------------------------------------------------------------------------


def test_the_endpoint_issues_a_token_kept_only_as_a_digest(world: World) -> None:
    with time_machine.travel(START, tick=False):
        response = Client().post(
            reverse("api-token"), {"username": "keyworker", "password": PASSWORD}
        )

    body = response.json()
    assert response.status_code == 200
    assert body["expires_at"] == "2026-03-02T21:00:00Z"
    assert body["idle_timeout_seconds"] == 30 * 60
    stored = ApiToken.objects.get(user=world.keyworker.user)
    assert body["token"] not in {stored.digest, stored.token_key}
    assert len(stored.digest) == 128
    # Each call issues a new token.
    Client().post(reverse("api-token"), {"username": "keyworker", "password": PASSWORD})
    assert ApiToken.objects.filter(user=world.keyworker.user).count() == 2


def test_issuing_is_recorded_without_the_token_or_its_digest(world: World) -> None:
    response = Client().post(reverse("api-token"), {"username": "keyworker", "password": PASSWORD})

    event = ApiTokenEvent.objects.select_related("pgh_context").get(pgh_label="api_token.issue")
    assert event.user_id == world.keyworker.user.pk
    assert event.pgh_context.metadata["user"] == world.keyworker.user.pk
    columns = {field.attname for field in ApiTokenEvent._meta.concrete_fields}
    assert not columns & {"digest", "token_key", "password_fingerprint", "last_used_at"}
    secret = response.json()["token"]
    stored = ApiToken.objects.get()
    row = ApiTokenEvent.objects.filter(pk=event.pk).values().get()
    assert not any(
        str(value) and (secret[:8] in str(value) or stored.digest in str(value))
        for value in row.values()
    )


def test_the_endpoint_refuses_a_token_without_the_code_when_mfa_is_required(
    world: World, settings: SettingsWrapper
) -> None:
    settings.ONEPLAN_REQUIRE_MFA = True
    secret = give_authenticator_app(world.keyworker.user)
    url = reverse("api-token")
    credentials = {"username": "keyworker", "password": PASSWORD}

    without = Client().post(url, credentials)
    no_app = Client().post(url, {"username": "coordinator", "password": PASSWORD})

    assert without.status_code == 400
    assert no_app.status_code == 403
    assert not ApiToken.objects.exists()
    with_code = Client().post(url, {**credentials, "code": totp_code(secret)})
    assert with_code.status_code == 200
    assert families_with(with_code.json()["token"]).status_code == 200


def test_lockout_still_applies_at_the_token_endpoint_with_mfa_required(
    world: World, settings: SettingsWrapper
) -> None:
    settings.ONEPLAN_REQUIRE_MFA = True
    secret = give_authenticator_app(world.keyworker.user)
    client = Client()
    url = reverse("api-token")
    for _ in range(5):
        client.post(url, {"username": "keyworker", "password": "wrong"})

    locked = client.post(
        url, {"username": "keyworker", "password": PASSWORD, "code": totp_code(secret)}
    )

    assert locked.status_code == 429
    assert not ApiToken.objects.exists()


# -- using a token ------------------------------------------------------------------------


def test_with_mfa_required_a_token_of_a_user_without_an_app_is_refused(
    world: World, settings: SettingsWrapper
) -> None:
    # Issued while two-step verification was not required (a demo, before this rule).
    without_app = issue(world.keyworker.user)
    with_app_user = world.coordinator.user
    give_authenticator_app(with_app_user)
    with_app = issue(with_app_user)
    settings.ONEPLAN_REQUIRE_MFA = True

    refused = families_with(without_app)

    assert refused.status_code == 403
    assert refused.json() == {"detail": MFA_MESSAGE}
    assert ApiToken.objects.get(user=world.keyworker.user).last_used_at is None
    assert families_with(with_app).status_code == 200


def test_a_plain_drf_token_no_longer_works(world: World) -> None:
    response = families_with("9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b")

    assert refused(response)
    assert response.json() == {"detail": "Invalid token."}


def test_a_token_answers_only_with_what_its_user_may_see(world: World) -> None:
    response = families_with(issue(world.keyworker.user))

    assert response.status_code == 200
    assert [row["reference"] for row in response.json()["results"]] == [world.own_family.reference]


# -- expiry -------------------------------------------------------------------------------


def test_a_token_ends_after_30_minutes_idle(world: World) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        token = issue(world.keyworker.user)
        traveller.shift(datetime.timedelta(minutes=29))
        assert families_with(token).status_code == 200
        traveller.shift(datetime.timedelta(minutes=29))
        assert families_with(token).status_code == 200

        traveller.shift(datetime.timedelta(minutes=30, seconds=1))
        response = families_with(token)

    assert refused(response)
    assert not ApiToken.objects.exists()
    assert reasons() == ["idle"]


def test_a_token_ends_12_hours_after_issue_however_active(world: World) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        token = issue(world.keyworker.user)
        for _ in range(28):  # a request every 25 minutes for 11 hours 40 minutes
            traveller.shift(datetime.timedelta(minutes=25))
            assert families_with(token).status_code == 200

        traveller.shift(datetime.timedelta(minutes=25))  # 12 hours 5 minutes
        response = families_with(token)

    assert refused(response)
    assert not ApiToken.objects.exists()
    assert reasons() == ["expired"]


def test_using_a_token_ends_the_users_other_expired_tokens(world: World) -> None:
    user = world.keyworker.user
    with time_machine.travel(START, tick=False) as traveller:
        old = ApiToken.objects.get(pk=api_token_issue(actor=user, user=user).token.pk)
        traveller.shift(datetime.timedelta(hours=1))
        fresh = issue(user)

        assert families_with(fresh).status_code == 200

    assert not ApiToken.objects.filter(pk=old.pk).exists()
    assert reasons() == ["idle"]


def test_the_limits_follow_the_settings(world: World, settings: SettingsWrapper) -> None:
    settings.ONEPLAN_API_TOKEN_IDLE = datetime.timedelta(minutes=5)
    settings.ONEPLAN_API_TOKEN_MAX_AGE = datetime.timedelta(hours=1)
    with time_machine.travel(START, tick=False) as traveller:
        idle = issue(world.keyworker.user)
        issued = ApiToken.objects.get()
        assert issued.expiry == START + datetime.timedelta(hours=1)
        traveller.shift(datetime.timedelta(minutes=6))

        assert refused(families_with(idle))


def test_the_limits_are_read_from_the_environment() -> None:
    config = Config.from_environ({"API_TOKEN_MAX_AGE_HOURS": "8", "API_TOKEN_IDLE_MINUTES": "15"})
    defaults = Config.from_environ({})

    assert (config.api_token_max_age_hours, config.api_token_idle_minutes) == (8, 15)
    assert (defaults.api_token_max_age_hours, defaults.api_token_idle_minutes) == (12, 30)


@pytest.mark.parametrize(
    ("hours", "minutes", "problem"),
    [
        (0, 30, "API_TOKEN_MAX_AGE_HOURS must be from 1 to 24"),
        (25, 30, "API_TOKEN_MAX_AGE_HOURS must be from 1 to 24"),
        (12, 0, "API_TOKEN_IDLE_MINUTES must be at least 1"),
        (1, 61, "API_TOKEN_IDLE_MINUTES must be at least 1"),
    ],
)
def test_production_refuses_token_limits_out_of_range(
    hours: int, minutes: int, problem: str
) -> None:
    config = Config(api_token_max_age_hours=hours, api_token_idle_minutes=minutes)

    with pytest.raises(ImproperlyConfigured, match=problem):
        check_production(config)


# -- rotation -----------------------------------------------------------------------------


def test_changing_the_password_revokes_every_token(world: World) -> None:
    user = world.keyworker.user
    first, second = issue(user), issue(user)
    other = issue(world.coordinator.user)
    client = Client()
    sign_in(client, "keyworker")

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": "h4Xq9vTz2Lmw", "password2": "h4Xq9vTz2Lmw"},
    )

    assert response.status_code == 302
    assert not ApiToken.objects.filter(user=user).exists()
    assert refused(families_with(first))
    assert refused(families_with(second))
    assert families_with(other).status_code == 200
    assert reasons() == ["password_changed", "password_changed"]


def test_a_password_set_elsewhere_ends_tokens_too(world: World) -> None:
    """The admin and the changepassword command set passwords without allauth."""
    user = world.keyworker.user
    token = issue(user)
    user.set_password("h4Xq9vTz2Lmw")
    user.save()

    assert refused(families_with(token))
    assert not ApiToken.objects.filter(user=user).exists()
    assert reasons() == ["password_changed"]


def test_deactivating_a_user_revokes_their_tokens(world: World) -> None:
    user = world.keyworker.user
    token = issue(user)

    user_deactivate(actor=world.sysadmin.user, user=user, reason="Left the council")

    assert refused(families_with(token))
    assert not ApiToken.objects.filter(user=user).exists()
    event = revoke_events()[0]
    assert event.pgh_context.metadata["reason"] == "user_deactivated"
    assert event.pgh_context.metadata["user"] == world.sysadmin.user.pk


# -- your own tokens: the page ------------------------------------------------------------


def test_the_page_lists_only_your_own_working_tokens(world: World) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        issue(world.keyworker.user)
        issue(world.coordinator.user)
        traveller.shift(datetime.timedelta(minutes=10))
        token = issue(world.keyworker.user)
        families_with(token)

        response = client_for(world.keyworker).get(reverse("tokens:list"))

    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="govuk-heading-l">Your API tokens</h1>' in html
    assert html.count('class="govuk-button govuk-button--warning') == 2
    assert "2 March 2026 at 9:10am" in html  # created and last used
    assert "Not used yet" in html
    assert "2 March 2026 at 9:30am" in html  # the unused one ends 30 minutes after issue
    assert "12 hours" in html


def test_the_page_needs_sign_in(db: None) -> None:
    response = Client().get(reverse("tokens:list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_you_can_revoke_your_own_token(world: World) -> None:
    issued = api_token_issue(actor=world.keyworker.user, user=world.keyworker.user)

    response = client_for(world.keyworker).post(reverse("tokens:revoke", args=[issued.token.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("tokens:list")
    assert not ApiToken.objects.exists()
    assert refused(families_with(issued.secret))
    event = revoke_events()[0]
    assert event.pgh_context.metadata["reason"] == "revoked_by_user"
    assert event.pgh_context.metadata["user"] == world.keyworker.user.pk


@pytest.mark.parametrize("who", ["anonymous", "other_keyworker", "dpo"])
def test_nobody_else_revokes_your_token_on_your_page(world: World, who: str) -> None:
    issued = api_token_issue(actor=world.keyworker.user, user=world.keyworker.user)
    client = Client() if who == "anonymous" else client_for(getattr(world, who))

    response = client.post(reverse("tokens:revoke", args=[issued.token.pk]))

    if who == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == 404
    assert ApiToken.objects.filter(pk=issued.token.pk).exists()
    assert families_with(issued.secret).status_code == 200


def test_revoking_is_a_post(world: World) -> None:
    issued = api_token_issue(actor=world.keyworker.user, user=world.keyworker.user)

    response = client_for(world.keyworker).get(reverse("tokens:revoke", args=[issued.token.pk]))

    assert response.status_code == 405
    assert ApiToken.objects.filter(pk=issued.token.pk).exists()


# -- your own tokens: the API -------------------------------------------------------------


def test_the_api_lists_your_tokens_and_marks_the_one_in_use(world: World) -> None:
    mine = api_token_issue(actor=world.keyworker.user, user=world.keyworker.user)
    other = api_token_issue(actor=world.keyworker.user, user=world.keyworker.user)
    issue(world.coordinator.user)

    response = Client().get("/api/auth/tokens/", HTTP_AUTHORIZATION=f"Token {mine.secret}")

    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()["results"]}
    assert set(rows) == {mine.token.pk, other.token.pk}
    assert rows[mine.token.pk]["current"] is True
    assert rows[other.token.pk]["current"] is False
    assert set(rows[mine.token.pk]) == {"id", "created", "last_used_at", "expires_at", "current"}


def test_the_api_revokes_your_own_token(world: World) -> None:
    issued = api_token_issue(actor=world.keyworker.user, user=world.keyworker.user)

    response = Client().delete(
        f"/api/auth/tokens/{issued.token.pk}/", HTTP_AUTHORIZATION=f"Token {issued.secret}"
    )

    assert response.status_code == 204
    assert not ApiToken.objects.exists()
    assert refused(families_with(issued.secret))
    assert reasons() == ["revoked_by_user"]
    # The history middleware saw no signed-in user (the token is read later): the
    # service names the actor itself.
    assert revoke_events()[0].pgh_context.metadata["user"] == world.keyworker.user.pk


@pytest.mark.parametrize("who", ["anonymous", "other_keyworker", "dpo"])
def test_the_api_revokes_nobody_elses_token(world: World, who: str) -> None:
    issued = api_token_issue(actor=world.keyworker.user, user=world.keyworker.user)
    headers = {}
    if who != "anonymous":
        headers["HTTP_AUTHORIZATION"] = f"Token {issue(getattr(world, who).user)}"

    response = Client().delete(f"/api/auth/tokens/{issued.token.pk}/", **headers)

    assert response.status_code == (403 if who == "anonymous" else 404)
    assert ApiToken.objects.filter(pk=issued.token.pk).exists()
    assert families_with(issued.secret).status_code == 200


def test_the_token_api_is_in_the_schema(world: World) -> None:
    schema = client_for(world.programme_manager).get("/api/schema/?format=json").json()

    assert "get" in schema["paths"]["/api/auth/tokens/"]
    assert "delete" in schema["paths"]["/api/auth/tokens/{id}/"]
    assert schema["components"]["securitySchemes"]["tokenAuth"]["type"] == "apiKey"


# -- the data protection officer ----------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("keyworker", 403),
        ("programme_manager", 403),
        ("auditor", 403),
        ("sysadmin", 403),
        ("dpo", 200),
    ],
)
def test_only_the_dpo_sees_everyones_tokens(world: World, who: str, status: int) -> None:
    issue(world.keyworker.user)
    issue(world.coordinator.user)
    client = Client() if who == "anonymous" else client_for(getattr(world, who))

    response = client.get(reverse("tokens:all"))

    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert "keyworker" in html
        assert "coordinator" in html
        assert "Showing 1 to 2 of 2 tokens" in html


def test_the_dpo_can_list_one_users_tokens(world: World) -> None:
    issue(world.keyworker.user)
    issue(world.coordinator.user)

    response = client_for(world.dpo).get(reverse("tokens:all"), {"username": "KEYWORKER"})

    assert "Showing 1 to 1 of 1 token," in response.content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("programme_manager", 403), ("sysadmin", 403), ("dpo", 302)],
)
def test_only_the_dpo_revokes_someone_elses_token(world: World, who: str, status: int) -> None:
    issued = api_token_issue(actor=world.keyworker.user, user=world.keyworker.user)
    kept = issue(world.keyworker.user)
    client = Client() if who == "anonymous" else client_for(getattr(world, who))

    response = client.post(reverse("tokens:dpo-revoke", args=[issued.token.pk]))

    assert response.status_code == status
    if who == "dpo":
        assert response["Location"] == reverse("tokens:all")
        assert not ApiToken.objects.filter(pk=issued.token.pk).exists()
        assert refused(families_with(issued.secret))
        event = revoke_events()[0]
        assert event.pgh_context.metadata["reason"] == "revoked_by_dpo"
        assert event.pgh_context.metadata["user"] == world.dpo.user.pk
    else:
        assert ApiToken.objects.filter(pk=issued.token.pk).exists()
        assert families_with(issued.secret).status_code == 200
        assert revoke_events() == []
    assert families_with(kept).status_code == 200


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("keyworker", 403), ("auditor", 403), ("dpo", 302)],
)
def test_only_the_dpo_revokes_all_of_someones_tokens(world: World, who: str, status: int) -> None:
    first, second = issue(world.keyworker.user), issue(world.keyworker.user)
    other = issue(world.coordinator.user)
    client = Client() if who == "anonymous" else client_for(getattr(world, who))

    response = client.post(reverse("tokens:dpo-revoke-user", args=[world.keyworker.user.pk]))

    assert response.status_code == status
    remaining = ApiToken.objects.filter(user=world.keyworker.user).count()
    if who == "dpo":
        assert remaining == 0
        assert refused(families_with(first))
        assert reasons() == ["revoked_by_dpo", "revoked_by_dpo"]
        page = client.get(reverse("tokens:all")).content.decode()
        assert "2 API tokens of keyworker revoked" in page
    else:
        assert remaining == 2
        assert families_with(second).status_code == 200
    assert families_with(other).status_code == 200


def test_the_dpo_revoking_a_token_that_is_gone_gets_404(world: World) -> None:
    response = client_for(world.dpo).post(reverse("tokens:dpo-revoke", args=[999999]))

    assert response.status_code == 404


def test_the_dpo_reaches_every_api_token_from_the_data_protection_page(world: World) -> None:
    dpo_page = client_for(world.dpo).get(reverse("data-protection")).content.decode()
    keyworker_page = client_for(world.keyworker).get(reverse("tokens:list")).content.decode()

    assert f'href="{reverse("tokens:all")}"' in dpo_page
    assert f'href="{reverse("tokens:all")}"' not in keyworker_page
    assert f'href="{reverse("tokens:list")}"' in keyworker_page


# -- the admin ----------------------------------------------------------------------------


def test_no_token_model_is_in_the_admin() -> None:
    registered = {model._meta.label for model in admin.site._registry}

    assert not registered & {"knox.AuthToken", "oneplan.ApiToken", "oneplan.ApiTokenEvent"}
