"""Staff administration's services: invite, set up, change, deactivate, reset two-step
verification, new set-up links; who may, and what the history keeps."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.core.exceptions import PermissionDenied
from django.test import Client

from agencies.api_tokens import api_token_issue
from agencies.models import (
    AccountSetUpLink,
    AccountSetUpLinkEvent,
    AuthenticatorEvent,
    Staff,
    StaffEvent,
    User,
    UserEvent,
)
from agencies.roles import Role
from agencies.services import OWN_ACCESS_REFUSED
from agencies.staff import services
from agencies.staff.selectors import staff_history_for_admin, staff_memberships
from agencies.staff.services import StaffAccess
from conftest import World
from oneplan.errors import ApplicationError
from oneplan.models import ApiToken
from tests.support.accounts import give_authenticator_app, sign_in, signed_in_user

NEW_PASSWORD = "plum orchard lantern"


def invite(world: World, **changes: Any) -> services.Invited:
    details: dict[str, Any] = {
        "actor": world.sysadmin.user,
        "username": "jsmith",
        "first_name": "Jo",
        "last_name": "Smith",
        "email": "jo.smith@example.org",
        "access": StaffAccess(
            agency=world.council,
            roles=[Role.LCG_COORDINATOR.value, Role.FAMILY_SUPPORT_WORKER.value],
            job_title="LCG coordinator",
            memberships={"lcgs": [world.winchester.code]},
        ),
    }
    return services.staff_invite(**{**details, **changes})


def can_sign_in(username: str, password: str) -> bool:
    client = Client()
    sign_in(client, username, password)
    return bool(signed_in_user(client).is_authenticated)


# -- invite and set up -------------------------------------------------------------------


def test_an_invited_account_cannot_sign_in_until_its_holder_sets_a_password(
    world: World,
) -> None:
    invited = invite(world)

    user = User.objects.get(username="jsmith")
    assert user.is_active
    assert not user.has_usable_password()
    assert not can_sign_in("jsmith", "")
    assert invited.staff.roles == ["family_support_worker", "lcg_coordinator"]
    assert invited.staff.agency == world.council
    assert staff_memberships([invited.staff])[invited.staff.pk] == {"lcgs": [world.winchester.code]}
    assert services.set_up_link_get(invited.set_up.token) is not None
    # Only a hash of the token is kept.
    assert not AccountSetUpLink.objects.filter(digest=invited.set_up.token).exists()

    services.account_set_up(token=invited.set_up.token, password=NEW_PASSWORD)

    assert can_sign_in("jsmith", NEW_PASSWORD)
    assert services.set_up_link_get(invited.set_up.token) is None
    with pytest.raises(ApplicationError, match="does not work"):
        services.account_set_up(token=invited.set_up.token, password="another long passphrase")
    assert can_sign_in("jsmith", NEW_PASSWORD)


def _access(world: World, **changes: Any) -> StaffAccess:
    values: dict[str, Any] = {
        "agency": world.council,
        "roles": [Role.FAMILY_SUPPORT_WORKER.value],
        "job_title": "",
        "memberships": {},
    }
    return StaffAccess(**{**values, **changes})


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"username": "  "}, "username", "Enter a username"),
        ({"username": "jo smith"}, "username", "only letters, numbers"),
        ({"username": "KEYWORKER"}, "username", "already an account with the username"),
        ({"username": "x" * 151}, "username", "150 characters or fewer"),
        ({"first_name": " "}, "first_name", "Enter a first name"),
        ({"last_name": ""}, "last_name", "Enter a last name"),
        ({"email": "jo@"}, "email", "Enter an email address in the correct format"),
        ({"access": "no roles"}, "roles", "Select at least one role"),
        ({"access": "unknown role"}, "roles", "there is no role wizard"),
        ({"access": "coordinator without LCG"}, "lcgs", "Select the LCGs this LCG coordinator"),
        ({"access": "LCG without role"}, "lcgs", "Select the LCG coordinator role, or no LCGs"),
        ({"access": "unknown LCG"}, "lcgs", "there is no LCG NOWHERE"),
        ({"access": "long job title"}, "job_title", "120 characters or fewer"),
        ({"access": "inactive agency"}, "agency", "Select an agency that is still active"),
    ],
)
def test_an_invitation_is_refused_with_a_message_for_the_field_at_fault(
    world: World, changes: dict[str, Any], field: str, message: str
) -> None:
    coordinator = [Role.LCG_COORDINATOR.value]
    accesses = {
        "no roles": _access(world, roles=[]),
        "unknown role": _access(world, roles=["wizard"]),
        "coordinator without LCG": _access(world, roles=coordinator),
        "LCG without role": _access(world, memberships={"lcgs": ["WINCHESTER"]}),
        "unknown LCG": _access(world, roles=coordinator, memberships={"lcgs": ["NOWHERE"]}),
        "long job title": _access(world, job_title="x" * 121),
    }
    if changes.get("access") == "inactive agency":
        world.police.is_active = False
        world.police.save()
        changes = {"access": _access(world, agency=world.police)}
    elif "access" in changes:
        changes = {"access": accesses[changes["access"]]}
    users_before = User.objects.count()

    with pytest.raises(ApplicationError, match=message) as refused:
        invite(world, **changes)

    assert refused.value.field == field
    assert User.objects.count() == users_before
    assert not AccountSetUpLink.objects.exists()


@pytest.mark.parametrize("persona", ["programme_manager", "dpo", "keyworker"])
def test_only_a_system_administrator_invites(world: World, persona: str) -> None:
    users_before = User.objects.count()

    with pytest.raises(PermissionDenied):
        invite(world, actor=getattr(world, persona).user)

    assert User.objects.count() == users_before


def test_a_superuser_without_the_role_manages_nobody(world: World) -> None:
    root = User.objects.create_user("root", is_staff=True, is_superuser=True)

    with pytest.raises(PermissionDenied):
        invite(world, actor=root)
    with pytest.raises(PermissionDenied):
        services.staff_deactivate(actor=root, staff=world.keyworker, reason="Left")

    world.keyworker.user.refresh_from_db()
    assert world.keyworker.user.is_active


def test_the_system_administrator_role_brings_admin_access_and_takes_it_away(
    world: World,
) -> None:
    invited = invite(world, access=_access(world, roles=[Role.SYSTEM_ADMINISTRATOR.value]))
    user = invited.staff.user
    assert (user.is_staff, user.is_superuser) == (True, True)

    services.staff_change(
        actor=world.sysadmin.user,
        staff=invited.staff,
        first_name="Jo",
        last_name="Smith",
        access=_access(world, roles=[Role.PROGRAMME_MANAGER.value]),
    )

    user.refresh_from_db()
    assert (user.is_staff, user.is_superuser) == (False, False)


def test_the_invitation_is_recorded_with_who_made_it(world: World) -> None:
    invited = invite(world)

    for events in (
        UserEvent.objects.filter(pgh_obj=invited.staff.user),
        StaffEvent.objects.filter(pgh_obj=invited.staff),
        AccountSetUpLinkEvent.objects.filter(user=invited.staff.user),
    ):
        event = events.get(pgh_label="insert")
        assert event.pgh_context is not None
        assert event.pgh_context.metadata["user"] == world.sysadmin.user_id
        assert event.pgh_context.metadata["account_change"] == "invite"
    # The history never holds the token's digest.
    assert "digest" not in {f.name for f in AccountSetUpLinkEvent._meta.fields}


# -- set-up links ------------------------------------------------------------------------


def test_a_set_up_link_stops_working_after_three_days(world: World) -> None:
    start = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        invited = invite(world)
        traveller.shift(datetime.timedelta(days=3, minutes=-1))
        assert services.set_up_link_get(invited.set_up.token) is not None

        traveller.shift(datetime.timedelta(minutes=2))

        assert services.set_up_link_get(invited.set_up.token) is None
        with pytest.raises(ApplicationError, match="does not work"):
            services.account_set_up(token=invited.set_up.token, password=NEW_PASSWORD)
    assert not invited.staff.user.has_usable_password()


def test_a_new_set_up_link_replaces_the_old_one(world: World) -> None:
    invited = invite(world)

    renewed = services.staff_set_up_link_issue(actor=world.sysadmin.user, staff=invited.staff)

    assert services.set_up_link_get(invited.set_up.token) is None
    assert services.set_up_link_get(renewed.token) is not None
    services.account_set_up(token=renewed.token, password=NEW_PASSWORD)
    assert can_sign_in("jsmith", NEW_PASSWORD)


def test_no_set_up_link_for_someone_who_has_a_password(world: World) -> None:
    """Else an administrator could choose a colleague's password and sign in as them."""
    with pytest.raises(ApplicationError, match="already set their password"):
        services.staff_set_up_link_issue(actor=world.sysadmin.user, staff=world.keyworker)

    assert not AccountSetUpLink.objects.exists()
    assert can_sign_in("keyworker", "correct-horse-battery")


def test_a_password_that_breaks_the_rules_is_refused_and_the_link_still_works(
    world: World,
) -> None:
    invited = invite(world)

    with pytest.raises(ApplicationError, match="at least 12 characters") as refused:
        services.account_set_up(token=invited.set_up.token, password="short1")

    assert refused.value.field == "password1"
    assert services.set_up_link_get(invited.set_up.token) is not None


# -- change ------------------------------------------------------------------------------


def test_a_change_sets_agency_roles_and_lcgs_and_is_recorded(world: World) -> None:
    keyworker = world.keyworker

    services.staff_change(
        actor=world.sysadmin.user,
        staff=keyworker,
        first_name="Kim",
        last_name="Worker",
        email="kim@example.org",
        access=_access(
            world,
            agency=world.police,
            roles=[Role.FAMILY_SUPPORT_WORKER.value, Role.LCG_COORDINATOR.value],
            job_title="Senior family support worker",
            memberships={"lcgs": [world.havant.code]},
        ),
    )

    keyworker = Staff.objects.select_related("user").get(pk=keyworker.pk)
    assert keyworker.agency == world.police
    assert keyworker.roles == ["family_support_worker", "lcg_coordinator"]
    assert keyworker.job_title == "Senior family support worker"
    assert keyworker.user.get_full_name() == "Kim Worker"
    assert staff_memberships([keyworker])[keyworker.pk] == {"lcgs": [world.havant.code]}
    event = StaffEvent.objects.filter(pgh_obj=keyworker).latest("pgh_id")
    assert event.pgh_context is not None
    assert event.pgh_context.metadata["user"] == world.sysadmin.user_id


def test_nobody_changes_their_own_roles_agency_or_lcgs(world: World) -> None:
    me = world.sysadmin
    for access in (
        _access(world, roles=[Role.SYSTEM_ADMINISTRATOR.value, Role.DATA_PROTECTION_OFFICER.value]),
        _access(world, agency=world.police, roles=[Role.SYSTEM_ADMINISTRATOR.value]),
    ):
        with pytest.raises(ApplicationError, match="your own roles") as refused:
            services.staff_change(
                actor=me.user, staff=me, first_name="Sam", last_name="Admin", access=access
            )
        assert refused.value.message == OWN_ACCESS_REFUSED

    me.refresh_from_db()
    assert me.roles == [Role.SYSTEM_ADMINISTRATOR.value]
    assert me.agency == world.council


def test_one_may_change_ones_own_name_and_job_title(world: World) -> None:
    me = world.sysadmin

    services.staff_change(
        actor=me.user,
        staff=me,
        first_name="Sam",
        last_name="Admin",
        access=_access(world, roles=[Role.SYSTEM_ADMINISTRATOR.value], job_title="Lead admin"),
    )

    me = Staff.objects.select_related("user").get(pk=me.pk)
    assert (me.user.first_name, me.job_title) == ("Sam", "Lead admin")


# -- deactivate and reset ----------------------------------------------------------------


def test_deactivating_ends_tokens_and_set_up_links_and_records_why(world: World) -> None:
    invited = invite(world)
    keyworker = world.keyworker
    api_token_issue(actor=keyworker.user, user=keyworker.user)

    services.staff_deactivate(actor=world.sysadmin.user, staff=keyworker, reason="Left")
    services.staff_deactivate(
        actor=world.sysadmin.user, staff=invited.staff, reason="Did not start"
    )

    assert not ApiToken.objects.filter(user=keyworker.user).exists()
    assert services.set_up_link_get(invited.set_up.token) is None
    assert not can_sign_in("keyworker", "correct-horse-battery")
    event = UserEvent.objects.filter(pgh_obj=keyworker.user).latest("pgh_id")
    assert event.is_active is False
    assert event.pgh_context is not None
    assert event.pgh_context.metadata["why"] == "Left"
    assert event.pgh_context.metadata["user"] == world.sysadmin.user_id
    with pytest.raises(ApplicationError, match="already deactivated"):
        services.staff_deactivate(actor=world.sysadmin.user, staff=keyworker, reason="Again")


def test_nobody_deactivates_or_resets_themselves(world: World) -> None:
    me = world.sysadmin
    give_authenticator_app(me.user)

    with pytest.raises(ApplicationError, match="your own"):
        services.staff_deactivate(actor=me.user, staff=me, reason="Testing")
    with pytest.raises(ApplicationError, match="your own"):
        services.staff_mfa_reset(actor=me.user, staff=me, reason="Lost my phone")

    me.user.refresh_from_db()
    assert me.user.is_active
    assert Authenticator.objects.filter(user=me.user).count() == 2


def test_a_reset_removes_the_authenticator_app_and_records_why(world: World) -> None:
    user = world.keyworker.user
    give_authenticator_app(user)

    removed = services.staff_mfa_reset(
        actor=world.sysadmin.user, staff=world.keyworker, reason="Phone lost on a home visit"
    )

    assert removed == 2
    assert not Authenticator.objects.filter(user=user).exists()
    deleted = AuthenticatorEvent.objects.filter(user=user, pgh_label="delete")
    assert deleted.count() == 2
    for event in deleted:
        assert event.pgh_context is not None
        assert event.pgh_context.metadata["why"] == "Phone lost on a home visit"
        assert event.pgh_context.metadata["user"] == world.sysadmin.user_id


@pytest.mark.parametrize("call", ["deactivate", "reset"])
def test_a_reason_is_needed(world: World, call: str) -> None:
    service = services.staff_deactivate if call == "deactivate" else services.staff_mfa_reset

    with pytest.raises(ApplicationError, match="Enter why") as refused:
        service(actor=world.sysadmin.user, staff=world.keyworker, reason="   ")

    assert refused.value.field == "reason"
    world.keyworker.user.refresh_from_db()
    assert world.keyworker.user.is_active


# -- history -----------------------------------------------------------------------------


def test_the_history_shows_each_change_once_with_who_and_why(world: World) -> None:
    invited = invite(world)
    admin = world.sysadmin.user

    services.staff_deactivate(actor=admin, staff=invited.staff, reason="Did not start")

    history = staff_history_for_admin(admin, invited.staff)
    assert sorted((row.what, row.by, row.why) for row in history) == [
        ("Deactivated", admin.get_full_name(), "Did not start"),
        ("Invited", admin.get_full_name(), ""),
    ]
    assert staff_history_for_admin(world.programme_manager.user, invited.staff) == []
