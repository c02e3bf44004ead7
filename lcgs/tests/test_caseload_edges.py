"""The caseload's conditions at their edges, on the personas' world: waits and ages on
the first day of a band, and the status history the stage waits rely on."""

from __future__ import annotations

import datetime

from django.utils import timezone

from conftest import World
from families.models import FamilyStatusChange
from families.services import family_transition
from families.states import FamilyStatus
from lcgs.caseload.conditions import Clock
from lcgs.caseload.selectors import CaseloadQuery, caseload_families


def test_status_changed_at_is_the_latest_arrival_the_history_records(world: World) -> None:
    """The stage waits read ``status_changed_at`` for a family at its stage's entry
    status: the service writes it and the history's row from one clock reading."""
    family = world.own_family
    family_transition(
        actor=world.coordinator.user,
        family=family,
        to_status=FamilyStatus.DECLINED,
        reason="Said no",
        chosen=True,
    )
    family.refresh_from_db()
    latest = FamilyStatusChange.objects.filter(family=family).order_by("-created_at").first()
    assert latest is not None
    assert latest.created_at == family.status_changed_at


def test_a_wait_or_an_age_exactly_at_a_band_edge_falls_in_the_later_band(
    world: World,
) -> None:
    """91 days to the second is "3 to 6 months" old; 14 days at a stage is "2 to 4
    weeks": in SQL as in the pure rule."""
    now = timezone.now()
    clock = Clock(now=now, today=timezone.localdate(now))
    family = world.own_family
    FamilyStatusChange.objects.create(
        family=family,
        from_status="",
        to_status="identified",
        reason="Found",
        actor=world.coordinator.user,
        created_at=now - datetime.timedelta(days=91),
    )
    family.status = FamilyStatus.SCREENED
    family.status_changed_at = now - datetime.timedelta(days=14)
    family.save(update_fields=["status", "status_changed_at"])
    user = world.coordinator.user

    def found(**params: str) -> bool:
        return family in caseload_families(user, CaseloadQuery(**params), clock=clock)

    assert found(age="3_to_6m") and not found(age="under_3m")
    assert found(stage="screened", waited="2_to_4w")
    assert not found(stage="screened", waited="under_2w")


def test_the_dashboard_bands_a_wait_as_the_list_does(world: World) -> None:
    """A family screened 14 days ago to the second is in "2 to 4 weeks" on the dashboard
    too, and its figure lists it."""
    from lcgs.caseload.dashboard import caseload_dashboard

    now = timezone.now()
    clock = Clock(now=now, today=timezone.localdate(now))
    family = world.own_family
    family.status = FamilyStatus.SCREENED
    family.status_changed_at = now - datetime.timedelta(days=14)
    family.save(update_fields=["status", "status_changed_at"])
    user = world.coordinator.user

    dashboard = caseload_dashboard(user, clock=clock)

    section = next(s for s in dashboard.sections if s.key == "wait-screened")
    counts = {row.key: row.cells[0].count for row in section.rows}
    assert counts["screened-under_2w"] == 0
    assert counts["screened-2_to_4w"] == 1
    assert counts["screened-longest"] == 14
    params = next(r for r in section.rows if r.key == "screened-2_to_4w").cells[0].params
    assert params is not None
    assert family in caseload_families(user, CaseloadQuery(**params), clock=clock)


def test_the_caseload_page_links_to_the_dashboard_for_those_who_see_it(world: World) -> None:
    from conftest import client_for

    for persona, linked in (("coordinator", True), ("programme_manager", True), ("auditor", False)):
        html = client_for(getattr(world, persona)).get("/caseload/").content.decode()
        assert ('href="/lcg-dashboard/"' in html) is linked, persona
