"""Staff administration through the API: the same services as the pages, refusals as
400 naming the field, and a set-up link given once. Who may call each route is in the
permission matrix (agencies/tests/matrix.py)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from allauth.mfa.models import Authenticator
from django.test import Client

from agencies.api_tokens import api_token_issue
from agencies.models import Staff
from agencies.roles import Role
from agencies.services import OWN_ACCESS_REFUSED
from conftest import World, client_for
from oneplan.models import ApiToken
from tests.support.accounts import give_authenticator_app


def invite_body(world: World, **changes: Any) -> dict[str, Any]:
    return {
        "username": "jsmith",
        "first_name": "Jo",
        "last_name": "Smith",
        "email": "jo@example.org",
        "agency": world.council.code,
        "job_title": "LCG coordinator",
        "roles": [Role.LCG_COORDINATOR.value],
        "lcgs": [world.winchester.code],
        **changes,
    }


def token_client(world: World) -> Client:
    issued = api_token_issue(actor=world.sysadmin.user, user=world.sysadmin.user)
    return Client(HTTP_AUTHORIZATION=f"Token {issued.secret}")


def test_inviting_gives_the_staff_member_and_a_set_up_link_once(world: World) -> None:
    response = token_client(world).post(
        "/api/staff/", invite_body(world), content_type="application/json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["staff"]["username"] == "jsmith"
    assert body["staff"]["status"] == "invited"
    assert body["staff"]["roles"] == ["lcg_coordinator"]
    assert body["staff"]["lcgs"] == [world.winchester.code]
    assert body["staff"]["last_login"] is None
    set_up = urlparse(body["set_up_link"]).path
    assert Client().get(set_up).status_code == 200
    assert body["expires_at"]


def test_refusals_name_the_field(world: World) -> None:
    client = token_client(world)
    cases = [
        ({"roles": []}, "roles"),
        ({"roles": ["wizard"]}, "roles"),
        ({"username": "keyworker"}, "username"),
        ({"agency": "NO-SUCH"}, "agency"),
        ({"lcgs": []}, "lcgs"),
        ({"roles": ["family_support_worker"]}, "lcgs"),
        ({"email": "not-an-address"}, "email"),
    ]
    for changes, field in cases:
        response = client.post(
            "/api/staff/", invite_body(world, **changes), content_type="application/json"
        )
        assert response.status_code == 400, (changes, response.content)
        assert list(response.json()) == [field], (changes, response.json())
    assert not Staff.objects.filter(user__username="jsmith").exists()


def test_the_list_filters_by_role_status_and_agency(world: World) -> None:
    client = token_client(world)
    client.post("/api/staff/", invite_body(world), content_type="application/json")

    def usernames(**params: str) -> set[str]:
        response = client.get("/api/staff/", params)
        assert response.status_code == 200, response.content
        return {row["username"] for row in response.json()["results"]}

    assert usernames(role="lcg_coordinator") == {"coordinator", "other-coordinator", "jsmith"}
    assert usernames(status="invited") == {"jsmith"}
    assert usernames(agency=world.police.code) == {"practitioner"}
    assert usernames(name="other-key") == {"other-keyworker"}
    assert client.get("/api/staff/", {"role": "wizard"}).status_code == 400


def test_changing_deactivating_and_resetting(world: World) -> None:
    client = token_client(world)
    keyworker = world.keyworker
    give_authenticator_app(keyworker.user)
    api_token_issue(actor=keyworker.user, user=keyworker.user)
    url = f"/api/staff/{keyworker.pk}/"

    changed = client.put(
        url,
        invite_body(
            world,
            first_name="Kim",
            roles=["family_support_worker", "lcg_coordinator"],
            lcgs=[world.havant.code],
        ),
        content_type="application/json",
    )
    no_reason = client.post(f"{url}deactivate/", {}, content_type="application/json")
    reset = client.post(
        f"{url}reset-two-step-verification/",
        {"reason": "Lost phone"},
        content_type="application/json",
    )
    deactivated = client.post(
        f"{url}deactivate/", {"reason": "Left"}, content_type="application/json"
    )

    assert changed.status_code == 200, changed.content
    assert changed.json()["first_name"] == "Kim"
    assert changed.json()["lcgs"] == [world.havant.code]
    assert no_reason.status_code == 400
    assert list(no_reason.json()) == ["reason"]
    assert reset.status_code == 200
    assert reset.json()["two_step_verification"] is False
    assert not Authenticator.objects.filter(user=keyworker.user).exists()
    assert deactivated.status_code == 200
    assert deactivated.json()["status"] == "deactivated"
    assert not ApiToken.objects.filter(user=keyworker.user).exists()


def test_no_one_changes_their_own_roles_through_the_api(world: World) -> None:
    me = world.sysadmin

    response = token_client(world).put(
        f"/api/staff/{me.pk}/",
        invite_body(world, roles=["system_administrator", "data_protection_officer"], lcgs=[]),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [OWN_ACCESS_REFUSED]}
    me.refresh_from_db()
    assert me.roles == ["system_administrator"]


def test_a_new_set_up_link_only_for_someone_invited(world: World) -> None:
    client = token_client(world)
    invited = client.post("/api/staff/", invite_body(world), content_type="application/json")
    staff_id = invited.json()["staff"]["id"]

    renewed = client.post(f"/api/staff/{staff_id}/set-up-link/")
    refused = client.post(f"/api/staff/{world.keyworker.pk}/set-up-link/")

    assert renewed.status_code == 201
    assert Client().get(urlparse(invited.json()["set_up_link"]).path).status_code == 404
    assert Client().get(urlparse(renewed.json()["set_up_link"]).path).status_code == 200
    assert refused.status_code == 400
    assert "already set their password" in refused.json()["non_field_errors"][0]


def test_an_unknown_member_of_staff_is_404(world: World) -> None:
    client = client_for(world.sysadmin)

    assert client.get("/api/staff/999999/").status_code == 404
    assert client.get("/api/staff/nobody/").status_code == 404
