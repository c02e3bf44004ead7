"""Who may change a family's household records: one rule, ``can_correct_household``,
asked of every persona for every family of the world (table-driven)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from agencies.services import system_actor
from conftest import World
from families.access.grants import grants_sync
from families.household.access import can_correct_household
from families.models import Family
from tests.matrix import SIGNED_IN

# persona -> the families they may correct (own: led by "keyworker" in Winchester;
# other: in Havant, led by the school without a named lead; unassigned: no LCG, no lead).
CORRECTS: dict[str, set[str]] = {
    "keyworker": {"own"},
    "coordinator": {"own"},
    "other_coordinator": {"other"},
}
FAMILIES = {"own": "own_family", "other": "other_lcg_family", "unassigned": "unassigned_family"}


@pytest.mark.parametrize("family_key", list(FAMILIES))
@pytest.mark.parametrize("persona", SIGNED_IN)
def test_only_the_lead_professional_and_the_lcgs_coordinators_may_correct(
    world: World, persona: str, family_key: str
) -> None:
    family = getattr(world, FAMILIES[family_key])
    user = getattr(world, persona).user

    allowed = can_correct_household(user, family)

    assert allowed is (family_key in CORRECTS.get(persona, set()))


def test_nobody_signed_out_may_correct(world: World) -> None:
    assert can_correct_household(AnonymousUser(), world.own_family) is False


def test_a_lead_professional_who_hands_the_family_on_may_no_longer_correct(world: World) -> None:
    # Given the key worker leads the family; when the lead passes to someone else
    family = world.own_family
    Family.objects.filter(pk=family.pk).update(lead_professional=world.other_keyworker)
    grants_sync(actor=system_actor(), family_ids=[family.pk])
    family.refresh_from_db()

    # Then the rule follows the open grant, not who once led it
    assert can_correct_household(world.keyworker.user, family) is False
    assert can_correct_household(world.other_keyworker.user, family) is True


def test_an_inactive_account_may_not_correct(world: World) -> None:
    user = world.keyworker.user
    user.is_active = False
    user.save(update_fields=["is_active"])

    assert can_correct_household(user, world.own_family) is False
