"""Grants follow domain events; guardian's permissions always match the open grants."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from agencies.models import AgencyKind
from agencies.roles import Role
from agencies.services import system_actor
from conftest import World, client_for
from families import services
from families.access import services as access_services
from families.access.access import can_view_restricted, family_permissions, family_scope
from families.access.grants import grants_expire, grants_sync
from families.grants_models import (
    Grant,
    GrantReason,
    LawfulBasisKind,
    TeamMember,
)
from families.models import Family
from families.states import FamilyStatus
from oneplan.errors import ApplicationError
from tests.factories import AgencyFactory, StaffFactory


def _visible(staff, family: Family) -> bool:
    return Family.objects.filter(family_scope(staff.user), pk=family.pk).exists()


def _open(family: Family) -> set[tuple[str, str]]:
    now = timezone.now()
    return {
        (g.reason, g.source)
        for g in Grant.objects.filter(family=family, ended_at__isnull=True, starts_at__lte=now)
        if g.ends_at is None or g.ends_at > now
    }


def test_sync_twice_changes_nothing(world: World) -> None:
    before = list(Grant.objects.order_by("pk").values())
    grants_sync(actor=system_actor(), family_ids=[world.own_family.pk])
    grants_sync(actor=system_actor(), family_ids=[world.own_family.pk])
    assert list(Grant.objects.order_by("pk").values()) == before


def test_permissions_come_from_the_grants(world: World) -> None:
    keyworker = world.keyworker.user
    assert {"view_family", "view_restricted_family"} <= family_permissions(
        keyworker, world.own_family
    )
    assert family_permissions(keyworker, world.other_lcg_family) == frozenset()
    school_practitioner = world.other_practitioner.user
    # The school leads the Havant family with no named lead professional: an agency grant.
    school = family_permissions(school_practitioner, world.other_lcg_family)
    assert "view_family" in school
    assert "view_restricted_family" not in school
    assert Grant.objects.filter(
        family=world.other_lcg_family, agency=world.other_practitioner.agency, user=None
    ).exists()


def test_allocating_a_new_lead_moves_access(world: World) -> None:
    family = world.own_family
    services.family_set_lead(
        actor=world.coordinator.user,
        family=family,
        lead_agency=world.council,
        lead_professional=world.other_keyworker,
        reason="Caseload balancing",
    )
    assert _visible(world.other_keyworker, family)
    assert not _visible(world.keyworker, family)
    assert "view_family" not in family_permissions(world.keyworker.user, family)
    ended = Grant.objects.get(family=family, user=world.keyworker.user)
    assert ended.ended_at is not None
    assert ended.end_reason == "Lead changed"


def test_closing_a_case_ends_lead_and_team_grants_but_not_the_lcg(world: World) -> None:
    family = world.own_family
    Family.objects.filter(pk=family.pk).update(status=FamilyStatus.PLAN_ACTIVE)
    services.family_transition(
        actor=world.keyworker.user, family=family, to_status="closed", reason="Stepped down"
    )
    assert not _visible(world.keyworker, family)
    assert _visible(world.coordinator, family)
    assert _open(family) == set()


def _consent(world: World) -> object:
    person = world.own_family.memberships.first().person
    return access_services.lawful_basis_record(
        actor=world.keyworker.user,
        family=world.own_family,
        kind=LawfulBasisKind.CONSENT,
        person=person,
        given_on=datetime.date(2026, 1, 5),
    )


def test_adding_an_agency_without_a_lawful_basis_is_refused(world: World) -> None:
    with pytest.raises(ApplicationError, match="Record consent or a statutory gateway"):
        access_services.team_member_add(
            actor=world.keyworker.user, family=world.own_family, agency=world.police
        )
    assert not TeamMember.objects.exists()
    assert not _visible(world.practitioner, world.own_family)


def test_team_agency_sees_the_family_and_withdrawing_consent_removes_it(world: World) -> None:
    basis = _consent(world)
    access_services.team_member_add(
        actor=world.keyworker.user, family=world.own_family, agency=world.police
    )
    assert _visible(world.practitioner, world.own_family)

    access_services.lawful_basis_withdraw(
        actor=world.keyworker.user,
        basis=basis,
        withdrawn_on=datetime.date(2026, 2, 1),
        note="Mum phoned to withdraw consent",
    )

    assert not _visible(world.practitioner, world.own_family)
    member = TeamMember.objects.get()
    assert member.removed_at is not None
    assert "Consent withdrawn" in member.removal_reason


def test_withdrawal_moves_the_team_to_another_basis_in_force(world: World) -> None:
    basis = _consent(world)
    access_services.team_member_add(
        actor=world.keyworker.user, family=world.own_family, agency=world.police
    )
    access_services.lawful_basis_record(
        actor=world.keyworker.user,
        family=world.own_family,
        kind=LawfulBasisKind.STATUTORY_GATEWAY,
        gateway="Children Act 1989 section 47",
        given_on=datetime.date(2026, 1, 10),
    )

    access_services.lawful_basis_withdraw(
        actor=world.keyworker.user,
        basis=basis,
        withdrawn_on=datetime.date(2026, 2, 1),
        note="Withdrawn by phone",
    )

    assert _visible(world.practitioner, world.own_family)
    member = TeamMember.objects.get()
    assert member.removed_at is None
    assert member.lawful_basis.kind == LawfulBasisKind.STATUTORY_GATEWAY


@pytest.mark.parametrize(
    ("kind", "person", "gateway", "message"),
    [
        ("consent", False, "", "Select the family member who gave consent"),
        ("statutory_gateway", False, "  ", "Enter the law the statutory gateway rests on"),
    ],
)
def test_lawful_basis_needs_its_details(
    world: World, kind: str, person: bool, gateway: str, message: str
) -> None:
    with pytest.raises(ApplicationError, match=message):
        access_services.lawful_basis_record(
            actor=world.keyworker.user,
            family=world.own_family,
            kind=kind,
            gateway=gateway,
            given_on=datetime.date(2026, 1, 5),
        )


def test_consent_from_someone_outside_the_family_is_refused(world: World) -> None:
    outsider = world.other_lcg_family.memberships.first().person
    with pytest.raises(ApplicationError, match="current member of the family"):
        access_services.lawful_basis_record(
            actor=world.keyworker.user,
            family=world.own_family,
            kind="consent",
            person=outsider,
            given_on=datetime.date(2026, 1, 5),
        )


def test_break_glass_gives_time_limited_view_only_access(world: World) -> None:
    family = world.other_lcg_family
    assert not _visible(world.keyworker, family)

    with time_machine.travel(timezone.now(), tick=False) as traveller:
        access_services.break_glass_open(
            actor=world.keyworker.user,
            reference=family.reference,
            category="risk_to_child",
            reason="Police called about a child",
        )
        assert _visible(world.keyworker, family)
        assert family_permissions(world.keyworker.user, family) == {"view_family"}
        assert not can_view_restricted(world.keyworker.user, family)

        traveller.shift(datetime.timedelta(hours=24, seconds=1))
        # Lapsed at once for lists and pages, before any job runs...
        assert not _visible(world.keyworker, family)
        # ...and the nightly job ends the grant.
        assert grants_expire(actor=system_actor()) == 1
        assert family_permissions(world.keyworker.user, family) == frozenset()
        grant = Grant.objects.get(reason=GrantReason.BREAK_GLASS)
        assert grant.end_reason == "Time limit reached"


def test_break_glass_needs_a_real_reason(world: World) -> None:
    with pytest.raises(ApplicationError, match="20 characters or more"):
        access_services.break_glass_open(
            actor=world.keyworker.user,
            reference=world.other_lcg_family.reference,
            category="risk_to_child",
            reason="because",
        )
    assert not _visible(world.keyworker, world.other_lcg_family)


def test_someone_cannot_review_their_own_break_glass(world: World) -> None:
    access = access_services.break_glass_open(
        actor=world.dpo.user,
        reference=world.own_family.reference,
        category="risk_to_child",
        reason="Checking a complaint urgently",
    ).access
    with pytest.raises(ApplicationError, match="your own"):
        access_services.break_glass_review(
            actor=world.dpo.user, access=access, outcome="justified", note=""
        )


def test_agency_grants_reach_case_workers_not_administrators(world: World) -> None:
    school = world.other_practitioner.agency
    school_admin = StaffFactory(agency=school, roles=[Role.SYSTEM_ADMINISTRATOR.value])
    school_keyworker = StaffFactory(agency=school, roles=[Role.FAMILY_SUPPORT_WORKER.value])
    grants_sync(actor=system_actor(), family_ids=[world.other_lcg_family.pk])
    assert _visible(school_keyworker, world.other_lcg_family)
    assert not _visible(school_admin, world.other_lcg_family)


def test_why_page_lists_the_users_routes_of_access(world: World) -> None:
    response = client_for(world.keyworker).get(
        reverse("families:access", args=[world.own_family.reference])
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "You: lead professional" in html
    assert "see restricted information" in html


def test_team_page_add_agency_through_the_browser_form(world: World) -> None:
    _consent(world)
    client = client_for(world.keyworker)
    url = reverse("families:team", args=[world.own_family.reference])
    response = client.post(url, {"agency": world.police.pk})
    assert response.status_code == 302
    assert _visible(world.practitioner, world.own_family)
    other = AgencyFactory(kind=AgencyKind.HOUSING)
    denied = client_for(world.practitioner).post(url, {"agency": other.pk})
    assert denied.status_code == 403
    assert TeamMember.objects.count() == 1


def test_the_scheduled_task_ends_lapsed_break_glass(world: World) -> None:
    from families.access.tasks import grants_expire_task

    with time_machine.travel(timezone.now(), tick=False) as traveller:
        access_services.break_glass_open(
            actor=world.keyworker.user,
            reference=world.other_lcg_family.reference,
            category="risk_to_child",
            reason="Urgent welfare check",
        )
        assert grants_expire_task() == 0
        traveller.shift(datetime.timedelta(hours=25))
        assert grants_expire_task() == 1
        assert grants_expire_task() == 0


def test_one_form_pages_reshow_errors_and_save_through_the_browser(world: World) -> None:
    basis = _consent(world)
    access_services.team_member_add(
        actor=world.keyworker.user, family=world.own_family, agency=world.police
    )
    member = TeamMember.objects.get()
    client = client_for(world.keyworker)
    ref = world.own_family.reference

    remove_url = reverse("families:team-remove", args=[ref, member.pk])
    assert client.post(remove_url, {"reason": ""}).status_code == 400
    assert client.post(remove_url, {"reason": "Police work finished"}).status_code == 302
    assert not _visible(world.practitioner, world.own_family)

    withdraw_url = reverse("families:consent-withdraw", args=[ref, basis.pk])
    too_early = {
        "withdrawn_on_day": "1",
        "withdrawn_on_month": "1",
        "withdrawn_on_year": "2020",
        "note": "Phoned",
    }
    response = client.post(withdraw_url, too_early)
    assert response.status_code == 400
    assert "same as or after the date consent was given" in response.content.decode()
    ok = {**too_early, "withdrawn_on_year": "2026", "withdrawn_on_month": "2"}
    assert client.post(withdraw_url, ok).status_code == 302

    access = access_services.break_glass_open(
        actor=world.other_keyworker.user,
        reference=world.own_family.reference,
        category="risk_to_child",
        reason="Urgent safeguarding call",
    ).access
    dpo = client_for(world.dpo)
    review_url = reverse("families:break-glass-review", args=[access.pk])
    missing_note = dpo.post(review_url, {"outcome": "not_justified", "note": ""})
    assert missing_note.status_code == 400
    assert "Enter what will happen next" in missing_note.content.decode()
    assert dpo.post(review_url, {"outcome": "justified", "note": ""}).status_code == 302
    access.refresh_from_db()
    assert access.review_outcome == "justified"
    assert access.reviewed_by == world.dpo.user


def test_every_grant_opened_has_its_insert_event_naming_the_actor(world: World) -> None:
    # grants_sync records the inserts' history in one statement, not a trigger per row.
    from audit.history import actor_context

    GrantEvent = Grant.pgh_event_models["insert"]
    Grant.objects.filter(family=world.own_family).delete()
    actor = world.coordinator.user
    with actor_context(actor):
        grants_sync(actor=actor, family_ids=[world.own_family.pk, world.other_lcg_family.pk])
    opened = Grant.objects.filter(family=world.own_family)
    assert opened.exists()
    events = GrantEvent.objects.filter(pgh_obj__in=opened, pgh_label="insert")
    assert sorted(e.pgh_obj_id for e in events) == sorted(g.pk for g in opened)
    assert {e.pgh_context.metadata["user"] for e in events} == {actor.pk}
    assert {(e.family_id, e.source, e.reason) for e in events} == {
        (g.family_id, g.source, g.reason) for g in opened
    }
