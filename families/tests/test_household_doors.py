"""Protecting an address hides it at once, through every door that shows an address:
the family page and API, the household page and address API, the changes, search by
postcode. The doors of the apps above families (the family's printed plan and its
PDF, the LCG caseload export) are in tests/test_journey_household.py, which may import
them.

The address is protected through the service people use, then each door is asked as
someone with the restricted permission (the key worker, the coordinator) and someone
without it (the programme manager, who sees every family)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from conftest import World, client_for
from families.access.address import PROTECTED_ADDRESS, address_for_viewer
from families.household import services
from families.models import Family

CANARY = "Canaryshelterstreet"
POSTCODE = "SO22 6RF"


def _protect(family: Family, actor: object) -> None:
    services.family_address_correct(
        actor=actor,
        family=family,
        details=services.AddressDetails(postcode=POSTCODE, line_1=f"7 {CANARY}"),
        reason="Typed wrongly",
    )
    family.refresh_from_db()
    services.family_address_protect(
        actor=actor,
        family=family,
        protected=True,
        reason="Fled domestic abuse",
    )
    family.refresh_from_db()


@pytest.fixture
def protected(world: World) -> World:
    _protect(world.own_family, world.keyworker.user)
    return world


def _text(client: Client, url: str, **params: str) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, url
    return response.content.decode()


def test_the_one_rule_withholds_the_address_from_those_without_the_permission(
    protected: World,
) -> None:
    family = protected.own_family
    shown = {
        persona: address_for_viewer(getattr(protected, persona).user, family)
        for persona in ("keyworker", "coordinator", "dpo", "programme_manager", "auditor")
    }
    assert {p for p, a in shown.items() if a is not None and not a.withheld} == {
        "keyworker",
        "coordinator",
        "dpo",
    }
    assert shown["programme_manager"] is not None
    assert shown["programme_manager"].text == PROTECTED_ADDRESS
    # A printed document never carries it, whoever prints it
    printed = address_for_viewer(None, family)
    assert printed is not None and printed.withheld and printed.lines == ()


@pytest.mark.parametrize(
    "door",
    ["family page", "family api", "household page", "address api", "changes page", "changes api"],
)
def test_each_family_door_shows_the_address_only_with_the_permission(
    protected: World, door: str
) -> None:
    reference = protected.own_family.reference
    url = {
        "family page": reverse("families:detail", args=[reference]),
        "family api": f"/api/families/{reference}/",
        "household page": reverse("families:household", args=[reference]),
        "address api": f"/api/families/{reference}/address/",
        "changes page": reverse("families:changes", args=[reference]),
        "changes api": f"/api/families/{reference}/changes/",
    }[door]

    allowed = _text(client_for(protected.keyworker), url)
    withheld = _text(client_for(protected.programme_manager), url)

    assert CANARY in allowed and POSTCODE in allowed
    assert CANARY not in withheld and POSTCODE not in withheld
    if "page" in door:
        assert PROTECTED_ADDRESS in withheld


def test_search_by_postcode_finds_a_protected_address_only_with_the_permission(
    protected: World,
) -> None:
    url = reverse("families:search")
    allowed = _text(client_for(protected.coordinator), url, postcode=POSTCODE)
    withheld = _text(client_for(protected.programme_manager), url, postcode=POSTCODE)
    api = client_for(protected.programme_manager).get("/api/search/", {"postcode": POSTCODE})

    assert "Jordan Ashby" in allowed
    assert "Jordan Ashby" not in withheld
    assert api.status_code == 200 and "Ashby" not in api.content.decode()
