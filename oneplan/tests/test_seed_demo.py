"""``manage.py seed_demo``: the Hampshire demo world, reproducible and valid."""

from __future__ import annotations

import datetime
import io
import itertools
from collections import Counter

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from agencies.models import LCG, Agency, AgencyKind, LCGMembership, Staff, User
from agencies.roles import Role
from agencies.services import SYSTEM_USERNAME
from families import identifiers
from families.models import (
    Address,
    Family,
    FamilyStatusChange,
    HouseholdMembership,
    LeadAssignment,
    MemberRole,
    Person,
    Track,
)
from families.selectors import family_list_for_user
from families.states import TERMINAL_STATES, FamilyStatus, check_transition
from oneplan.site.demo.reference import DEMO_PASSWORD, IDENTIFIED_REASON, LCG_SPECS
from oneplan.site.demo.seed import seed_demo
from outcomes.models import FeedSubmission

TODAY = datetime.date(2025, 6, 30)
FAMILIES = 60
# Large enough for every journey and every partner agency to turn up (see the tests).
JOURNEY_FAMILIES = 300
LED = {
    FamilyStatus.ALLOCATED,
    FamilyStatus.ENGAGED,
    FamilyStatus.PLAN_ACTIVE,
    FamilyStatus.OUTCOMES_MET,
    FamilyStatus.CLAIMED,
    FamilyStatus.CLOSED,
}
PARTNER_KINDS = set(AgencyKind.values) - {
    AgencyKind.INTENSIVE_SUPPORT_PROVIDER,
    AgencyKind.OTHER,
}


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(
        "seed_demo",
        "--families",
        str(FAMILIES),
        "--today",
        TODAY.isoformat(),
        *args,
        stdout=out,
    )
    return out.getvalue()


def fingerprint() -> list[tuple[str, datetime.date, str]]:
    return sorted(
        HouseholdMembership.objects.values_list(
            "person__family_name", "person__date_of_birth", "family__address__postcode"
        )
    )


def case_fingerprint() -> list[tuple[object, ...]]:
    """Every family's address, status, lead and status history, without ids."""
    histories: dict[int, list[tuple[object, ...]]] = {}
    for change in FamilyStatusChange.objects.order_by("created_at", "pk").values_list(
        "family_id", "from_status", "to_status", "reason", "actor__username", "created_at"
    ):
        histories.setdefault(change[0], []).append(change[1:])
    return sorted(
        (
            line_1,
            postcode,
            status,
            changed_at,
            attached_on,
            lead_username or "",
            tuple(histories[pk]),
        )
        for pk, line_1, postcode, status, changed_at, attached_on, lead_username in (
            Family.objects.values_list(
                "pk",
                "address__line_1",
                "address__postcode",
                "status",
                "status_changed_at",
                "attached_on",
                "lead_professional__user__username",
            )
        )
    )


def age_on(born: datetime.date, day: datetime.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@pytest.fixture
def seeded(db: None) -> str:
    return run()


# -- reference data -------------------------------------------------------------


@pytest.mark.django_db
def test_creates_hampshires_ten_lcgs_with_their_postcode_districts(seeded: str) -> None:
    lcgs = {lcg.code: lcg for lcg in LCG.objects.all()}
    assert len(lcgs) == 10
    assert lcgs["BASINGSTOKE"].name == "Basingstoke and Deane LCG"
    assert lcgs["BASINGSTOKE"].postcode_districts == [f"RG{n}" for n in range(21, 27)]
    assert lcgs["EAST-HAMPSHIRE"].postcode_districts == [
        "GU30",
        "GU31",
        "GU32",
        "GU33",
        "GU34",
        "GU35",
        "PO8",
    ]
    assert lcgs["EASTLEIGH"].postcode_districts == ["SO50", "SO52", "SO53"]
    assert lcgs["TEST-VALLEY"].postcode_districts == ["SP10", "SP11", "SO51"]
    assert lcgs["HART-RUSHMOOR"].districts == ["Hart", "Rushmoor"]
    assert lcgs["HAVANT"].postcode_districts == ["PO7", "PO9", "PO10", "PO11"]
    assert lcgs["NEW-FOREST"].postcode_districts == [
        "SO40",
        "SO41",
        "SO42",
        "SO43",
        "SO44",
        "SO45",
        "BH24",
        "BH25",
    ]
    # A postcode district belongs to one LCG, so a family's LCG is never ambiguous.
    every = Counter(d for lcg in lcgs.values() for d in lcg.postcode_districts)
    assert max(every.values()) == 1


@pytest.mark.django_db
def test_creates_agencies_of_every_kind_with_valid_codes(seeded: str) -> None:
    kinds = Counter(Agency.objects.values_list("kind", flat=True))
    assert set(kinds) == set(AgencyKind.values)
    assert kinds[AgencyKind.INTENSIVE_SUPPORT_PROVIDER] == 4
    assert kinds[AgencyKind.SCHOOL] >= 3
    for agency in Agency.objects.all():
        agency.full_clean()


@pytest.mark.django_db
def test_creates_staff_in_every_role(seeded: str) -> None:
    roles = {role for staff in Staff.objects.all() for role in staff.roles}
    assert roles == set(Role.values)
    assert all(staff.job_title for staff in Staff.objects.all())

    sysadmin = User.objects.get(username="sysadmin")
    assert sysadmin.is_staff and sysadmin.is_superuser
    assert sysadmin.staff.roles == [Role.SYSTEM_ADMINISTRATOR]
    for username, role in [
        ("pm", Role.PROGRAMME_MANAGER),
        ("auditor", Role.INTERNAL_AUDITOR),
        ("dpo", Role.DATA_PROTECTION_OFFICER),
    ]:
        assert Staff.objects.get(user__username=username).roles == [role]
    for kind in ["police", "school", "dwp", "housing", "health"]:
        practitioner = Staff.objects.get(user__username=f"practitioner.{kind}")
        assert practitioner.agency.kind == kind
        assert practitioner.roles == [Role.AGENCY_PRACTITIONER]

    for lcg in LCG.objects.all():
        coordinator = Staff.objects.get(user__username=f"coordinator.{lcg.code.lower()}")
        assert coordinator.roles == [Role.LCG_COORDINATOR]
        assert LCGMembership.objects.filter(lcg=lcg, staff=coordinator, is_coordinator=True)
        assert lcg.sro == coordinator
        keyworkers = Staff.objects.filter(
            roles__contains=[Role.FAMILY_SUPPORT_WORKER], lcg_memberships__lcg=lcg
        )
        assert keyworkers.count() >= 2
        assert {k.agency.kind for k in keyworkers} == {
            AgencyKind.CHILDRENS_SERVICES,
            AgencyKind.INTENSIVE_SUPPORT_PROVIDER,
        }


@pytest.mark.django_db
def test_demo_users_sign_in_with_the_printed_password(seeded: str) -> None:
    assert f"Password for every demo sign-in: {DEMO_PASSWORD}" in seeded
    assert len(DEMO_PASSWORD) >= 12
    # A request, as a sign-in has one (the lockout backend asks for it).
    request = RequestFactory().post("/")
    for staff in Staff.objects.select_related("user"):
        assert staff.user.username in seeded
        assert (
            authenticate(request, username=staff.user.username, password=DEMO_PASSWORD)
            == staff.user
        )
    assert authenticate(request, username="pm", password="wrong-password-123") is None


# -- families -------------------------------------------------------------------


@pytest.mark.django_db
def test_creates_families_spread_over_lcgs_and_statuses(seeded: str) -> None:
    assert Family.objects.count() == FAMILIES
    assert f"{FAMILIES} families" in seeded
    statuses = Counter(Family.objects.values_list("status", flat=True))
    assert len(statuses) >= 5
    assert len(set(Family.objects.values_list("lcg", flat=True))) >= 6


@pytest.mark.django_db
def test_every_familys_lcg_follows_its_postcode_district(seeded: str) -> None:
    lcg_of = {d: lcg.pk for lcg in LCG.objects.all() for d in lcg.postcode_districts}
    for family in Family.objects.select_related("address"):
        assert family.address is not None
        district = identifiers.postcode_district(family.address.postcode)
        # None (the unassigned list) exactly when no LCG covers the district.
        assert family.lcg_id == lcg_of.get(district)


@pytest.mark.django_db
def test_households_are_realistic(seeded: str) -> None:
    for family in Family.objects.prefetch_related("memberships__person"):
        roles = Counter(m.role for m in family.memberships.all())
        assert 1 <= roles[MemberRole.PARENT_CARER] <= 2
        assert roles[MemberRole.CHILD] <= 5
        for membership in family.memberships.all():
            age = age_on(membership.person.date_of_birth, TODAY)
            assert membership.start_date <= TODAY
            assert membership.end_date is None
            if membership.role == MemberRole.PARENT_CARER:
                assert 19 <= age <= 60
            elif membership.role == MemberRole.CHILD:
                assert 0 <= age <= 17
            else:
                assert age >= 18
    names = Counter(Person.objects.values_list("family_name", flat=True))
    assert len(names) > 20


@pytest.mark.django_db
def test_identifiers_are_valid_and_common(seeded: str) -> None:
    people = list(Person.objects.all())
    for person in people:
        age = age_on(person.date_of_birth, TODAY)
        if person.upn:
            assert identifiers.upn_error(person.upn) is None
            assert age >= 4
        if person.nhs_number:
            assert identifiers.nhs_number_error(person.nhs_number) is None
        if person.ni_number:
            assert identifiers.ni_number_error(person.ni_number) is None
            assert age >= 16
    school_age = [p for p in people if 5 <= age_on(p.date_of_birth, TODAY) <= 16]
    adults = [p for p in people if age_on(p.date_of_birth, TODAY) >= 18]
    assert sum(bool(p.upn) for p in school_age) > 0.7 * len(school_age)
    assert sum(bool(p.nhs_number) for p in people) > 0.7 * len(people)
    assert sum(bool(p.ni_number) for p in adults) > 0.7 * len(adults)


@pytest.mark.django_db
def test_case_history_and_leads(seeded: str) -> None:
    system = User.objects.get(username=SYSTEM_USERNAME)
    for family in Family.objects.all():
        changes = list(
            FamilyStatusChange.objects.filter(family=family).order_by("created_at", "pk")
        )
        first = changes[0]
        assert (first.from_status, first.to_status) == ("", FamilyStatus.IDENTIFIED)
        assert first.actor == system
        assert first.reason == IDENTIFIED_REASON
        assert first.created_at == family.created_at
        assert changes[-1].to_status == family.status
        assert changes[-1].created_at == family.status_changed_at
        assert (len(changes) == 1) == (family.status == FamilyStatus.IDENTIFIED)
        assert family.status_changed_at.date() < TODAY

        if family.status in LED:
            assert family.lead_agency is not None
            assert family.lead_professional is not None
            assert family.lead_professional.agency == family.lead_agency
            if family.lead_professional.has_role(Role.FAMILY_SUPPORT_WORKER):
                assert family.lead_professional.lcg_memberships.filter(lcg=family.lcg).exists()
            else:  # a partner agency's practitioner
                assert family.lead_professional.roles == [Role.AGENCY_PRACTITIONER]
                assert family.lead_agency.kind in PARTNER_KINDS
            assert family.attached_on is not None
            assert family.attached_on <= family.status_changed_at.date()
            lead = LeadAssignment.objects.get(family=family)
            assert lead.ended_at is None
            assert (lead.lead_agency, lead.lead_professional) == (
                family.lead_agency,
                family.lead_professional,
            )
        if family.lcg is None:
            assert family.status in {FamilyStatus.IDENTIFIED, FamilyStatus.SCREENED}


def test_each_family_keeps_when_it_was_taken_on_on_the_local_track(seeded: str) -> None:
    """``Family.first_local_lead_at`` (the LCG grant's "taken on") agrees with the lead
    history, both for the families copied in and those the LCG work allocated."""
    first_local: dict[int, datetime.datetime] = {}
    for family_id, started_at in LeadAssignment.objects.filter(track=Track.LOCAL).values_list(
        "family_id", "started_at"
    ):
        if family_id not in first_local or started_at < first_local[family_id]:
            first_local[family_id] = started_at
    kept = dict(Family.objects.values_list("pk", "first_local_lead_at"))

    assert first_local
    assert {pk: at for pk, at in kept.items() if at is not None} == first_local


def journeys() -> dict[int, list[FamilyStatusChange]]:
    """Every family's status changes, oldest first (ties broken by id)."""
    chains: dict[int, list[FamilyStatusChange]] = {}
    for change in FamilyStatusChange.objects.order_by("created_at", "pk"):
        chains.setdefault(change.family_id, []).append(change)
    return chains


@pytest.mark.django_db
def test_status_history_follows_the_case_journey(db: None) -> None:
    seed_demo(families=JOURNEY_FAMILIES, today=TODAY)
    chains = journeys()
    families = list(Family.objects.select_related("lead_professional"))
    assert len(families) == JOURNEY_FAMILIES
    for family in families:
        chain = chains[family.pk]
        assert (chain[0].from_status, chain[0].to_status) == ("", FamilyStatus.IDENTIFIED)
        for before, after in itertools.pairwise(chain):
            assert after.from_status == before.to_status
            check_transition(after.from_status, after.to_status)  # raises if not allowed
            assert after.created_at > before.created_at
        assert chain[-1].to_status == family.status
        assert chain[-1].created_at == family.status_changed_at
        assert chain[-1].created_at.date() < TODAY

    # The journeys vary: closed after a claim, stepped down from a plan, side exits
    # before and after allocation, outcomes not sustained.
    paths = Counter(tuple(change.to_status for change in chain[1:]) for chain in chains.values())
    S = FamilyStatus
    assert paths[S.SCREENED, S.ALLOCATED, S.ENGAGED, S.PLAN_ACTIVE, S.OUTCOMES_MET] > 0
    closed_via = {path[-2] for path in paths if path and path[-1] == S.CLOSED}
    assert {S.CLAIMED, S.PLAN_ACTIVE} <= closed_via
    exits = {S.DECLINED, S.MOVED_AWAY, S.CLOSED_NO_OUTCOME}
    exit_from = {
        path[-2] if len(path) > 1 else S.IDENTIFIED
        for path in paths
        if path[-1:] and path[-1] in exits
    }
    assert {S.SCREENED, S.ALLOCATED, S.ENGAGED, S.PLAN_ACTIVE} <= exit_from
    assert any(path.count(S.OUTCOMES_MET) == 2 for path in paths)
    # Days to weeks between steps, and plain-English reasons that vary.
    gaps = [
        (after.created_at - before.created_at).days
        for chain in chains.values()
        for before, after in itertools.pairwise(chain)
    ]
    assert min(gaps) >= 1
    assert 7 <= sorted(gaps)[len(gaps) // 2] <= 60
    reasons = Counter(change.reason for chain in chains.values() for change in chain[1:])
    assert len(reasons) >= 20
    assert "Screened at the LCG meeting" in reasons


@pytest.mark.django_db
def test_status_changes_are_recorded_by_who_did_them(db: None) -> None:
    seed_demo(families=JOURNEY_FAMILIES, today=TODAY)
    system = User.objects.get(username=SYSTEM_USERNAME)
    coordinators = {
        m.lcg_id: m.staff.user_id
        for m in LCGMembership.objects.filter(is_coordinator=True).select_related("staff")
    }
    chains = journeys()
    before_allocation = {FamilyStatus.IDENTIFIED, FamilyStatus.SCREENED}
    for family in Family.objects.select_related("lead_professional"):
        coordinator = coordinators.get(family.lcg_id, system.pk)
        lead = family.lead_professional
        worker = lead.user_id if lead else coordinator
        for change in chains[family.pk][1:]:
            # The coordinator screens and allocates; the lead professional (a key worker
            # or a partner's practitioner) records the work.
            expected = coordinator if change.from_status in before_allocation else worker
            assert change.actor_id == expected
        allocations = [c for c in chains[family.pk] if c.to_status == FamilyStatus.ALLOCATED]
        if lead is None:
            assert allocations == []
            assert family.attached_on is None
            assert not LeadAssignment.objects.filter(family=family).exists()
        else:
            (allocation,) = allocations
            assert family.attached_on == allocation.created_at.date()
            lead_assignment = LeadAssignment.objects.get(family=family)
            assert lead_assignment.started_at == allocation.created_at
            assert lead_assignment.actor_id == coordinator


@pytest.mark.django_db
def test_partner_agencies_practitioners_lead_some_families(db: None) -> None:
    seed_demo(families=JOURNEY_FAMILIES, today=TODAY)
    assert Family.objects.count() == JOURNEY_FAMILIES
    led = Family.objects.filter(lead_professional__isnull=False)
    partner_led = led.filter(lead_professional__roles__contains=[Role.AGENCY_PRACTITIONER])
    # About 15% of the families with a lead. Partners are dealt from a shuffled deck of
    # 20 cards holding every kind, so 20 or more partner-led families (about 35 expected
    # here) guarantee every demo practitioner a caseload, whatever the seed.
    assert 0.08 * led.count() <= partner_led.count() <= 0.25 * led.count()
    assert partner_led.count() >= 20
    for kind in ["police", "school", "housing", "health", "dwp"]:
        practitioner = Staff.objects.get(user__username=f"practitioner.{kind}")
        families = Family.objects.filter(lead_professional=practitioner)
        assert families.count() >= 1, kind
        # The agency leads (what an agency practitioner's caseload follows), and the
        # lead assignment history says the same.
        assert families.filter(lead_agency=practitioner.agency).count() == families.count()
        for family in families:
            lead = LeadAssignment.objects.get(family=family, ended_at__isnull=True)
            assert (lead.lead_agency_id, lead.lead_professional_id) == (
                practitioner.agency_id,
                practitioner.pk,
            )
        # And so the practitioner sees them, a caseload to show in the demo (a closed case
        # keeps only role-derived access, so the open ones).
        open_families = set(
            families.exclude(status__in=TERMINAL_STATES).values_list("pk", flat=True)
        )
        visible = family_list_for_user(practitioner.user).values_list("pk", flat=True)
        assert open_families, kind
        assert open_families <= set(visible)
    # A local agency leads families in its own area.
    school = Staff.objects.get(user__username="practitioner.school")
    housing = Staff.objects.get(user__username="practitioner.housing")
    assert {f.lcg.code for f in Family.objects.filter(lead_professional=school)} == {"BASINGSTOKE"}
    assert {f.lcg.code for f in Family.objects.filter(lead_professional=housing)} == {"HAVANT"}


@pytest.mark.django_db
def test_unassigned_and_protected_addresses_appear_at_scale(db: None) -> None:
    seed_demo(families=600, seed=7, today=TODAY)
    unassigned = Family.objects.filter(lcg__isnull=True).count()
    assert 3 <= unassigned <= 45
    assert Address.objects.filter(is_protected=True).exists()
    assert LeadAssignment.objects.filter(lead_agency__kind=AgencyKind.INTENSIVE_SUPPORT_PROVIDER)


@pytest.mark.django_db
def test_a_sample_passes_full_clean(seeded: str) -> None:
    # No exclusions needed: every field, including the sequence-made reference, is valid.
    for model in (Person, Address, Family):
        sample = list(model.objects.order_by("pk")[:30])
        assert len(sample) == 30
        for row in sample:
            row.full_clean()


# -- reproducibility and safety ------------------------------------------------


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_data(seeded: str) -> None:
    first = fingerprint()
    first_cases = case_fingerprint()
    feeds = sorted(FeedSubmission.objects.values_list("kind", "rows_read"))
    run("--replace")
    assert fingerprint() == first
    assert case_fingerprint() == first_cases
    # Replacing the demo replaces its feeds too, rather than adding a second set.
    assert sorted(FeedSubmission.objects.values_list("kind", "rows_read")) == feeds
    assert Family.objects.count() == FAMILIES
    assert User.objects.filter(username="pm").count() == 1

    run("--replace", "--seed", "2013")
    assert fingerprint() != first


@pytest.mark.django_db
def test_seed_depends_on_today_not_the_clock(db: None) -> None:
    seed_demo(families=20, seed=3, today=TODAY)
    first = fingerprint()
    ages = sorted(age_on(born, TODAY) for _, born, _ in first)
    seed_demo(families=20, seed=3, today=TODAY + datetime.timedelta(days=365), replace=True)
    later = fingerprint()
    assert sorted(age_on(born, TODAY + datetime.timedelta(days=365)) for _, born, _ in later) == (
        ages
    )


@pytest.mark.django_db
def test_if_empty_leaves_a_seeded_database_alone(seeded: str) -> None:
    before = (fingerprint(), Family.objects.count(), Person.objects.count(), User.objects.count())
    out = run("--if-empty", "--seed", "99")
    assert "leaving it as it is" in out
    after = (fingerprint(), Family.objects.count(), Person.objects.count(), User.objects.count())
    assert after == before


@pytest.mark.django_db
def test_seeding_again_without_replace_is_refused(seeded: str) -> None:
    before = fingerprint()
    with pytest.raises(CommandError, match=r"already holds case data.*--replace"):
        run("--seed", "99")
    assert fingerprint() == before


@pytest.mark.django_db
def test_if_empty_seeds_an_empty_database(db: None) -> None:
    out = run("--if-empty")
    assert Family.objects.count() == FAMILIES
    assert "Demo sign-ins" in out


def test_lcg_specs_cover_the_domain_geography() -> None:
    assert len(LCG_SPECS) == 10
    assert all(spec.name.endswith(" LCG") for spec in LCG_SPECS)


@pytest.mark.django_db
def test_demo_users_see_their_families_through_grants() -> None:
    from agencies.models import User
    from families.access.access import family_permissions
    from families.selectors import family_list_for_user
    from oneplan.site.demo.seed import seed_demo

    seed_demo(families=300, seed=2012, today=datetime.date(2026, 11, 23))
    keyworkers = User.objects.filter(username__startswith="keyworker.")
    assert sum(family_list_for_user(u).count() for u in keyworkers) > 0
    assert family_list_for_user(User.objects.get(username="pm")).count() == 300
    assert family_list_for_user(User.objects.get(username="sysadmin")).count() == 0
    for user in keyworkers[:5]:
        for family in family_list_for_user(user)[:3]:
            assert "view_family" in family_permissions(user, family)


def test_families_taken_on_are_attached_with_results_stored(seeded: str) -> None:
    """Allocated families are attached on their allocation day with their entry
    assessment, and their results stored as the nightly evaluation works them out,
    without moving anyone along the journey (the first night does that)."""
    from outcomes.models import Attachment, Result

    attached = set(Attachment.objects.values_list("family_id", flat=True))
    taken_on = set(Family.objects.filter(attached_on__isnull=False).values_list("pk", flat=True))
    assert attached and attached == taken_on
    for attachment in Attachment.objects.select_related("family")[:20]:
        assert attachment.attached_on == attachment.family.attached_on
    assert set(Result.objects.filter(is_current=True).values_list("family_id", flat=True)) == (
        attached
    )
    assert not FamilyStatusChange.objects.filter(reason__startswith="Results:").exists()
