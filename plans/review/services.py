"""Writes for reviews, agreement and case notes. Each runs in one transaction: a
refusal anywhere leaves nothing written.

Reviews and agreements change the plan, so each records a plan version
(``plans.plan.services.plan_change_record``); case notes are about the family, not the
plan, and are append-only (a correction is a new note). Models are ``@audited``, so
every insert is in the write history too.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, User
from families.models import Family, HouseholdMembership, Person
from families.services import family_transition
from families.states import FamilyStatus
from oneplan.dates import govuk_date
from oneplan.errors import ApplicationError
from plans.models import (
    OPEN_ACTION_STATUSES,
    Action,
    ActionOwner,
    ActionStatus,
    Agreement,
    AgreementMethod,
    CaseNote,
    Goal,
    GoalRating,
    GoalRatingValue,
    GoalStatus,
    Plan,
    PlanStatus,
    Review,
)
from plans.plan.selectors import plan_agreement_blockers, plan_changed_since_version
from plans.plan.services import action_create, action_update, plan_change_record
from plans.review import access
from plans.review.rules import (
    DEFAULT_REVIEW_INTERVAL_WEEKS,
    agreement_blockers_message,
    next_review_default,
    review_dates_problem,
)
from plans.review.selectors import team_agencies

NOTE_MAX_LENGTH = 10_000
TEXT_MAX_LENGTH = 10_000


def review_interval_weeks() -> int:
    """Weeks from a review to the next one when the meeting sets no date (6 to 8 is the
    practice; councils choose)."""
    return int(getattr(settings, "ONEPLAN_REVIEW_INTERVAL_WEEKS", DEFAULT_REVIEW_INTERVAL_WEEKS))


# ---------------------------------------------------------------------------
# Reviews
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class GoalRatingInput:
    goal_id: int
    rating: str
    comment: str = ""


@dataclass(frozen=True)
class NewActionInput:
    """An action the meeting decided. No agency means the family will do it."""

    goal_id: int
    description: str
    due_on: datetime.date
    agency_id: int | None = None
    family_member_id: int | None = None


@dataclass(frozen=True)
class ActionChangeInput:
    """A change the meeting decided to an action still to do. Empty means unchanged."""

    action_id: int
    expected_version: int
    status: str = ""
    due_on: datetime.date | None = None
    not_done_reason: str = ""


def _long(text: str, field: str, what: str) -> None:
    if len(text) > TEXT_MAX_LENGTH:
        raise ApplicationError(f"{what} must be 10,000 characters or fewer", field=field)


def _current_members(
    family: Family, ids: Collection[int], *, field: str, message: str
) -> list[Person]:
    """The family's current members with these ids, in the order given; refused if any
    id is not one of them (an id from another family must not leak into this one)."""
    wanted = list(dict.fromkeys(ids))
    people = {
        m.person_id: m.person
        for m in HouseholdMembership.objects.filter(
            family=family, end_date__isnull=True, person_id__in=wanted
        ).select_related("person")
    }
    if set(wanted) - set(people):
        raise ApplicationError(message, field=field)
    return [people[i] for i in wanted]


def _rated_goals(
    plan: Plan, ratings: Sequence[GoalRatingInput], goals: dict[int, Goal]
) -> list[GoalRating]:
    seen: set[int] = set()
    rows: list[GoalRating] = []
    for item in ratings:
        goal = goals.get(item.goal_id)
        field = f"ratings.{item.goal_id}.rating"
        if goal is None:
            raise ApplicationError("Rate only goals in this family's plan", field=field)
        if goal.status != GoalStatus.OPEN:
            raise ApplicationError(f"'{goal.title}' is no longer being worked on", field=field)
        if item.goal_id in seen:
            raise ApplicationError(f"'{goal.title}' is rated more than once", field=field)
        if item.rating not in GoalRatingValue.values:
            raise ApplicationError(f"Select how '{goal.title}' is going", field=field)
        _long(item.comment, f"ratings.{item.goal_id}.comment", "The comment")
        seen.add(item.goal_id)
        rows.append(GoalRating(goal=goal, rating=item.rating, comment=item.comment.strip()))
    missing = [g for g in goals.values() if g.status == GoalStatus.OPEN and g.pk not in seen]
    if missing:
        first = min(missing, key=lambda g: (g.position, g.pk))
        raise ApplicationError(
            f"Select how '{first.title}' is going", field=f"ratings.{first.pk}.rating"
        )
    return rows


@transaction.atomic
def review_record(
    *,
    actor: User,
    plan: Plan,
    held_on: datetime.date,
    next_review_on: datetime.date | None = None,
    attendee_agency_ids: Collection[int] = (),
    attendee_member_ids: Collection[int] = (),
    other_attendees: str = "",
    summary: str = "",
    decisions: str = "",
    ratings: Sequence[GoalRatingInput] = (),
    new_actions: Sequence[NewActionInput] = (),
    action_changes: Sequence[ActionChangeInput] = (),
) -> Review:
    """Record a team around the family meeting and everything it decided.

    Every open goal gets a progress rating. Decisions become new actions (linked to the
    review) or changes to actions still to do (a new due date, in progress, done, or not
    done with a reason). The next review defaults to ``ONEPLAN_REVIEW_INTERVAL_WEEKS``
    (6) weeks after the meeting and must be after it; it becomes the plan's next review
    date. All of it is one change to the plan: if any part is refused, nothing is saved.

    Errors about one item name it in ``field``: ``ratings.<goal id>.rating``,
    ``new_actions.<index>.<field>``, ``action_changes.<action id>.<field>``.
    """
    family = plan.family
    if not access.can_record_review(actor, family):
        raise PermissionDenied("You cannot record reviews for this family")
    locked = Plan.objects.select_for_update().select_related("family").get(pk=plan.pk)

    next_on = next_review_on or next_review_default(held_on, review_interval_weeks())
    problem = review_dates_problem(
        held_on=held_on, next_review_on=next_on, today=timezone.localdate()
    )
    if problem is not None:
        raise ApplicationError(problem[1], field=problem[0])
    if len(other_attendees) > 500:
        raise ApplicationError(
            "Other people who came must be 500 characters or fewer", field="other_attendees"
        )
    _long(summary, "summary", "The summary")
    _long(decisions, "decisions", "The decisions")

    on_team = {a.pk: a for a in team_agencies(locked.family)}
    if set(attendee_agency_ids) - set(on_team):
        raise ApplicationError(
            "Select only agencies working with the family", field="attendee_agencies"
        )
    members = _current_members(
        locked.family,
        attendee_member_ids,
        field="attendee_members",
        message="Select only people in the family",
    )

    goals = {g.pk: g for g in Goal.objects.filter(plan=locked)}
    rating_rows = _rated_goals(locked, ratings, goals)

    review = Review.objects.create(
        plan=locked,
        held_on=held_on,
        other_attendees=other_attendees.strip(),
        summary=summary.strip(),
        decisions=decisions.strip(),
        next_review_on=next_on,
        created_by=actor,
        created_at=timezone.now(),
    )
    review.attendee_agencies.set([on_team[i] for i in attendee_agency_ids])
    review.attendee_members.set(members)
    for row in rating_rows:
        row.review = review
    GoalRating.objects.bulk_create(rating_rows)

    for index, new in enumerate(new_actions):
        _new_action(actor, locked, review, goals, index, new, on_team)
    changed = 0
    for change in action_changes:
        changed += _change_action(actor, locked, change)

    # The plan core's services may have saved newer versions of the plan meanwhile.
    locked.refresh_from_db()
    locked.next_review_on = next_on
    locked.save(update_fields=["next_review_on"])
    parts = [f"Review on {govuk_date(held_on)} recorded"]
    if new_actions:
        parts.append(f"{len(new_actions)} new action{'s' if len(new_actions) != 1 else ''}")
    if changed:
        parts.append(f"{changed} action{'s' if changed != 1 else ''} changed")
    parts.append(f"next review {govuk_date(next_on)}")
    plan_change_record(actor=actor, plan=locked, summary="; ".join(parts))
    return review


def _new_action(
    actor: User,
    plan: Plan,
    review: Review,
    goals: dict[int, Goal],
    index: int,
    new: NewActionInput,
    on_team: dict[int, Agency],
) -> Action:
    prefix = f"new_actions.{index}"
    goal = goals.get(new.goal_id)
    if goal is None or goal.status != GoalStatus.OPEN:
        raise ApplicationError(
            "Select a goal that is still being worked on", field=f"{prefix}.goal"
        )
    if not new.description.strip():
        raise ApplicationError("Enter what will be done", field=f"{prefix}.description")
    agency = None
    member = None
    if new.agency_id is not None:
        if new.agency_id not in on_team:
            raise ApplicationError(
                "Select an agency working with the family", field=f"{prefix}.owner"
            )
        agency = on_team[new.agency_id]
    elif new.family_member_id is not None:
        member = _current_members(
            plan.family,
            [new.family_member_id],
            field=f"{prefix}.owner",
            message="Select someone in the family",
        )[0]
    try:
        return action_create(
            actor=actor,
            goal=goal,
            description=new.description.strip(),
            owner=ActionOwner.AGENCY if agency is not None else ActionOwner.FAMILY,
            agency=agency,
            family_member=member,
            due_on=new.due_on,
            review=review,
        )
    except ApplicationError as exc:
        # Re-aimed at this row; the same exception, so its kind (a conflict) survives.
        exc.field = f"{prefix}.{exc.field or 'description'}"
        raise


def _change_action(actor: User, plan: Plan, change: ActionChangeInput) -> int:
    """Apply one decided change; returns 1 if anything changed, else 0."""
    prefix = f"action_changes.{change.action_id}"
    action = (
        Action.objects.filter(plan=plan, pk=change.action_id).select_related("plan__family").first()
    )
    if action is None:
        raise ApplicationError(
            "Change only actions in this family's plan", field=f"{prefix}.status"
        )
    # Any: the values are the typed fields of ``action_update`` (status, reason, due date).
    changes: dict[str, Any] = {}
    if change.status:
        if change.status not in ActionStatus.values:
            raise ApplicationError("Select a status", field=f"{prefix}.status")
        if action.status not in OPEN_ACTION_STATUSES:
            raise ApplicationError(
                f"'{action}' is already {action.get_status_display().lower()}",
                field=f"{prefix}.status",
            )
        if change.status != action.status:
            changes["status"] = change.status
        if change.status == ActionStatus.NOT_DONE:
            if not change.not_done_reason.strip():
                raise ApplicationError(
                    "Enter why the action was not done", field=f"{prefix}.not_done_reason"
                )
            changes["not_done_reason"] = change.not_done_reason.strip()
    if change.due_on is not None and change.due_on != action.due_on:
        changes["due_on"] = change.due_on
    if not changes:
        return 0
    try:
        action_update(
            actor=actor, action=action, expected_version=change.expected_version, **changes
        )
    except ApplicationError as exc:
        exc.field = f"{prefix}.{exc.field or 'status'}"
        raise
    return 1


# ---------------------------------------------------------------------------
# Agreement
# ---------------------------------------------------------------------------


@transaction.atomic
def agreement_record(
    *,
    actor: User,
    plan: Plan,
    agreed_on: datetime.date,
    signed_by_ids: Collection[int],
    method: str,
    note: str = "",
    expected_version: int | None = None,
) -> Agreement:
    """Record that the family agreed the plan as it stands now.

    Refused while any open need has no goal (the plan must cover every need), when what
    the family agrees to changed since the page was opened (``expected_version``: the
    family must agree what they were shown; progress, statuses and notes recorded
    meanwhile do not count, ``plans.plan.rules.changes_since_agreed``), and when the
    plan is still as they last agreed it. The plan becomes "agreed"; the agreement
    remembers the plan version, so a later change to what they agreed shows as
    "changed since agreed". An engaged family whose plan is agreed becomes "plan active"
    (DOMAIN.md 4.4).
    """
    family = plan.family
    if not access.can_agree_plan(actor, family):
        raise PermissionDenied("You cannot record agreement for this family")
    locked = Plan.objects.select_for_update().select_related("family").get(pk=plan.pk)
    if expected_version is not None and plan_changed_since_version(locked, expected_version):
        raise ApplicationError(
            "The plan has changed since you opened this page. Check the plan with the "
            "family, then record their agreement again"
        )
    blockers = plan_agreement_blockers(locked)
    if blockers:
        raise ApplicationError(agreement_blockers_message([n.label for n in blockers]))
    if locked.status == PlanStatus.AGREED and Agreement.objects.filter(plan=locked).exists():
        raise ApplicationError(
            "The family has already agreed the plan as it stands: nothing they agreed to "
            "has changed since"
        )
    if agreed_on > timezone.localdate():
        raise ApplicationError(
            "The date the family agreed the plan must be today or in the past", field="agreed_on"
        )
    if method not in AgreementMethod.values:
        raise ApplicationError("Select how the family agreed the plan", field="method")
    if not signed_by_ids:
        raise ApplicationError("Select who in the family agreed the plan", field="signed_by")
    signers = _current_members(
        locked.family, signed_by_ids, field="signed_by", message="Select only people in the family"
    )
    _long(note, "note", "The note")

    version = plan_change_record(
        actor=actor,
        plan=locked,
        plan_locked=True,
        agreed=True,
        summary=(
            f"Plan agreed with the family on {govuk_date(agreed_on)} "
            f"({AgreementMethod(method).label.lower()})"
        ),
    )
    agreement = Agreement.objects.create(
        plan=locked,
        plan_version=version.number,
        agreed_on=agreed_on,
        method=method,
        note=note.strip(),
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    agreement.signed_by.set(signers)
    _family_plan_active(actor=actor, family=locked.family, agreed_on=agreed_on)
    return agreement


def _family_plan_active(*, actor: User, family: Family, agreed_on: datetime.date) -> None:
    """The plan first agreed moves an engaged family to "plan active" (DOMAIN.md 4.4).

    A family at any other status keeps it: one further on has been active already, and
    one not yet engaged waits for its agreement to work with the programme (recorded
    with the lawful basis, ``families.access.services.lawful_basis_record``). Nor does
    the journey's refusal (no lawful basis in force any more) undo the family's
    agreement to the plan: it is kept, and the family stays engaged.
    """
    if family.status != FamilyStatus.ENGAGED:
        return
    try:
        family_transition(
            actor=actor,
            family=family,
            to_status=FamilyStatus.PLAN_ACTIVE,
            reason=f"The family agreed its plan on {govuk_date(agreed_on)}",
        )
    except ApplicationError:
        return


@transaction.atomic
def plan_next_review_set(
    *, actor: User, plan: Plan, next_review_on: datetime.date, source: str
) -> Plan:
    """Schedule the plan's next review without recording one: a decision made outside
    the team around the family (an LCG meeting, named in ``source``). Whoever records
    reviews sets it (the lead professional and the LCG's coordinators); the date must be
    after today. It is a change to the plan, kept as a version whose summary names the
    source; the next review recorded sets the date after it as usual.
    """
    if not access.can_record_review(actor, plan.family):
        raise PermissionDenied("You cannot schedule reviews for this family")
    if next_review_on <= timezone.localdate():
        raise ApplicationError("The next review must be after today", field="next_review_on")
    where = source.strip()
    if not where:
        raise ApplicationError("Say where the review date was decided", field="source")
    locked = Plan.objects.select_for_update().get(pk=plan.pk)
    locked.next_review_on = next_review_on
    locked.save(update_fields=["next_review_on"])
    plan_change_record(
        actor=actor,
        plan=locked,
        summary=f"Next review set for {govuk_date(next_review_on)} ({where[:200]})",
    )
    return locked


# ---------------------------------------------------------------------------
# Case notes
# ---------------------------------------------------------------------------


@transaction.atomic
def case_note_add(
    *,
    actor: User,
    family: Family,
    text: str,
    person: Person | None = None,
    is_restricted: bool = False,
) -> CaseNote:
    """Add a note on the family, or on one member of it. Notes are never edited or
    deleted: a correction is a new note. Restricted notes (safeguarding, health, police
    intelligence) only from users who may read restricted information."""
    if not access.can_add_case_note(actor, family):
        raise PermissionDenied("You cannot add notes for this family")
    if is_restricted and not access.can_see_restricted_notes(actor, family):
        raise ApplicationError(
            "Only the lead professional and the LCG's coordinators can write restricted notes",
            field="is_restricted",
        )
    body = text.strip()
    if not body:
        raise ApplicationError("Enter the note", field="text")
    if len(body) > NOTE_MAX_LENGTH:
        raise ApplicationError("The note must be 10,000 characters or fewer", field="text")
    if (
        person is not None
        and not HouseholdMembership.objects.filter(family=family, person=person).exists()
    ):
        raise ApplicationError("Select someone who is or was in the family", field="person")
    return CaseNote.objects.create(
        family=family,
        person=person,
        text=body,
        is_restricted=is_restricted,
        author=actor,
        created_at=timezone.now(),
    )
