"""The case journey (DOMAIN.md section 3): which moves are allowed, and the service."""

from __future__ import annotations

import pytest

from agencies.services import system_actor
from families.models import Family, FamilyStatusChange
from families.services import family_transition
from families.states import (
    OPEN_STATES,
    TERMINAL_STATES,
    TRANSITIONS,
    FamilyStatus,
    TransitionNotAllowed,
    check_transition,
    chosen_transitions,
    transition_label,
)
from oneplan.errors import ApplicationError
from tests.factories import AgencyFactory, FamilyFactory

S = FamilyStatus

ALLOWED = [
    (S.IDENTIFIED, S.SCREENED),
    (S.SCREENED, S.ALLOCATED),
    (S.ALLOCATED, S.ENGAGED),
    (S.ENGAGED, S.PLAN_ACTIVE),
    (S.PLAN_ACTIVE, S.OUTCOMES_MET),
    (S.OUTCOMES_MET, S.CLAIMED),
    (S.CLAIMED, S.CLOSED),
    (S.OUTCOMES_MET, S.PLAN_ACTIVE),  # outcome not sustained
    (S.PLAN_ACTIVE, S.CLOSED),  # stepped down
    (S.IDENTIFIED, S.DECLINED),
    (S.ENGAGED, S.MOVED_AWAY),
    (S.PLAN_ACTIVE, S.CLOSED_NO_OUTCOME),
    (S.CLOSED, S.IDENTIFIED),  # re-opened
    (S.DECLINED, S.IDENTIFIED),
]

REFUSED = [
    (S.IDENTIFIED, S.ALLOCATED),  # cannot skip screening
    (S.IDENTIFIED, S.CLAIMED),
    (S.SCREENED, S.PLAN_ACTIVE),
    (S.ALLOCATED, S.OUTCOMES_MET),
    (S.PLAN_ACTIVE, S.CLAIMED),  # a claim needs outcomes met first
    (S.CLAIMED, S.PLAN_ACTIVE),
    (S.CLAIMED, S.DECLINED),  # a claimed family is closed, not declined
    (S.CLOSED, S.PLAN_ACTIVE),  # re-opening starts the journey again
    (S.DECLINED, S.CLOSED),
    (S.IDENTIFIED, S.IDENTIFIED),
]


@pytest.mark.parametrize(("current", "target"), ALLOWED)
def test_allowed_transition_passes(current: FamilyStatus, target: FamilyStatus) -> None:
    check_transition(current, target)


@pytest.mark.parametrize(("current", "target"), REFUSED)
def test_refused_transition_raises(current: FamilyStatus, target: FamilyStatus) -> None:
    with pytest.raises(TransitionNotAllowed):
        check_transition(current, target)


def test_every_state_has_a_way_out_and_every_target_is_a_state() -> None:
    assert set(TRANSITIONS) == set(FamilyStatus)
    for targets in TRANSITIONS.values():
        assert targets
        assert set(targets) <= set(FamilyStatus)


@pytest.mark.parametrize("terminal", sorted(TERMINAL_STATES))
def test_only_reopening_leaves_a_terminal_state(terminal: FamilyStatus) -> None:
    assert TRANSITIONS[terminal] == (S.IDENTIFIED,)


@pytest.mark.parametrize("state", sorted(OPEN_STATES - {S.CLAIMED}))
def test_side_exits_are_open_until_claimed(state: FamilyStatus) -> None:
    assert {S.DECLINED, S.MOVED_AWAY, S.CLOSED_NO_OUTCOME} <= set(TRANSITIONS[state])


def test_refusal_message_is_plain_english() -> None:
    with pytest.raises(TransitionNotAllowed, match="identified cannot move to claimed"):
        check_transition(S.IDENTIFIED, S.CLAIMED)


EXITS = (S.DECLINED, S.MOVED_AWAY, S.CLOSED_NO_OUTCOME)


@pytest.mark.parametrize(
    ("current", "offered"),
    [
        # DOMAIN.md 4.4: people choose only the side exits, closing where the journey
        # allows it, and re-opening; events set every other status.
        (S.IDENTIFIED, EXITS),
        (S.SCREENED, EXITS),
        (S.ALLOCATED, EXITS),
        (S.ENGAGED, EXITS),
        (S.PLAN_ACTIVE, (S.CLOSED, *EXITS)),
        (S.OUTCOMES_MET, (S.CLOSED, *EXITS)),
        (S.CLAIMED, (S.CLOSED,)),
        (S.CLOSED, (S.IDENTIFIED,)),
        (S.DECLINED, (S.IDENTIFIED,)),
        (S.MOVED_AWAY, (S.IDENTIFIED,)),
        (S.CLOSED_NO_OUTCOME, (S.IDENTIFIED,)),
    ],
)
def test_people_choose_only_the_exits_closing_and_reopening(
    current: FamilyStatus, offered: tuple[FamilyStatus, ...]
) -> None:
    assert chosen_transitions(current) == offered


@pytest.mark.django_db
@pytest.mark.parametrize("target", [S.SCREENED, S.ALLOCATED, S.ENGAGED, S.PLAN_ACTIVE])
def test_a_chosen_move_to_a_status_events_set_is_refused(target: FamilyStatus) -> None:
    before = {
        S.SCREENED: S.IDENTIFIED,
        S.ALLOCATED: S.SCREENED,
        S.ENGAGED: S.ALLOCATED,
        S.PLAN_ACTIVE: S.ENGAGED,
    }[target]
    family = FamilyFactory(status=before, lead_agency=AgencyFactory(), track="local")

    with pytest.raises(ApplicationError, match="is set by OnePlan"):
        family_transition(
            actor=system_actor(), family=family, to_status=target, reason="Because", chosen=True
        )

    family.refresh_from_db()
    assert family.status == before
    assert not FamilyStatusChange.objects.filter(family=family).exists()


@pytest.mark.django_db
def test_transition_records_who_when_and_why() -> None:
    # The LCG names the track and lead agency when it allocates (families.journey).
    family = FamilyFactory(status=S.SCREENED, lead_agency=AgencyFactory(), track="local")
    actor = system_actor()

    updated = family_transition(
        actor=actor, family=family, to_status=S.ALLOCATED, reason="LCG meeting 3 March"
    )

    assert updated.status == S.ALLOCATED
    assert updated.attached_on is not None
    change = FamilyStatusChange.objects.get(family=family)
    assert (change.from_status, change.to_status) == (S.SCREENED, S.ALLOCATED)
    assert change.reason == "LCG meeting 3 March"
    assert change.actor == actor


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("to_status", "reason", "message"),
    [
        (S.CLAIMED, "Because", "cannot move to claimed"),
        (S.SCREENED, "   ", "Enter the reason for the change"),
    ],
)
def test_refused_transition_changes_nothing(
    to_status: FamilyStatus, reason: str, message: str
) -> None:
    family = FamilyFactory(status=S.IDENTIFIED)
    before = Family.objects.values().get(pk=family.pk)

    with pytest.raises(ApplicationError, match=message):
        family_transition(actor=system_actor(), family=family, to_status=to_status, reason=reason)

    assert Family.objects.values().get(pk=family.pk) == before
    assert not FamilyStatusChange.objects.filter(family=family).exists()


@pytest.mark.django_db
def test_transition_works_from_the_locked_row_not_a_stale_copy() -> None:
    family = FamilyFactory(status=S.IDENTIFIED)
    stale = Family.objects.get(pk=family.pk)
    family_transition(actor=system_actor(), family=family, to_status=S.SCREENED, reason="Screened")

    # Someone else's copy still says "identified"; the service must read the real state.
    with pytest.raises(ApplicationError, match="screened cannot move to screened"):
        family_transition(
            actor=system_actor(), family=stale, to_status=S.SCREENED, reason="Screened again"
        )
    assert FamilyStatusChange.objects.filter(family=family).count() == 1


@pytest.mark.parametrize(
    ("current", "target", "label"),
    [
        (S.IDENTIFIED, S.SCREENED, "Screened"),
        (S.OUTCOMES_MET, S.PLAN_ACTIVE, "Plan active"),
        (S.CLOSED, S.IDENTIFIED, "Re-opened (starts the journey again)"),
        (S.DECLINED, S.IDENTIFIED, "Re-opened (starts the journey again)"),
    ],
)
def test_transition_choices_read_as_the_new_status(
    current: FamilyStatus, target: FamilyStatus, label: str
) -> None:
    assert transition_label(current, target) == label
