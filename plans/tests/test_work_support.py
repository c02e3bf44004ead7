"""Small builders for the daily-work tests: plans, goals, actions, needs, agreements.

Rows are written with the ORM directly (the plan's own services are another area's);
the models are fixed, so these stay valid. No tests here.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from agencies.models import Agency, Staff, User
from agencies.services import system_actor
from families.access.services import lawful_basis_record, team_member_add
from families.grants_models import LawfulBasisKind
from families.models import Family, Person
from plans.models import (
    Action,
    ActionOwner,
    ActionProgressNote,
    ActionStatus,
    Agreement,
    AgreementMethod,
    Goal,
    GoalStatus,
    Need,
    NeedSource,
    Plan,
    PlanStatus,
    PlanVersion,
    Review,
)


def _by() -> User:
    return system_actor()


def make_plan(
    family: Family,
    *,
    status: PlanStatus = PlanStatus.DRAFT,
    version: int = 1,
    next_review_on: datetime.date | None = None,
    at: datetime.datetime | None = None,
) -> Plan:
    when = at or timezone.now()
    by = _by()
    return Plan.objects.create(
        family=family,
        status=status,
        version=version,
        next_review_on=next_review_on,
        created_by=by,
        created_at=when,
        updated_by=by,
        updated_at=when,
    )


def make_goal(
    plan: Plan,
    *,
    title: str = "Get to school every day",
    status: GoalStatus = GoalStatus.OPEN,
    needs: tuple[Need, ...] = (),
    at: datetime.datetime | None = None,
) -> Goal:
    when = at or plan.updated_at
    by = _by()
    goal = Goal.objects.create(
        plan=plan,
        title=title,
        status=status,
        created_by=by,
        created_at=when,
        updated_by=by,
        updated_at=when,
    )
    if needs:
        goal.needs.set(needs)
    return goal


def make_action(
    goal: Goal,
    *,
    due_on: datetime.date,
    agency: Agency | None = None,
    practitioner: Staff | None = None,
    status: ActionStatus = ActionStatus.NOT_STARTED,
    completed_on: datetime.date | None = None,
    description: str = "Meet the family at school",
    at: datetime.datetime | None = None,
) -> Action:
    when = at or goal.updated_at
    by = _by()
    extra: dict[str, Any] = {}
    if status == ActionStatus.NOT_DONE:
        extra["not_done_reason"] = "The family moved"
    return Action.objects.create(
        goal=goal,
        plan=goal.plan,
        description=description,
        owner=ActionOwner.AGENCY if agency is not None else ActionOwner.FAMILY,
        agency=agency,
        practitioner=practitioner,
        due_on=due_on,
        status=status,
        completed_on=completed_on,
        created_by=by,
        created_at=when,
        updated_by=by,
        updated_at=when,
        **extra,
    )


def make_need(
    family: Family,
    *,
    code: str = "education",
    members: tuple[Person, ...] = (),
    closed_on: datetime.date | None = None,
) -> Need:
    need = Need.objects.create(
        family=family,
        code=code,
        label=code.replace("_", " ").capitalize(),
        source=NeedSource.PRACTITIONER,
        identified_on=datetime.date(2025, 1, 1),
        closed_on=closed_on,
        created_by=_by(),
        created_at=timezone.now(),
    )
    if members:
        need.members.set(members)
    return need


def make_agreement(plan: Plan, *, version: int, on: datetime.date) -> Agreement:
    return Agreement.objects.create(
        plan=plan,
        plan_version=version,
        agreed_on=on,
        method=AgreementMethod.VERBAL,
        recorded_by=_by(),
        recorded_at=timezone.now(),
    )


def make_plan_version(plan: Plan, *, number: int, at: datetime.datetime) -> PlanVersion:
    return PlanVersion.objects.create(
        plan=plan, number=number, snapshot={}, summary="Changed", created_by=_by(), created_at=at
    )


def make_progress_note(action: Action, *, at: datetime.datetime) -> ActionProgressNote:
    return ActionProgressNote.objects.create(
        action=action, text="Called the school", author=_by(), created_at=at
    )


def make_review(
    plan: Plan, *, held_on: datetime.date, next_on: datetime.date, at: datetime.datetime
) -> Review:
    return Review.objects.create(
        plan=plan, held_on=held_on, next_review_on=next_on, created_by=_by(), created_at=at
    )


def join_team(family: Family, agency: Agency) -> None:
    """Put ``agency`` on the family's team (opening its grant) the way the service does."""
    actor = _by()
    if not family.lawful_bases.filter(withdrawn_on__isnull=True).exists():
        lawful_basis_record(
            actor=actor,
            family=family,
            kind=LawfulBasisKind.STATUTORY_GATEWAY,
            given_on=datetime.date(2025, 1, 1),
            gateway="Children Act 1989 section 17",
        )
    team_member_add(actor=actor, family=family, agency=agency)
