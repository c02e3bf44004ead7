"""LCGs as organisation reference data in ``agencies`` (docs/decisions/0015): the models
moved here from ``lcgs`` in the same tables, their write history still recorded by
triggers named after this app, and membership changes shown on the staff pages."""

from __future__ import annotations

import pgtrigger
import pytest
from pghistory.models import Events

from agencies.lcgs.selectors import lcg_for_postcode_district
from agencies.lcgs.services import lcg_memberships_set
from agencies.models import LCG, LCGMembership
from agencies.staff.selectors import staff_history_for_admin
from conftest import World


def test_the_models_keep_the_tables_they_were_created_with_in_lcgs() -> None:
    # Migrations moved the models' state only (agencies 0007): renaming a table needs a
    # migration of its own, which would have to install the history triggers again.
    assert LCG._meta.db_table == "lcgs_lcg"
    assert LCGMembership._meta.db_table == "lcgs_lcgmembership"
    events = LCGMembership.pgh_event_models["insert"]
    assert events._meta.label == "agencies.LCGMembershipEvent"
    assert events._meta.db_table == "lcgs_lcgmembershipevent"


@pytest.mark.django_db
def test_every_trigger_is_installed_under_its_models_name_and_none_is_left_over() -> None:
    """After migrating: each trigger a model declares is in the database as declared
    (pgtrigger names it after the model's app, so a moved model's triggers are
    installed again), and no trigger of an old name is left to fire twice."""
    not_current = [
        f"{model._meta.label}:{trigger.name}"
        for model, trigger in pgtrigger.registered()
        if trigger.get_installation_status(model)[0] != "INSTALLED"
    ]

    assert not_current == []
    assert pgtrigger.prunable() == []


def test_a_membership_change_is_recorded_and_shown_on_the_staff_page(world: World) -> None:
    coordinator = world.coordinator
    history = Events.objects.references(coordinator).filter(pgh_model="agencies.LCGMembershipEvent")
    before = {event.pgh_id for event in history.all()}

    lcg_memberships_set(actor=world.sysadmin.user, staff=coordinator, codes=[world.havant.code])

    written = sorted(
        (event.pgh_label, event.pgh_data["lcg_id"], event.pgh_context["user"])
        for event in history.all()
        if event.pgh_id not in before
    )
    assert written == [
        ("delete", world.winchester.pk, world.sysadmin.user_id),
        ("insert", world.havant.pk, world.sysadmin.user_id),
    ]
    shown = [row.what for row in staff_history_for_admin(world.sysadmin.user, coordinator)]
    assert {"Added to an LCG", "Removed from an LCG"} <= set(shown)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("district", "code"),
    [("SO23", "WINCHESTER"), ("so22", "WINCHESTER"), ("PO9", "HAVANT"), ("GU14", None)],
)
def test_the_lcg_covering_a_postcode_district(
    world: World, district: str, code: str | None
) -> None:
    lcg = lcg_for_postcode_district(district)

    assert (lcg.code if lcg else None) == code
