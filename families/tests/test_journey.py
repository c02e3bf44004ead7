"""What each status on the journey requires of a family (DOMAIN.md 4.4, families.journey),
and the status change that refuses a move the family's facts do not support."""

from __future__ import annotations

import dataclasses
import datetime
import re
from html import unescape
from typing import Any

import pytest
from django.urls import reverse

from agencies.services import system_actor
from conftest import World, client_for
from families.access.services import lawful_basis_record, lawful_basis_withdraw
from families.grants_models import LawfulBasisKind
from families.journey import (
    REQUIREMENTS,
    JourneyFacts,
    Requirement,
    journey_problems,
    journey_requirements,
    journey_step_problems,
)
from families.models import Family, FamilyStatusChange
from families.services import family_transition
from families.states import TERMINAL_STATES, FamilyStatus
from oneplan.errors import ApplicationError
from tests.factories import FamilyFactory, MembershipFactory

S = FamilyStatus

LED = JourneyFacts(has_lead_agency=True)
ENGAGED = JourneyFacts(has_lead_agency=True, has_lawful_basis=True, had_lawful_basis=True)
AGREED = JourneyFacts(
    has_lead_agency=True,
    has_lawful_basis=True,
    had_lawful_basis=True,
    plan_agreed_once=True,
    plan_agreed_now=True,
    open_actions_overdue=0,
)


def facts(base: JourneyFacts, **changes: Any) -> JourneyFacts:
    return dataclasses.replace(base, **changes)


# (status, facts, the problems expected: each a piece of one message, in order)
CASES: list[tuple[FamilyStatus, JourneyFacts, list[str]]] = [
    (S.IDENTIFIED, JourneyFacts(), []),
    (S.SCREENED, JourneyFacts(), []),
    (S.ALLOCATED, JourneyFacts(), ["is allocated needs a lead agency"]),
    (S.ALLOCATED, LED, []),
    (S.ALLOCATED, facts(LED, has_track=False), ["is allocated needs a track"]),
    # Allocated before tracks were recorded: later steps do not ask for one.
    (S.ENGAGED, facts(ENGAGED, has_track=False), []),
    (S.ENGAGED, LED, ["is engaged needs a lawful basis for sharing"]),
    (S.ENGAGED, JourneyFacts(has_lawful_basis=True), ["is engaged needs a lead agency"]),
    # Consent given once and withdrawn since is no basis for working with the family.
    (S.ENGAGED, facts(LED, had_lawful_basis=True), ["is engaged needs a lawful basis"]),
    (S.ENGAGED, ENGAGED, []),
    (S.PLAN_ACTIVE, facts(ENGAGED, plan_agreed_once=False), ["needs a plan the family has"]),
    # Changed since the family agreed it: still active, waiting to be agreed again.
    (S.PLAN_ACTIVE, facts(ENGAGED, plan_agreed_once=True, plan_agreed_now=False), []),
    # Plan facts the caller does not have (families alone) are not checked.
    (S.PLAN_ACTIVE, ENGAGED, []),
    (S.PLAN_ACTIVE, facts(ENGAGED, open_actions_overdue=4, plan_agreed_once=True), []),
    (S.OUTCOMES_MET, AGREED, []),
    (S.OUTCOMES_MET, facts(AGREED, plan_agreed_now=False), ["to stand as the family agreed"]),
    (S.OUTCOMES_MET, facts(AGREED, open_actions_overdue=1), ["past their due date (1 is)"]),
    (S.CLAIMED, facts(AGREED, open_actions_overdue=3), ["past their due date (3 are)"]),
    (
        S.CLAIMED,
        facts(AGREED, has_lawful_basis=False, plan_agreed_now=False),
        ["needs a lawful basis", "to stand as the family agreed"],
    ),
    (S.CLAIMED, AGREED, []),
    # A family that left before the LCG allocated it has no lead to keep.
    (S.DECLINED, JourneyFacts(reached=frozenset({S.SCREENED})), []),
    (
        S.DECLINED,
        JourneyFacts(reached=frozenset({S.SCREENED, S.ALLOCATED})),
        ["was allocated before it was declined needs a lead agency"],
    ),
    # Consent can be withdrawn on the way out: that it was recorded is enough.
    (
        S.MOVED_AWAY,
        facts(LED, had_lawful_basis=True, reached=frozenset({S.ALLOCATED, S.ENGAGED})),
        [],
    ),
    (
        S.CLOSED_NO_OUTCOME,
        facts(LED, reached=frozenset({S.ALLOCATED, S.ENGAGED})),
        ["was engaged before it was closed without outcome needs a lawful basis"],
    ),
    (
        S.CLOSED,
        facts(ENGAGED, plan_agreed_once=False, reached=frozenset(REQUIREMENTS)),
        ["was plan active before it was closed needs a plan the family has agreed"],
    ),
    # Open actions or a plan changed since do not matter once the family has left.
    (
        S.CLOSED,
        facts(
            AGREED,
            plan_agreed_now=False,
            open_actions_overdue=2,
            has_lawful_basis=False,
            reached=frozenset(REQUIREMENTS),
        ),
        [],
    ),
]


@pytest.mark.parametrize(("status", "given", "expected"), CASES)
def test_what_a_status_requires(
    status: FamilyStatus, given: JourneyFacts, expected: list[str]
) -> None:
    problems = journey_problems(status, given)
    assert len(problems) == len(expected), problems
    for problem, piece in zip(problems, expected, strict=True):
        assert piece in problem


def test_every_status_is_covered() -> None:
    assert set(REQUIREMENTS) | TERMINAL_STATES == set(FamilyStatus)
    assert not set(REQUIREMENTS) & TERMINAL_STATES


def test_requirements_of_a_side_exit_follow_the_journey_it_left() -> None:
    assert journey_requirements(S.DECLINED) == ()
    # The lead agency is kept on record; the track is asked for only to allocate.
    assert journey_requirements(S.DECLINED, frozenset({S.SCREENED, S.ALLOCATED})) == (
        Requirement.LEAD_AGENCY,
    )
    assert REQUIREMENTS[S.ALLOCATED] == (Requirement.LEAD_AGENCY, Requirement.TRACK)
    assert len(journey_requirements(S.CLOSED, frozenset(REQUIREMENTS))) == 3


@pytest.mark.parametrize(
    ("target", "given", "expected"),
    [
        (
            S.ALLOCATED,
            JourneyFacts(),
            ["A family that is allocated needs a lead agency. Set the family's lead agency first."],
        ),
        (
            S.ALLOCATED,
            facts(LED, has_track=False),
            [
                "A family that is allocated needs a track: intensive or local. Allocate the "
                "family to a track first."
            ],
        ),
        (
            S.ENGAGED,
            LED,
            [
                "A family that is engaged needs a lawful basis for sharing: consent or a "
                "statutory gateway. Record the family's consent or a statutory gateway first."
            ],
        ),
        # Side exits and re-opening are a person's decision; nothing is asked of them.
        *[(exit_to, JourneyFacts(), []) for exit_to in sorted(TERMINAL_STATES)],
        (S.IDENTIFIED, JourneyFacts(), []),
    ],
)
def test_what_a_move_asks_for_first(
    target: FamilyStatus, given: JourneyFacts, expected: list[str]
) -> None:
    assert journey_step_problems(target, given) == expected


# -- the status change ------------------------------------------------------------


def _refused(family: Family, to_status: FamilyStatus, message: str) -> None:
    before = Family.objects.values().get(pk=family.pk)
    changes = FamilyStatusChange.objects.filter(family=family).count()
    with pytest.raises(ApplicationError, match=message) as caught:
        family_transition(actor=system_actor(), family=family, to_status=to_status, reason="LCG")
    assert caught.value.field == "to_status"
    assert Family.objects.values().get(pk=family.pk) == before
    assert FamilyStatusChange.objects.filter(family=family).count() == changes


@pytest.mark.django_db
def test_allocating_without_a_lead_agency_is_refused(world: World) -> None:
    family = FamilyFactory(lcg=world.winchester, status=S.SCREENED)

    _refused(family, S.ALLOCATED, "needs a lead agency. Set the family's lead agency first")


@pytest.mark.django_db
def test_allocating_without_a_track_is_refused(world: World) -> None:
    family = FamilyFactory(lcg=world.winchester, status=S.SCREENED, lead_agency=world.council)

    _refused(family, S.ALLOCATED, "needs a track: intensive or local")


@pytest.mark.django_db
def test_allocating_with_a_track_and_lead_agency_goes_ahead(world: World) -> None:
    family = FamilyFactory(
        lcg=world.winchester, status=S.SCREENED, lead_agency=world.council, track="local"
    )

    updated = family_transition(
        actor=system_actor(), family=family, to_status=S.ALLOCATED, reason="LCG meeting"
    )

    assert updated.status == S.ALLOCATED


def _allocated(world: World) -> Family:
    family = FamilyFactory(lcg=world.winchester, status=S.ALLOCATED, lead_agency=world.council)
    MembershipFactory(family=family)
    return family


@pytest.mark.django_db
def test_engaging_without_a_lawful_basis_is_refused(world: World) -> None:
    family = _allocated(world)

    _refused(family, S.ENGAGED, "needs a lawful basis for sharing")


@pytest.mark.django_db
def test_engaging_on_withdrawn_consent_is_refused(world: World) -> None:
    family = _allocated(world)
    person = family.memberships.get().person
    consent = lawful_basis_record(
        actor=system_actor(),
        family=family,
        kind=LawfulBasisKind.CONSENT,
        person=person,
        given_on=datetime.date(2025, 3, 1),
    )
    lawful_basis_withdraw(
        actor=system_actor(),
        basis=consent,
        withdrawn_on=datetime.date(2025, 3, 8),
        note="Mum asked us to stop sharing",
    )

    _refused(family, S.ENGAGED, "needs a lawful basis for sharing")


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [LawfulBasisKind.CONSENT, LawfulBasisKind.STATUTORY_GATEWAY])
def test_engaging_with_consent_or_a_gateway_goes_ahead(world: World, kind: str) -> None:
    family = _allocated(world)
    lawful_basis_record(
        actor=system_actor(),
        family=family,
        kind=kind,
        person=family.memberships.get().person,
        gateway="Children Act 1989, section 47",
        given_on=datetime.date(2025, 3, 1),
    )

    updated = family_transition(
        actor=system_actor(), family=family, to_status=S.ENGAGED, reason="First home visit"
    )

    assert updated.status == S.ENGAGED


@pytest.mark.django_db
def test_a_side_exit_is_never_refused_for_missing_records(world: World) -> None:
    # Allocated before the guard existed, with no lead agency: it can still be closed.
    family = FamilyFactory(lcg=world.winchester, status=S.ALLOCATED)

    updated = family_transition(
        actor=system_actor(), family=family, to_status=S.DECLINED, reason="Family declined"
    )

    assert updated.status == S.DECLINED


@pytest.mark.django_db
def test_the_status_page_offers_and_takes_only_the_exits(world: World) -> None:
    family = FamilyFactory(lcg=world.winchester, status=S.SCREENED, lead_agency=world.council)
    client = client_for(world.coordinator)
    url = reverse("families:detail", args=[family.reference])

    page = client.get(url).content.decode()
    response = client.post(
        reverse("families:transition", args=[family.reference]),
        {"to_status": "allocated", "reason": "Allocated at the LCG meeting"},
    )

    offered = set(re.findall(r'name="to_status" value="(\w+)"', page))
    assert offered == {"declined", "moved_away", "closed_no_outcome"}
    html = unescape(response.content.decode())
    assert response.status_code == 400
    assert "There is a problem" in html
    assert "Select one of the statuses listed" in html
    assert "Allocated at the LCG meeting" in html
    family.refresh_from_db()
    assert family.status == S.SCREENED
    assert not FamilyStatusChange.objects.filter(family=family).exists()


@pytest.mark.django_db
def test_the_api_refuses_a_move_events_make_and_says_what_makes_it(world: World) -> None:
    family = _allocated(world)
    client = client_for(world.coordinator)

    response = client.post(
        f"/api/families/{family.reference}/transition/",
        {"to_status": "engaged", "reason": "First home visit"},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "to_status": [
            "Engaged is set by OnePlan when the family's agreement to work with the "
            "programme is recorded, with the lawful basis for sharing, not chosen"
        ]
    }
    family.refresh_from_db()
    assert family.status == S.ALLOCATED


# -- engaged: the family's agreement, recorded with the lawful basis ---------------------


def _basis(world: World, family: Family, **kwargs: Any) -> Any:
    return lawful_basis_record(
        actor=world.keyworker.user,
        family=family,
        kind=LawfulBasisKind.CONSENT,
        person=family.memberships.get().person,
        given_on=datetime.date(2025, 3, 1),
        **kwargs,
    )


@pytest.mark.django_db
def test_the_familys_agreement_with_its_lawful_basis_engages_it(world: World) -> None:
    family = _allocated(world)

    basis = _basis(world, family, family_agreed=True)

    family.refresh_from_db()
    assert family.status == S.ENGAGED
    change = FamilyStatusChange.objects.get(family=family)
    assert (change.from_status, change.to_status) == (S.ALLOCATED, S.ENGAGED)
    assert change.actor == world.keyworker.user
    assert change.reason.startswith("The family agreed to work with the programme.")
    assert f"Consent to share given by {basis.person}" in change.reason


@pytest.mark.django_db
def test_a_lawful_basis_alone_does_not_engage_the_family(world: World) -> None:
    family = _allocated(world)

    _basis(world, family)

    family.refresh_from_db()
    assert family.status == S.ALLOCATED


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "message"),
    [
        (S.SCREENED, "once the LCG has allocated it"),
        (S.ENGAGED, "already recorded: it is engaged"),
        (S.PLAN_ACTIVE, "already recorded: it is plan active"),
        (S.DECLINED, "The family is declined: re-open it first"),
    ],
)
def test_agreement_outside_allocated_is_refused_and_nothing_recorded(
    world: World, status: FamilyStatus, message: str
) -> None:
    family = _allocated(world)
    Family.objects.filter(pk=family.pk).update(status=status)

    with pytest.raises(ApplicationError, match=message) as caught:
        _basis(world, family, family_agreed=True)

    assert caught.value.field == "family_agreed"
    assert not family.lawful_bases.exists()
    family.refresh_from_db()
    assert family.status == status


@pytest.mark.django_db
def test_the_lawful_basis_page_asks_for_agreement_only_while_allocated(world: World) -> None:
    allocated = _allocated(world)
    screened = FamilyFactory(lcg=world.winchester, status=S.SCREENED)
    client = client_for(world.coordinator)

    def page(family: Family) -> str:
        return client.get(
            reverse("families:lawful-basis-add", args=[family.reference])
        ).content.decode()

    assert 'name="family_agreed"' in page(allocated)
    assert 'name="family_agreed"' not in page(screened)
    person = allocated.memberships.get().person
    response = client.post(
        reverse("families:lawful-basis-add", args=[allocated.reference]),
        {
            "kind": "consent",
            "person": str(person.pk),
            "given_on_day": "1",
            "given_on_month": "3",
            "given_on_year": "2025",
            "family_agreed": "on",
        },
    )
    assert response.status_code == 302
    allocated.refresh_from_db()
    assert allocated.status == S.ENGAGED
