"""Who sees which family, in pages and API alike; denial changes nothing.

The matrix is data so later issues extend it: persona x family -> can see?
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from conftest import World, client_for
from families.models import Family, FamilyStatusChange
from families.states import FamilyStatus, not_chosen_message

# persona -> which of the world's families they may see
VISIBLE = {
    "keyworker": {"own_family"},
    "other_keyworker": set(),
    "practitioner": set(),  # police lead no family in the world
    "other_practitioner": {"other_lcg_family"},  # the school leads the Havant family
    "coordinator": {"own_family"},
    "other_coordinator": {"other_lcg_family"},
    "programme_manager": {"own_family", "other_lcg_family", "unassigned_family"},
    "auditor": {"own_family", "other_lcg_family", "unassigned_family"},
    "dpo": {"own_family", "other_lcg_family", "unassigned_family"},
    "sysadmin": set(),  # superuser, but no case data
}
FAMILIES = ["own_family", "other_lcg_family", "unassigned_family"]

# persona -> may change the status of own_family?
CAN_CHANGE_OWN = {
    "keyworker": True,
    "coordinator": True,
    "programme_manager": True,
    "other_keyworker": False,
    "practitioner": False,
    "other_practitioner": False,
    "other_coordinator": False,
    "auditor": False,
    "dpo": False,
    "sysadmin": False,
}


def _family(world: World, name: str) -> Family:
    family = getattr(world, name)
    assert isinstance(family, Family)
    return family


@pytest.mark.parametrize("persona", sorted(VISIBLE))
@pytest.mark.parametrize("family_name", FAMILIES)
def test_family_page_and_api_follow_the_scope(world: World, persona: str, family_name: str) -> None:
    client = client_for(getattr(world, persona))
    family = _family(world, family_name)
    can_see = family_name in VISIBLE[persona]
    no_case_role = persona == "sysadmin"

    page = client.get(reverse("families:detail", args=[family.reference]))
    api = client.get(f"/api/families/{family.reference}/")

    if can_see:
        assert page.status_code == 200
        assert api.status_code == 200
        assert api.json()["reference"] == family.reference
    elif no_case_role:
        assert page.status_code == 403
        assert api.status_code == 403
    else:
        # Not yours answers exactly like "does not exist".
        assert page.status_code == 404
        assert api.status_code == 404


@pytest.mark.parametrize("persona", sorted(VISIBLE))
def test_lists_show_exactly_the_families_in_scope(world: World, persona: str) -> None:
    client = client_for(getattr(world, persona))
    expected = {_family(world, name).reference for name in VISIBLE[persona]}

    api = client.get("/api/families/")
    page = client.get(reverse("families:list"))

    if persona == "sysadmin":
        assert api.status_code == 403
        assert page.status_code == 403
        return
    assert {row["reference"] for row in api.json()["results"]} == expected
    html = page.content.decode()
    for name in FAMILIES:
        reference = _family(world, name).reference
        assert (reference in html) == (reference in expected)


def test_missing_family_and_other_agencys_family_answer_the_same(world: World) -> None:
    client = client_for(world.keyworker)
    hidden = client.get(reverse("families:detail", args=[world.other_lcg_family.reference]))
    missing = client.get(reverse("families:detail", args=["F-999999"]))
    assert hidden.status_code == missing.status_code == 404

    def without_csrf(html: bytes) -> str:
        # The sign-out form's CSRF token is masked afresh on every page.
        # and so is the CSP nonce on inline scripts.
        text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html.decode())
        return re.sub(r'nonce="[^"]+"', "", text)

    assert without_csrf(hidden.content) == without_csrf(missing.content)


@pytest.mark.parametrize("persona", sorted(CAN_CHANGE_OWN))
def test_status_change_is_allowed_only_for_the_right_people(world: World, persona: str) -> None:
    client = client_for(getattr(world, persona))
    family = world.own_family
    url = reverse("families:transition", args=[family.reference])

    response = client.post(url, {"to_status": "moved_away", "reason": "Moved to Devon"})

    family.refresh_from_db()
    if CAN_CHANGE_OWN[persona]:
        assert response.status_code == 302
        assert family.status == FamilyStatus.MOVED_AWAY
    else:
        assert response.status_code in (403, 404)
        assert family.status == FamilyStatus.IDENTIFIED
        assert not FamilyStatusChange.objects.filter(family=family).exists()


@pytest.mark.parametrize("persona", sorted(CAN_CHANGE_OWN))
def test_status_change_through_the_api_follows_the_same_rule(world: World, persona: str) -> None:
    client = client_for(getattr(world, persona))
    family = world.own_family

    response = client.post(
        f"/api/families/{family.reference}/transition/",
        {"to_status": "moved_away", "reason": "Moved to Devon"},
        content_type="application/json",
    )

    family.refresh_from_db()
    if CAN_CHANGE_OWN[persona]:
        assert family.status == FamilyStatus.MOVED_AWAY
        if persona == "keyworker":
            # Closing the case ended the lead professional's grant: nothing to show.
            assert response.status_code == 204
        else:
            assert response.status_code == 200
            assert response.json()["status"] == "moved_away"
    else:
        assert response.status_code in (403, 404)
        assert family.status == FamilyStatus.IDENTIFIED
        assert not FamilyStatusChange.objects.filter(family=family).exists()


def test_anonymous_visitors_are_sent_to_sign_in_and_the_api_refuses(world: World) -> None:
    client = Client()
    for url in (
        reverse("families:list"),
        reverse("families:detail", args=[world.own_family.reference]),
        reverse("families:overview"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert client.get("/api/families/").status_code == 403
    response = client.post(
        reverse("families:transition", args=[world.own_family.reference]),
        {"to_status": "declined", "reason": "x"},
    )
    assert response.status_code == 302
    world.own_family.refresh_from_db()
    assert world.own_family.status == FamilyStatus.IDENTIFIED


def test_bad_status_change_reshows_the_form_with_what_was_typed(world: World) -> None:
    client = client_for(world.keyworker)
    url = reverse("families:transition", args=[world.own_family.reference])

    response = client.post(url, {"to_status": "", "reason": "Met the family on Tuesday"})

    html = unescape(response.content.decode())
    assert response.status_code == 400
    assert "There is a problem" in html
    assert "Select the family's new status" in html
    assert "Met the family on Tuesday" in html


def test_a_move_off_the_journey_is_refused_with_a_clear_message_via_api(world: World) -> None:
    client = client_for(world.keyworker)
    response = client.post(
        f"/api/families/{world.own_family.reference}/transition/",
        {"to_status": "claimed", "reason": "Trying to skip ahead"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {"to_status": ["A family that is identified cannot move to claimed"]}


@pytest.mark.parametrize(
    ("persona", "sees_address"),
    [
        ("keyworker", True),
        ("coordinator", True),
        ("dpo", True),
        ("programme_manager", False),
        ("auditor", False),
    ],
)
def test_protected_address_is_marked_restricted_for_those_without_need(
    world: World, persona: str, sees_address: bool
) -> None:
    address = world.own_family.address
    assert address is not None
    address.is_protected = True
    address.line_1 = "12 Refuge Road"
    address.save()
    client = client_for(getattr(world, persona))

    page = client.get(reverse("families:detail", args=[world.own_family.reference]))
    api = client.get(f"/api/families/{world.own_family.reference}/").json()

    html = page.content.decode()
    assert ("12 Refuge Road" in html) == sees_address
    assert api["address"]["restricted"] is (not sees_address)
    assert (api["address"]["line_1"] == "12 Refuge Road") == sees_address
    if not sees_address:
        assert "Restricted" in html


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("programme_manager", True),
        ("coordinator", True),
        ("keyworker", False),
        ("auditor", False),
        ("practitioner", False),
    ],
)
def test_caseload_export_is_for_managers_and_coordinators(
    world: World, persona: str, allowed: bool
) -> None:
    from oneplan.models import Job

    client = client_for(getattr(world, persona))
    response = client.post(reverse("families:export"), {"idempotency_key": "k1"})
    assert (response.status_code == 302) == allowed
    assert Job.objects.exists() == allowed


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (FamilyStatus.IDENTIFIED, "screened"),
        (FamilyStatus.SCREENED, "allocated"),
        (FamilyStatus.ALLOCATED, "engaged"),
        (FamilyStatus.ENGAGED, "plan_active"),
        (FamilyStatus.PLAN_ACTIVE, "outcomes_met"),
        (FamilyStatus.OUTCOMES_MET, "claimed"),
    ],
)
def test_no_one_sets_a_status_events_set_by_hand(
    world: World, source: FamilyStatus, target: str
) -> None:
    # DOMAIN.md 4.4: screening, allocation, the family's agreement to work with the
    # programme and to its plan, the results evaluation and an accepted claim set these.
    # The status form does not offer them and the API refuses them, whatever the family
    # has on record (own_family has a lead agency and professional).
    family = world.own_family
    Family.objects.filter(pk=family.pk).update(status=source, track="local")
    client = client_for(world.keyworker)
    page = client.get(reverse("families:transition", args=[family.reference]))
    assert f'value="{target}"' not in page.content.decode()

    for response in (
        client.post(
            reverse("families:transition", args=[family.reference]),
            {"to_status": target, "reason": "The family did well"},
        ),
        client.post(
            f"/api/families/{family.reference}/transition/",
            {"to_status": target, "reason": "The family did well"},
            content_type="application/json",
        ),
    ):
        assert response.status_code == 400
    assert response.json() == {"to_status": [not_chosen_message(target)]}
    assert "is set by OnePlan" in response.json()["to_status"][0]
    api = client.get(f"/api/families/{family.reference}/").json()
    assert target not in api["allowed_transitions"]
    family.refresh_from_db()
    assert family.status == source
    assert not FamilyStatusChange.objects.filter(family=family).exists()
