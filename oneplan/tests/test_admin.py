"""The admin hands nobody someone else's access: every door a security review tried.

A system administrator manages accounts but sees no case data (DOMAIN.md section 2). The
review found that through the admin they could mint an API token for the data protection
officer, give their own staff profile a case-work role, and read everyone's TOTP secret.
Each door has a test here; the secrets' encryption is tested in test_mfa_secrets.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from agencies.api_tokens import api_token_issue
from agencies.lcgs.services import lcg_membership_delete, lcg_membership_save
from agencies.models import AuthenticatorEvent, LCGMembership, Staff, StaffEvent, User, UserEvent
from agencies.roles import Role
from agencies.services import (
    staff_delete,
    staff_save,
    user_mfa_reset,
    user_save,
)
from conftest import World, client_for
from oneplan.errors import ApplicationError
from oneplan.models import ApiToken
from tests.support.accounts import give_authenticator_app

# Every model with an admin page. A package that registers another one (a token model,
# an authenticator, a periodic task) fails this test until it is unregistered in
# agencies/admin.py (NOT_IN_THE_ADMIN) or deliberately added here.
ADMIN_ALLOW_LIST = {
    "agencies.agency",
    "agencies.lcg",
    "agencies.staff",
    "agencies.user",
    "audit.accessevent",
    "axes.accessattempt",
    "axes.accessfailurelog",
    "axes.accesslog",
    "families.family",
    "families.person",
}


def staff_change_url(staff: Staff) -> str:
    return reverse("admin:agencies_staff_change", args=[staff.pk])


def user_change_url(user: User) -> str:
    return reverse("admin:agencies_user_change", args=[user.pk])


def staff_form(staff: Staff, **changes: Any) -> dict[str, Any]:
    data = {
        "user": staff.user_id,
        "agency": staff.agency_id,
        "job_title": staff.job_title,
        "roles": ",".join(staff.roles),
        "phone": staff.phone,
    }
    return {**data, **changes}


def user_form(user: User, roles: list[str], **changes: Any) -> dict[str, Any]:
    """The user page as posted: the account and its staff profile inline."""
    staff = user.staff
    data: dict[str, Any] = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "staff-TOTAL_FORMS": "1",
        "staff-INITIAL_FORMS": "1",
        "staff-MIN_NUM_FORMS": "0",
        "staff-MAX_NUM_FORMS": "1",
        "staff-0-id": staff.pk,
        "staff-0-user": user.pk,
        "staff-0-agency": staff.agency_id,
        "staff-0-job_title": staff.job_title,
        "staff-0-roles": ",".join(roles),
        "staff-0-phone": staff.phone,
    }
    for flag in ("is_active", "is_staff", "is_superuser"):
        if getattr(user, flag):
            data[flag] = "on"
    return {**data, **changes}


def roles_of(staff: Staff) -> list[str]:
    staff.refresh_from_db()
    return list(staff.roles)


# -- what the admin offers ---------------------------------------------------------------


def test_the_admin_offers_only_the_allowed_models() -> None:
    registered = {model._meta.label_lower for model in admin.site._registry}

    assert registered == ADMIN_ALLOW_LIST


@pytest.mark.parametrize(
    "url",
    [
        "/admin/authtoken/tokenproxy/",
        "/admin/authtoken/tokenproxy/add/",
        "/admin/authtoken/token/",
        "/admin/knox/authtoken/",
        "/admin/knox/authtoken/add/",
        "/admin/oneplan/apitoken/",
        "/admin/oneplan/apitoken/add/",
        "/admin/mfa/authenticator/",
        "/admin/account/emailaddress/",
        "/admin/auth/group/",
        "/admin/django_celery_beat/periodictask/add/",
    ],
)
def test_a_sysadmin_finds_no_token_authenticator_or_task_pages(world: World, url: str) -> None:
    response = client_for(world.sysadmin).get(url)

    assert response.status_code == 404


def test_the_admin_index_lists_no_tokens_or_authenticators(world: World) -> None:
    html = client_for(world.sysadmin).get("/admin/").content.decode()

    assert "Users" in html
    for word in ("Tokens", "Auth token", "Authenticator", "Periodic tasks", "Groups", "Email"):
        assert word not in html


# -- other people's credentials ------------------------------------------------------------


def test_a_sysadmin_cannot_set_another_users_password(world: World) -> None:
    dpo = world.dpo.user
    hash_before = dpo.password
    client = client_for(world.sysadmin)
    url = reverse("admin:auth_user_password_change", args=[dpo.pk])

    page = client.get(url)
    posted = client.post(url, {"password1": "a-new-secret-9", "password2": "a-new-secret-9"})

    assert page.status_code == 403
    assert posted.status_code == 403
    dpo.refresh_from_db()
    assert dpo.password == hash_before
    assert not dpo.check_password("a-new-secret-9")


def test_the_user_page_shows_no_password_hash_or_secret(world: World) -> None:
    secret = give_authenticator_app(world.dpo.user)

    html = client_for(world.sysadmin).get(user_change_url(world.dpo.user)).content.decode()

    assert world.dpo.user.password.split("$")[-1] not in html
    assert 'name="password"' not in html
    assert "/password/" not in html
    assert "Reset password" not in html
    assert secret not in html
    assert "TOTP Authenticator since" in html


# -- nobody changes their own access -----------------------------------------------------


def test_the_admin_shows_accounts_and_staff_profiles_but_changes_none(world: World) -> None:
    """Accounts, roles and LCG memberships are managed on the staff pages, whose services
    refuse a change to one's own access (agencies/tests/test_staff_*.py); the admin keeps
    reference data and only shows these."""
    client = client_for(world.sysadmin)
    me = world.sysadmin
    events_before = (StaffEvent.objects.count(), UserEvent.objects.count())
    posts = [
        (staff_change_url(me), staff_form(me, roles="system_administrator,lcg_coordinator")),
        (staff_change_url(world.keyworker), staff_form(world.keyworker, roles="lcg_coordinator")),
        (staff_change_url(world.dpo), staff_form(world.dpo, user=me.user_id)),
        (reverse("admin:agencies_staff_add"), staff_form(world.dpo, user=me.user_id)),
        (
            user_change_url(me.user),
            user_form(me.user, roles=["system_administrator", "data_protection_officer"]),
        ),
        (reverse("admin:agencies_user_add"), {"username": "someone"}),
        (reverse("admin:agencies_staff_delete", args=[world.keyworker.pk]), {"post": "yes"}),
        (reverse("admin:agencies_user_delete", args=[world.keyworker.user_id]), {"post": "yes"}),
    ]

    for url, data in posts:
        assert client.post(url, data).status_code == 403, url

    assert roles_of(world.sysadmin) == [Role.SYSTEM_ADMINISTRATOR.value]
    assert roles_of(world.keyworker) == [Role.FAMILY_SUPPORT_WORKER.value]
    world.dpo.refresh_from_db()
    assert world.dpo.user_id != me.user_id
    assert not User.objects.filter(username="someone").exists()
    assert (StaffEvent.objects.count(), UserEvent.objects.count()) == events_before
    for url in (staff_change_url(world.keyworker), user_change_url(world.keyworker.user)):
        page = client.get(url).content.decode()
        for field in ("roles", "agency", "is_active", "is_superuser", "staff-0-roles"):
            assert f'name="{field}"' not in page


def test_the_lcg_admin_keeps_reference_data_and_no_memberships(world: World) -> None:
    lcg = world.winchester
    data: dict[str, Any] = {
        "code": lcg.code,
        "name": lcg.name,
        "districts": ",".join(lcg.districts),
        "postcode_districts": ",".join(lcg.postcode_districts),
        "sro": "",
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-lcg": lcg.pk,
        "memberships-0-staff": world.sysadmin.pk,
        "memberships-0-is_coordinator": "on",
    }
    client = client_for(world.sysadmin)
    url = reverse("admin:agencies_lcg_change", args=[lcg.pk])

    assert "memberships-" not in client.get(url).content.decode()
    response = client.post(url, data)

    assert response.status_code == 302
    assert not LCGMembership.objects.filter(staff=world.sysadmin).exists()


def test_the_lcg_admin_still_finds_staff_for_the_senior_responsible_officer(
    world: World,
) -> None:
    response = client_for(world.sysadmin).get(
        reverse("admin:autocomplete"),
        {"term": "coordinator", "app_label": "agencies", "model_name": "lcg", "field_name": "sro"},
    )

    assert response.status_code == 200
    assert {row["id"] for row in response.json()["results"]} >= {str(world.coordinator.pk)}


# -- the same rule in the services ---------------------------------------------------------


def test_no_service_lets_anyone_change_their_own_access(world: World) -> None:
    me = world.sysadmin
    me.roles = [*me.roles, Role.LCG_COORDINATOR.value]
    with pytest.raises(ApplicationError, match="your own roles"):
        staff_save(actor=me.user, staff=me)
    with pytest.raises(ApplicationError, match="your own roles"):
        staff_delete(actor=me.user, staff=me)
    with pytest.raises(ApplicationError, match="your own roles"):
        lcg_membership_save(actor=me.user, membership=LCGMembership(lcg=world.winchester, staff=me))
    coordinator = world.coordinator
    own_membership = LCGMembership.objects.get(staff=coordinator)
    with pytest.raises(ApplicationError, match="your own roles"):
        lcg_membership_delete(actor=coordinator.user, membership=own_membership)
    moved = world.dpo
    moved.user = me.user
    with pytest.raises(ApplicationError, match="your own roles"):
        staff_save(actor=me.user, staff=moved)
    for flag in ("is_staff", "is_superuser"):
        user = User.objects.get(pk=world.keyworker.user_id)
        setattr(user, flag, True)
        with pytest.raises(ApplicationError, match="your own roles"):
            user_save(actor=user, user=user)

    assert roles_of(world.sysadmin) == [Role.SYSTEM_ADMINISTRATOR.value]
    assert LCGMembership.objects.filter(pk=own_membership.pk).exists()
    assert not User.objects.get(pk=world.keyworker.user_id).is_staff


def test_changing_ones_own_name_is_still_allowed(world: World) -> None:
    user = world.sysadmin.user
    user.first_name = "Sam"

    user_save(actor=user, user=user)

    user.refresh_from_db()
    assert user.first_name == "Sam"


# -- audit: roles, accounts, authenticators ----------------------------------------------


def test_account_history_keeps_no_password(world: World) -> None:
    fields = {field.name for field in UserEvent._meta.fields}
    assert "password" not in fields
    assert "is_superuser" in fields
    user = world.keyworker.user
    events_before = UserEvent.objects.filter(pgh_obj=user).count()

    user.set_password("another-long-passphrase")
    user.save()
    user.is_staff = True
    user.save()

    events = UserEvent.objects.filter(pgh_obj=user).order_by("pgh_id")
    # The password change alone writes nothing; the access change is recorded.
    assert events.count() == events_before + 1
    assert events.last() is not None and events.last().is_staff is True


def test_authenticator_history_keeps_no_secret(world: World) -> None:
    assert "data" not in {field.name for field in AuthenticatorEvent._meta.fields}
    user = world.keyworker.user

    give_authenticator_app(user)

    events = AuthenticatorEvent.objects.filter(user=user, pgh_label="insert")
    assert sorted(events.values_list("type", flat=True)) == ["recovery_codes", "totp"]


def test_a_sysadmin_resets_someones_two_step_verification_and_it_is_recorded(
    world: World,
) -> None:
    user = world.keyworker.user
    give_authenticator_app(user)
    api_token_issue(actor=user, user=user)

    response = client_for(world.sysadmin).post(
        reverse("staff:mfa-reset", args=[world.keyworker.pk]), {"reason": "Lost phone"}
    )

    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=user).exists()
    assert not ApiToken.objects.filter(user=user).exists()
    deleted = AuthenticatorEvent.objects.filter(user=user, pgh_label="delete")
    assert deleted.count() == 2
    assert {event.pgh_context.metadata["user"] for event in deleted if event.pgh_context} == {
        world.sysadmin.user_id
    }
    entry = LogEntry.objects.get(object_id=str(user.pk))
    assert entry.user_id == world.sysadmin.user_id
    assert entry.change_message == "Two-step verification reset: Lost phone"


def test_nobody_resets_their_own_two_step_verification(world: World) -> None:
    user = world.sysadmin.user
    give_authenticator_app(user)

    with pytest.raises(ApplicationError, match="your own"):
        user_mfa_reset(actor=user, user=user, reason="Lost my phone")

    assert Authenticator.objects.filter(user=user).count() == 2


# -- and still no case data ----------------------------------------------------------------


def test_a_sysadmin_still_sees_no_case_data(world: World) -> None:
    client = client_for(world.sysadmin)
    family = world.own_family

    detail = client.get(reverse("families:detail", args=[family.reference]))
    api_list = client.get("/api/families/")
    api_detail = client.get(f"/api/families/{family.reference}/")

    assert detail.status_code in {403, 404}
    assert api_list.status_code in {403, 404}
    assert api_detail.status_code in {403, 404}
    assert family.reference not in detail.content.decode() + api_list.content.decode()
    for url in ("/admin/families/family/", "/admin/families/person/"):
        assert client.get(url).status_code == 403
    assert client.get("/admin/audit/accessevent/").status_code == 403
