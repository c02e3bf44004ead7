"""The staff pages in the browser's terms (Django's test client): GOV.UK forms that keep
what was typed and say what is wrong, the set-up link from invitation to first sign-in,
and a list whose cost does not grow with the staff. Who may open each page is in the
permission matrix (agencies/tests/matrix.py)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.fixtures import SettingsWrapper

from agencies.models import Staff, User
from agencies.roles import Role
from agencies.services import OWN_ACCESS_REFUSED
from agencies.staff.selectors import staff_memberships
from conftest import World, client_for
from tests.factories import StaffFactory
from tests.support.accounts import give_authenticator_app, sign_in, signed_in_user

NEW_PASSWORD = "plum orchard lantern"


def invite_form(world: World, **changes: Any) -> dict[str, Any]:
    return {
        "first_name": "Jo",
        "last_name": "Smith",
        "username": "jsmith",
        "email": "",
        "agency": world.council.pk,
        "job_title": "LCG coordinator",
        "roles": [Role.LCG_COORDINATOR.value],
        "lcgs": [world.winchester.code],
        **changes,
    }


def set_up_path(html: str) -> str:
    found = re.search(r'id="set-up-link">[^<]*?(/set-up-account/[^<"]+/)<', html)
    assert found, "no set-up link on the page"
    return found.group(1)


def text(response: Any) -> str:
    return str(response.content.decode())


# -- the list ----------------------------------------------------------------------------


def test_the_list_shows_staff_and_narrows_by_agency_role_status_and_name(world: World) -> None:
    client = client_for(world.sysadmin)
    url = reverse("staff:list")

    everyone = text(client.get(url))
    coordinators = text(client.get(url, {"role": Role.LCG_COORDINATOR.value}))
    police = text(client.get(url, {"agency": world.police.code}))
    named = text(client.get(url, {"name": "other-practitioner"}))

    for staff in (world.keyworker, world.practitioner, world.dpo, world.sysadmin):
        assert staff.user.username in everyone
    assert "of 11 members of staff" in everyone
    assert "coordinator" in coordinators and "other-coordinator" in coordinators
    assert "keyworker" not in coordinators
    assert "practitioner" in police and "keyworker" not in police
    assert "other-practitioner" in named and ">practitioner<" not in named
    assert "Winchester LCG" not in coordinators  # codes, not names, in the list
    assert world.winchester.code in coordinators


def test_the_list_says_which_filter_is_wrong(world: World) -> None:
    response = client_for(world.sysadmin).get(reverse("staff:list"), {"role": "wizard"})

    assert response.status_code == 400
    assert "There is a problem" in text(response)
    assert "Select a role from the list" in text(response)
    assert text(response).count("<title>Error: ") == 1


def test_the_list_costs_the_same_queries_however_many_staff(world: World) -> None:
    client = client_for(world.sysadmin)
    url = reverse("staff:list")
    client.get(url)  # the session is recorded on the first request

    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(15):
        StaffFactory(agency=world.police, roles=[Role.AGENCY_PRACTITIONER.value])
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200

    assert len(many) == len(few)
    assert len(few) <= 12


# -- inviting ----------------------------------------------------------------------------


def test_an_invitation_with_mistakes_shows_them_and_keeps_what_was_typed(world: World) -> None:
    response = client_for(world.sysadmin).post(
        reverse("staff:invite"), invite_form(world, roles=[], username="jo smith")
    )

    html = text(response)
    assert response.status_code == 400
    assert html.count("<title>Error: ") == 1
    assert "Select at least one role" in html
    assert 'href="#id_roles_0"' in html
    assert 'value="jo smith"' in html
    assert 'value="Jo"' in html
    assert re.search(rf'value="{world.winchester.code}"[^>]*checked', html)
    assert not User.objects.filter(username="jo smith").exists()


def test_a_service_refusal_goes_back_on_the_form(world: World) -> None:
    response = client_for(world.sysadmin).post(
        reverse("staff:invite"), invite_form(world, roles=[Role.FAMILY_SUPPORT_WORKER.value])
    )

    assert response.status_code == 400
    assert "Select the LCG coordinator role, or no LCGs" in text(response)
    assert 'href="#id_lcgs_0"' in text(response)


def test_invite_then_set_up_then_sign_in_and_set_up_two_step_verification(
    world: World, settings: SettingsWrapper
) -> None:
    settings.ONEPLAN_REQUIRE_MFA = True
    give_authenticator_app(world.sysadmin.user)
    admin = client_for(world.sysadmin)

    invited = admin.post(reverse("staff:invite"), invite_form(world))

    assert invited.status_code == 200
    assert "Jo Smith has been invited" in text(invited)
    path = set_up_path(text(invited))
    person = Client()
    page = person.get(path)
    assert page.status_code == 200
    assert "Your username is <strong>jsmith</strong>" in text(page)

    mismatch = person.post(path, {"password1": NEW_PASSWORD, "password2": "plum orchard"})
    assert mismatch.status_code == 400
    assert "The passwords do not match" in text(mismatch)
    weak = person.post(path, {"password1": "password1234", "password2": "password1234"})
    assert weak.status_code == 400
    assert "too common" in text(weak)

    done = person.post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert done.status_code == 302
    assert done["Location"] == reverse("login")
    assert "Your password has been set" in text(person.get(done["Location"]))
    assert person.get(path).status_code == 404  # it works once
    signed_in = sign_in(person, "jsmith", NEW_PASSWORD)
    assert signed_in.status_code == 302
    assert signed_in_user(person).username == "jsmith"
    # Every page sends them on to set up their authenticator app first.
    assert person.get(reverse("families:list"))["Location"] == reverse("mfa_activate_totp")


def test_a_link_that_does_not_work_says_what_to_do(db: None) -> None:
    response = Client().get(reverse("account-set-up", args=["not-a-real-token"]))

    assert response.status_code == 404
    assert "This set-up link does not work" in text(response)
    assert "ask your OnePlan system administrator for a new link" in text(response)


def test_someone_signed_in_cannot_use_a_set_up_link(world: World) -> None:
    invited = client_for(world.sysadmin).post(reverse("staff:invite"), invite_form(world))
    path = set_up_path(text(invited))

    response = client_for(world.sysadmin).post(
        path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert response.status_code == 403
    assert "Sign out to use this set-up link" in text(response)
    assert not User.objects.get(username="jsmith").has_usable_password()


def test_a_new_set_up_link_is_shown_once_and_only_for_someone_invited(world: World) -> None:
    admin = client_for(world.sysadmin)
    first = set_up_path(text(admin.post(reverse("staff:invite"), invite_form(world))))
    invited = Staff.objects.get(user__username="jsmith")

    renewed = admin.post(reverse("staff:set-up-link", args=[invited.pk]))
    refused = admin.post(reverse("staff:set-up-link", args=[world.keyworker.pk]), follow=True)

    assert renewed.status_code == 200
    second = set_up_path(text(renewed))
    assert second != first
    assert Client().get(first).status_code == 404
    assert Client().get(second).status_code == 200
    assert "already set their password" in text(refused)


# -- changing, deactivating, resetting ---------------------------------------------------


def test_the_change_page_starts_with_the_person_as_they_are(world: World) -> None:
    html = text(
        client_for(world.sysadmin).get(reverse("staff:change", args=[world.coordinator.pk]))
    )

    assert f'value="{world.coordinator.user.first_name}"' in html
    assert re.search(r'value="lcg_coordinator"[^>]*checked', html)
    assert re.search(rf'value="{world.winchester.code}"[^>]*checked', html)
    assert not re.search(rf'value="{world.havant.code}"[^>]*checked', html)


def test_changing_roles_and_lcgs_on_the_page(world: World) -> None:
    keyworker = world.keyworker

    response = client_for(world.sysadmin).post(
        reverse("staff:change", args=[keyworker.pk]),
        invite_form(
            world,
            first_name=keyworker.user.first_name,
            last_name=keyworker.user.last_name,
            roles=[Role.FAMILY_SUPPORT_WORKER.value, Role.LCG_COORDINATOR.value],
            lcgs=[world.havant.code],
        ),
        follow=True,
    )

    assert "details have been changed" in text(response)
    keyworker.refresh_from_db()
    assert keyworker.roles == ["family_support_worker", "lcg_coordinator"]
    assert staff_memberships([keyworker])[keyworker.pk] == {"lcgs": [world.havant.code]}


def test_a_sysadmin_cannot_give_themselves_a_role_on_the_page(world: World) -> None:
    me = world.sysadmin

    response = client_for(me).post(
        reverse("staff:change", args=[me.pk]),
        invite_form(
            world,
            roles=[Role.SYSTEM_ADMINISTRATOR.value, Role.LCG_COORDINATOR.value],
            lcgs=[world.winchester.code],
        ),
    )

    assert response.status_code == 400
    assert OWN_ACCESS_REFUSED in text(response)
    me.refresh_from_db()
    assert me.roles == [Role.SYSTEM_ADMINISTRATOR.value]
    assert staff_memberships([me])[me.pk] == {}


def test_deactivating_needs_a_reason_then_signs_them_out_everywhere(world: World) -> None:
    keyworker_browser = client_for(world.keyworker)
    assert keyworker_browser.get(reverse("families:list")).status_code == 200
    admin = client_for(world.sysadmin)
    url = reverse("staff:deactivate", args=[world.keyworker.pk])

    empty = admin.post(url, {"reason": ""})
    assert empty.status_code == 400
    assert "Enter why the account is being deactivated" in text(empty)
    done = admin.post(url, {"reason": "Left the council"}, follow=True)

    assert "has been deactivated" in text(done)
    assert "Deactivated" in text(done) and "Left the council" in text(done)
    assert keyworker_browser.get(reverse("families:list")).status_code == 302
    world.keyworker.user.refresh_from_db()
    assert not world.keyworker.user.is_active


def test_resetting_two_step_verification_on_the_page(world: World) -> None:
    give_authenticator_app(world.keyworker.user)
    url = reverse("staff:mfa-reset", args=[world.keyworker.pk])

    done = client_for(world.sysadmin).post(url, {"reason": "Lost phone"}, follow=True)

    assert "will set up a new authenticator app" in text(done)
    assert not Authenticator.objects.filter(user=world.keyworker.user).exists()
    assert "Two-step verification reset" in text(done) and "Lost phone" in text(done)


@pytest.mark.parametrize("name", ["deactivate", "mfa-reset"])
def test_ones_own_account_offers_no_deactivation_or_reset(world: World, name: str) -> None:
    client = client_for(world.sysadmin)
    url = reverse(f"staff:{name}", args=[world.sysadmin.pk])

    page = client.get(url)
    refused = client.post(url, {"reason": "Testing"})

    assert "You cannot" in text(page)
    assert 'name="reason"' not in text(page)
    assert refused.status_code == 400
    world.sysadmin.user.refresh_from_db()
    assert world.sysadmin.user.is_active


def test_the_sysadmin_starts_on_the_staff_list(world: World) -> None:
    client = Client()
    response = sign_in(client, "sysadmin")

    assert response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert home["Location"] == reverse("staff:list")
    html = text(client.get(reverse("staff:list")))
    assert ">Staff<" in html or "Staff</strong>" in html
    assert "Reference data" in html
