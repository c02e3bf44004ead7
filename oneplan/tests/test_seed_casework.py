"""The demo's agency evidence and case work (``oneplan.site.demo.casework``)."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest

from agencies.models import Staff
from families.access.access import family_scope
from families.grants_models import Grant, GrantReason, LawfulBasis, TeamMember
from families.models import Family
from oneplan.site.demo.casework_data import terms_before
from oneplan.site.demo.seed import seed_demo
from outcomes.models import Evidence, FeedKind, SourcePerson
from plans.models import Action, ActionOwner, Agreement, Goal, Need, Plan, PlanStatus, Review

TODAY = datetime.date(2025, 6, 30)


@pytest.fixture
def seeded(db: None) -> None:
    seed_demo(families=150, seed=7, today=TODAY)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (
            datetime.date(2025, 6, 30),
            [("2024/25", "summer"), ("2024/25", "spring"), ("2024/25", "autumn")],
        ),
        # The first day of a term counts as started.
        (
            datetime.date(2025, 9, 1),
            [("2025/26", "autumn"), ("2024/25", "summer"), ("2024/25", "spring")],
        ),
        (
            datetime.date(2026, 1, 1),
            [("2025/26", "spring"), ("2025/26", "autumn"), ("2024/25", "summer")],
        ),
        (
            datetime.date(2025, 12, 31),
            [("2025/26", "autumn"), ("2024/25", "summer"), ("2024/25", "spring")],
        ),
    ],
)
def test_terms_before_counts_back_from_today(
    today: datetime.date, expected: list[tuple[str, str]]
) -> None:
    assert [(year, term) for year, term, _ in terms_before(today, 3)] == expected


@pytest.mark.django_db
def test_evidence_is_dated_typed_and_valid(seeded: None) -> None:
    kinds = Counter(Evidence.objects.values_list("kind", flat=True))
    assert {FeedKind.SCHOOL_ATTENDANCE, FeedKind.BENEFITS, FeedKind.HEALTH} <= set(kinds)
    for evidence in Evidence.objects.select_related("source")[:200]:
        evidence.full_clean()
        assert evidence.person_id == evidence.source.person_id
        assert evidence.date <= TODAY
        assert evidence.is_restricted == (evidence.kind in ("domestic_abuse", "health"))
    for row in Evidence.objects.filter(kind=FeedKind.SCHOOL_ATTENDANCE)[:100]:
        data = row.data
        assert 0 <= data["unauthorised_absence_sessions"] <= data["possible_sessions"]
        assert data["term"] in ("autumn", "spring", "summer")


@pytest.mark.django_db
def test_sources_are_one_per_agency_and_person(seeded: None) -> None:
    sources = SourcePerson.objects.all()
    assert sources.exists()
    for source in sources[:100]:
        source.full_clean()
        person = source.person
        assert person is not None
        assert (source.given_name, source.date_of_birth) == (
            person.given_name,
            person.date_of_birth,
        )


@pytest.mark.django_db
def test_families_being_worked_with_have_consent_a_team_and_a_plan(seeded: None) -> None:
    active = Family.objects.filter(status="plan_active", lead_professional__isnull=False)
    assert active.exists()
    for family in active:
        assert LawfulBasis.objects.filter(family=family, withdrawn_on__isnull=True).exists()
        plan = Plan.objects.get(family=family)
        plan.full_clean()
        needs = Need.objects.filter(family=family)
        assert needs.count() >= 3
    # Agencies with actions are on the team, so their practitioners can see the family.
    agency_actions = Action.objects.filter(owner=ActionOwner.AGENCY).select_related("plan")
    for action in agency_actions[:200]:
        family_id = action.plan.family_id
        family = Family.objects.get(pk=family_id)
        on_team = TeamMember.objects.filter(family_id=family_id, agency_id=action.agency_id)
        assert on_team.exists() or action.agency_id == family.lead_agency_id


@pytest.mark.django_db
def test_agreed_plans_cover_every_need_and_have_an_agreement(seeded: None) -> None:
    agreed = Plan.objects.filter(status=PlanStatus.AGREED)
    assert agreed.exists()
    for plan in agreed:
        assert Agreement.objects.filter(plan=plan).exists()
        uncovered = Need.objects.filter(family_id=plan.family_id, goals__isnull=True)
        assert not uncovered.exists()
    for goal in Goal.objects.all()[:100]:
        goal.full_clean()
    for action in Action.objects.all()[:200]:
        action.full_clean()
    for review in Review.objects.all()[:50]:
        review.full_clean()
        assert review.held_on < TODAY


@pytest.mark.django_db
def test_practitioners_see_the_families_their_agency_works_with(seeded: None) -> None:
    grants = Grant.objects.filter(reason=GrantReason.TEAM, ends_at__isnull=True)
    assert grants.exists()
    grant = grants.first()
    assert grant is not None
    practitioner = Staff.objects.filter(
        agency_id=grant.agency_id, roles__contains=["agency_practitioner"]
    ).first()
    assert practitioner is not None
    visible = Family.objects.filter(family_scope(practitioner.user))
    assert visible.filter(pk=grant.family_id).exists()
