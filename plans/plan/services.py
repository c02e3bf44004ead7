"""Every write to a single family plan goes through a function here.

No lost updates: every edit carries the version the editor started from. Each service
locks the rows it changes (``select_for_update``) and compares that version with the
saved one; a save from a stale version raises ``PlanConflict`` naming who changed the
object and when, and nothing is written.

Every saved change ends with ``plan_change_record``, which bumps ``Plan.version`` and
stores a full snapshot in ``PlanVersion`` (so any two versions can be compared). Other
areas (reviews, agreements) call it too, inside their own transaction.

Lock order, to rule out deadlocks between concurrent saves: the family row (only when
the team changes or needs are synced), then the plan row, then the goal or action.
"""

from __future__ import annotations

import datetime
import itertools
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Count, Max, Prefetch
from django.utils import timezone

from agencies.models import Agency, Staff, User
from families.grants_models import LawfulBasis, TeamMember
from families.models import Family, HouseholdMembership, Person
from families.services import team_member_add
from oneplan.errors import ApplicationError
from plans.models import (
    Action,
    ActionOwner,
    ActionProgressNote,
    ActionStatus,
    Agreement,
    Goal,
    GoalStatus,
    Need,
    NeedSource,
    Plan,
    PlanStatus,
    PlanVersion,
    Review,
)
from plans.plan import rules
from plans.plan.access import can_edit_plan, can_update_action
from plans.plan.identified import identified_needs_for
from plans.restricted import change_touches_restricted, is_restricted_need

SUMMARY_MAX = 300
ACTION_EDIT_FIELDS = frozenset(
    {
        "description",
        "owner",
        "agency",
        "practitioner",
        "family_member",
        "due_on",
        "goal",
        "status",
        "not_done_reason",
    }
)
# What a practitioner who does not run the plan may change on their own agency's action.
ACTION_PROGRESS_FIELDS = frozenset({"status", "not_done_reason"})
CLOSED_ACTION_STATUSES = frozenset({ActionStatus.DONE, ActionStatus.NOT_DONE})


class PlanConflict(ApplicationError):
    """Someone else saved this object after the editor loaded it.

    Carries the object as it is now (``current``), who saved it (``changed_by``) and
    when (``changed_at``), so the page can show both versions side by side.
    """

    def __init__(
        self,
        *,
        current: models.Model,
        changed_by: User | None,
        changed_at: datetime.datetime,
        what: str,
    ) -> None:
        when = timezone.localtime(changed_at)
        who = _name(changed_by) if changed_by is not None else "Someone"
        super().__init__(
            f"{who} changed {what} at {when:%H:%M} on {when.day} {when:%B %Y} "
            "while you were editing"
        )
        self.current = current
        self.changed_by = changed_by
        self.changed_at = changed_at


class NoLawfulBasis(ApplicationError):
    """Adding an agency to the plan adds it to the team, which needs a lawful basis."""


def _name(user: User) -> str:
    return user.get_full_name() or user.username


def _clip(text: str, size: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1] + "…"


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _lock_plan(plan_id: int) -> Plan:
    return Plan.objects.select_for_update(of=("self",)).select_related("family").get(pk=plan_id)


# ---------------------------------------------------------------------------
# Versions
# ---------------------------------------------------------------------------


def _who(action: Action) -> str:
    if action.owner == ActionOwner.FAMILY:
        member = action.family_member
        return f"The family: {member.full_name}" if member is not None else "The family"
    agency = action.agency.name if action.agency is not None else ""
    if action.practitioner is not None:
        return f"{agency}: {action.practitioner.display_name}"
    return agency


def plan_snapshot(plan: Plan) -> dict[str, Any]:
    """The whole plan as JSON, as stored in each ``PlanVersion``: status, the family's
    voice, every need of the family (open and closed), the goals with the needs and
    members they cover and their actions (who, due, status, how many progress notes),
    and a summary of reviews and agreements. Read fresh from the database in a fixed
    number of queries. ``plans.plan.rules`` reads this shape."""
    return plan_snapshots([plan])[plan.pk]


def plan_snapshots(plans: Sequence[Plan]) -> dict[int, dict[str, Any]]:
    """``plan_snapshot`` for many plans at once, in the same fixed number of queries
    (the demo seeder records thousands of first versions this way)."""
    plan_ids = [plan.pk for plan in plans]
    family_ids = [plan.family_id for plan in plans]
    needs_by_family: dict[int, list[Need]] = defaultdict(list)
    for need in (
        Need.objects.filter(family_id__in=family_ids)
        .prefetch_related(Prefetch("members", queryset=Person.objects.order_by("pk")))
        .order_by("identified_on", "pk")
    ):
        needs_by_family[need.family_id].append(need)
    goals_by_plan: dict[int, list[Goal]] = defaultdict(list)
    for goal in (
        Goal.objects.filter(plan_id__in=plan_ids)
        .prefetch_related(
            Prefetch("needs", queryset=Need.objects.only("pk").order_by("pk")),
            Prefetch("members", queryset=Person.objects.order_by("pk")),
        )
        .order_by("position", "pk")
    ):
        goals_by_plan[goal.plan_id].append(goal)
    by_goal: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for action in (
        Action.objects.filter(plan_id__in=plan_ids)
        .select_related("agency", "practitioner__user", "family_member")
        .annotate(note_count=Count("progress_notes"))
        .order_by("due_on", "pk")
    ):
        by_goal[action.goal_id].append(
            {
                "id": action.pk,
                "description": action.description,
                "owner": action.owner,
                "agency_id": action.agency_id,
                "practitioner_id": action.practitioner_id,
                "family_member_id": action.family_member_id,
                "who": _who(action),
                "due_on": action.due_on.isoformat(),
                "status": action.status,
                "status_label": ActionStatus(action.status).label,
                "not_done_reason": action.not_done_reason,
                "completed_on": action.completed_on.isoformat() if action.completed_on else None,
                "progress_notes": getattr(action, "note_count", 0),
                "version": action.version,
            }
        )
    reviews_by_plan: dict[int, list[Review]] = defaultdict(list)
    for review in Review.objects.filter(plan_id__in=plan_ids).order_by("held_on", "pk"):
        reviews_by_plan[review.plan_id].append(review)
    agreements_by_plan: dict[int, list[Agreement]] = defaultdict(list)
    for agreement in Agreement.objects.filter(plan_id__in=plan_ids).order_by("agreed_on", "pk"):
        agreements_by_plan[agreement.plan_id].append(agreement)
    return {
        plan.pk: _snapshot(
            plan,
            needs_by_family[plan.family_id],
            goals_by_plan[plan.pk],
            by_goal,
            reviews_by_plan[plan.pk],
            agreements_by_plan[plan.pk],
        )
        for plan in plans
    }


def _snapshot(
    plan: Plan,
    needs: list[Need],
    goals: list[Goal],
    by_goal: Mapping[int, list[dict[str, Any]]],
    reviews: list[Review],
    agreements: list[Agreement],
) -> dict[str, Any]:
    return {
        "status": plan.status,
        "status_label": PlanStatus(plan.status).label,
        "next_review_on": plan.next_review_on.isoformat() if plan.next_review_on else None,
        "voice": {
            "working_well": plan.working_well,
            "worries": plan.worries,
            "family_wants": plan.family_wants,
        },
        "needs": [
            {
                "id": need.pk,
                "code": need.code,
                "label": need.label,
                "detail": need.detail,
                "source": need.source,
                "source_label": NeedSource(need.source).label,
                "framework": need.framework,
                "member_ids": [p.pk for p in need.members.all()],
                "members": sorted(p.full_name for p in need.members.all()),
                "identified_on": need.identified_on.isoformat(),
                "closed_on": need.closed_on.isoformat() if need.closed_on else None,
            }
            for need in needs
        ],
        "goals": [
            {
                "id": goal.pk,
                "title": goal.title,
                "description": goal.description,
                "status": goal.status,
                "status_label": GoalStatus(goal.status).label,
                "needs": [n.pk for n in goal.needs.all()],
                "member_ids": [p.pk for p in goal.members.all()],
                "members": sorted(p.full_name for p in goal.members.all()),
                "version": goal.version,
                "actions": by_goal.get(goal.pk, []),
            }
            for goal in goals
        ],
        "reviews": [
            {
                "id": review.pk,
                "held_on": review.held_on.isoformat(),
                "next_review_on": review.next_review_on.isoformat(),
            }
            for review in reviews
        ],
        "agreements": [
            {
                "id": agreement.pk,
                "plan_version": agreement.plan_version,
                "agreed_on": agreement.agreed_on.isoformat(),
                "method": agreement.method,
            }
            for agreement in agreements
        ],
    }


@transaction.atomic
def plan_change_record(*, actor: User, plan: Plan, summary: str) -> PlanVersion:
    """Record one saved change to the plan or anything in it: bump ``plan.version``
    and store the plan as it now stands, with what changed in words.

    Call it last, inside the transaction that made the change, after every write.
    It locks the plan row, so two changes at once get consecutive version numbers; the
    passed ``plan`` is updated in place with the new version.
    """
    locked = _lock_plan(plan.pk)
    now = timezone.now()
    locked.version += 1
    locked.updated_by = actor
    locked.updated_at = now
    locked.save(update_fields=["version", "updated_by", "updated_at"])
    snapshot = plan_snapshot(locked)
    previous = (
        PlanVersion.objects.filter(plan=locked, number__lt=locked.version)
        .order_by("-number")
        .values_list("snapshot", flat=True)
        .first()
    )
    version = PlanVersion.objects.create(
        plan=locked,
        number=locked.version,
        snapshot=snapshot,
        is_restricted=change_touches_restricted(previous, snapshot),
        summary=_clip(summary, SUMMARY_MAX),
        created_by=actor,
        created_at=now,
    )
    plan.version = locked.version
    plan.updated_by = actor
    plan.updated_at = now
    return version


def _last_change(
    plan: Plan, since: int, part: Callable[[Mapping[str, Any]], Any]
) -> PlanVersion | None:
    """The latest saved version after ``since`` in which ``part`` of the plan changed."""
    versions = list(
        PlanVersion.objects.filter(plan=plan, number__gte=since)
        .select_related("created_by")
        .order_by("number")
    )
    latest: PlanVersion | None = None
    for before, after in itertools.pairwise(versions):
        if part(before.snapshot) != part(after.snapshot):
            latest = after
    return latest


def _stale_part_conflict(
    *,
    plan: Plan,
    expected_version: int,
    part: Callable[[Mapping[str, Any]], Any],
    current_part: Any,
    current: models.Model,
    what: str,
) -> None:
    """For parts of a plan without their own version (the voice, a need): a save from
    an older plan version goes through if that part is exactly as it was at that
    version, because nothing the editor saw has changed; otherwise it is a conflict."""
    if expected_version == plan.version:
        return
    started = PlanVersion.objects.filter(plan=plan, number=expected_version).first()
    if (
        started is not None
        and expected_version < plan.version
        and part(started.snapshot) == current_part
    ):
        return
    changed = _last_change(plan, expected_version, part) if started is not None else None
    raise PlanConflict(
        current=current,
        changed_by=changed.created_by if changed is not None else plan.updated_by,
        changed_at=changed.created_at if changed is not None else plan.updated_at,
        what=what,
    )


# ---------------------------------------------------------------------------
# The plan and the family's voice
# ---------------------------------------------------------------------------


@transaction.atomic
def plan_get_or_create(*, actor: User, family: Family) -> Plan:
    """The family's one plan ("one family, one plan"), started if there is none yet.

    Only those who can edit the plan may start it. Starting records version 1. Two
    people starting it at once get the same plan (the family has at most one).
    """
    existing = Plan.objects.filter(family=family).first()
    if existing is not None:
        return existing
    _require(can_edit_plan(actor, family), "You cannot start this family's plan")
    now = timezone.now()
    plan, created = Plan.objects.get_or_create(
        family=family,
        defaults={
            "created_by": actor,
            "created_at": now,
            "updated_by": actor,
            "updated_at": now,
        },
    )
    if created:
        # The problems identification found become the plan's first needs.
        for identified in identified_needs_for(family):
            needs_identified_sync(
                actor=actor, family=family, framework=identified.framework, needs=identified.needs
            )
        PlanVersion.objects.create(
            plan=plan,
            number=plan.version,
            snapshot=plan_snapshot(plan),
            summary="Plan started",
            created_by=actor,
            created_at=now,
        )
    return plan


@transaction.atomic
def plan_voice_update(
    *,
    actor: User,
    plan: Plan,
    expected_version: int,
    working_well: str,
    worries: str,
    family_wants: str,
) -> Plan:
    """Save the family's voice, in their words.

    ``expected_version`` is the plan version the editor started from. The plan's
    version moves with every change to any goal or action, so a stale version alone is
    not a conflict: the save goes through when the voice itself is exactly as it was at
    that version (nobody else changed what the editor was looking at), and is refused
    with ``PlanConflict`` when someone else changed the voice in between.
    """
    _require(can_edit_plan(actor, plan.family), "You cannot change this plan")
    locked = _lock_plan(plan.pk)
    current = rules.voice_of({"voice": _voice(locked)})
    _stale_part_conflict(
        plan=locked,
        expected_version=expected_version,
        part=rules.voice_of,
        current_part=current,
        current=locked,
        what="the family's voice",
    )
    wanted = {
        "working_well": working_well.strip(),
        "worries": worries.strip(),
        "family_wants": family_wants.strip(),
    }
    if wanted == current:
        return locked
    changed = [label for key, label in rules.VOICE_FIELDS if wanted[key] != current[key]]
    for key, value in wanted.items():
        setattr(locked, key, value)
    locked.save(update_fields=list(wanted))
    plan_change_record(
        actor=actor, plan=locked, summary="Family's voice changed: " + ", ".join(changed)
    )
    return locked


def _voice(plan: Plan) -> dict[str, str]:
    return {
        "working_well": plan.working_well,
        "worries": plan.worries,
        "family_wants": plan.family_wants,
    }


# ---------------------------------------------------------------------------
# Needs
# ---------------------------------------------------------------------------


def _need_name(need: Need) -> str:
    # Version summaries are shown to everyone who can see the plan, so they never name
    # a restricted need.
    return "a restricted need" if is_restricted_need(need.code) else _clip(need.label)


def _need_names(needs: Sequence[Need]) -> str:
    named = [_clip(n.label) for n in needs if not is_restricted_need(n.code)]
    hidden = len(needs) - len(named)
    if hidden:
        named.append(f"{hidden} restricted need{'s' if hidden != 1 else ''}")
    return ", ".join(named)


def _current_members(family: Family, people: Sequence[Person], field: str) -> list[Person]:
    ids = {p.pk for p in people}
    current = set(
        HouseholdMembership.objects.filter(
            family=family, person_id__in=ids, end_date__isnull=True
        ).values_list("person_id", flat=True)
    )
    if ids - current:
        raise ApplicationError("Select people who are in the family now", field=field)
    return list(people)


def _open_need_exists(family: Family, code: str, exclude: int | None = None) -> bool:
    needs = Need.objects.filter(family=family, code=code, closed_on__isnull=True)
    if exclude is not None:
        needs = needs.exclude(pk=exclude)
    return needs.exists()


@transaction.atomic
def need_create(
    *,
    actor: User,
    plan: Plan,
    kind: str,
    label: str,
    detail: str = "",
    members: Sequence[Person] = (),
) -> Need:
    """A need found during the work, added by whoever runs the plan.

    ``kind`` is one of ``rules.NEED_KINDS`` (a Supporting Families headline, or
    "other"); a headline need keeps the headline's code, so restricted needs stay
    restricted and outcome rules count it. A family has one open need per code.
    """
    _require(can_edit_plan(actor, plan.family), "You cannot change this plan")
    # The family row first, as needs_identified_sync does, so the two cannot both open
    # a need with the same code.
    Family.objects.select_for_update(of=("self",)).get(pk=plan.family_id)
    locked = _lock_plan(plan.pk)
    label = label.strip()
    if kind not in dict(rules.NEED_KINDS):
        raise ApplicationError("Select what kind of need this is", field="kind")
    if not label:
        raise ApplicationError("Enter the need, in a few words", field="label")
    code = rules.found_need_code(kind, label)
    if _open_need_exists(locked.family, code):
        raise ApplicationError(
            "This family already has an open need of this kind: change that one instead",
            field="kind" if kind != "other" else "label",
        )
    now = timezone.now()
    need = Need(
        family=locked.family,
        code=code,
        label=label,
        detail=detail.strip(),
        source=NeedSource.PRACTITIONER,
        identified_on=timezone.localdate(now),
        created_by=actor,
        created_at=now,
    )
    need.full_clean()
    need.save()
    need.members.set(_current_members(locked.family, members, "members"))
    plan_change_record(actor=actor, plan=locked, summary=f"Need added: {_need_name(need)}")
    return need


@transaction.atomic
def need_update(
    *,
    actor: User,
    need: Need,
    expected_version: int,
    label: str,
    detail: str,
    members: Sequence[Person],
    is_closed: bool,
) -> Need:
    """Change a need's words or who it is about, or close it (met, or no longer
    applies) or re-open it. The label of a need identified from agency data stays as
    the framework named it.

    ``expected_version`` is the plan version the editor started from: the save goes
    through if this need is as it was at that version, else ``PlanConflict``.
    """
    plan = Plan.objects.filter(family_id=need.family_id).first()
    if plan is None:
        raise ApplicationError("Start the plan before changing its needs")
    _require(can_edit_plan(actor, plan.family), "You cannot change this plan")
    locked_plan = _lock_plan(plan.pk)
    locked = Need.objects.select_for_update(of=("self",)).get(pk=need.pk)
    current = {
        "label": locked.label,
        "detail": locked.detail,
        "member_ids": sorted(locked.members.values_list("pk", flat=True)),
        "closed_on": locked.closed_on.isoformat() if locked.closed_on else None,
    }
    _stale_part_conflict(
        plan=locked_plan,
        expected_version=expected_version,
        part=lambda snapshot: rules.need_in(snapshot, locked.pk),
        current_part=current,
        current=locked,
        what="this need",
    )
    if locked.source == NeedSource.PRACTITIONER:
        label = label.strip()
        if not label:
            raise ApplicationError("Enter the need, in a few words", field="label")
    else:
        label = locked.label
    people = _current_members(locked_plan.family, members, "members")
    if is_closed and locked.closed_on is None:
        closed_on: datetime.date | None = timezone.localdate()
    elif not is_closed:
        closed_on = None
        if locked.closed_on is not None and _open_need_exists(
            locked_plan.family, locked.code, exclude=locked.pk
        ):
            raise ApplicationError(
                "This family already has an open need of this kind, so this one cannot be "
                "re-opened",
                field="is_closed",
            )
    else:
        closed_on = locked.closed_on
    wanted = {
        "label": label,
        "detail": detail.strip(),
        "member_ids": sorted(p.pk for p in people),
        "closed_on": closed_on.isoformat() if closed_on else None,
    }
    if wanted == current:
        return locked
    locked.label = label
    locked.detail = detail.strip()
    locked.closed_on = closed_on
    locked.full_clean()
    locked.save(update_fields=["label", "detail", "closed_on"])
    locked.members.set(people)
    if closed_on is not None and current["closed_on"] is None:
        summary = f"Need closed: {_need_name(locked)}"
    elif closed_on is None and current["closed_on"] is not None:
        summary = f"Need re-opened: {_need_name(locked)}"
    else:
        summary = f"Need changed: {_need_name(locked)}"
    plan_change_record(actor=actor, plan=locked_plan, summary=summary)
    return locked


@transaction.atomic
def needs_identified_sync(
    *,
    actor: User,
    family: Family,
    framework: str,
    needs: Sequence[tuple[str, str, list[int]]],
) -> list[Need]:
    """Open a need for each criterion an assessment found (``(code, label, person
    ids)``) that the family has no open need for, with source "identified from agency
    data". Never closes a need and never opens a second one for a code: running it
    again, or twice at once, changes nothing. Returns the needs it opened.

    Called by the assessment job (actor: the system), so it checks no user permission.
    People who are not current members of the family are left off the need.
    """
    # The family row serialises concurrent syncs for one family (lock order: family,
    # then plan).
    locked_family = Family.objects.select_for_update(of=("self",)).get(pk=family.pk)
    open_codes = set(
        Need.objects.filter(family=locked_family, closed_on__isnull=True).values_list(
            "code", flat=True
        )
    )
    current_people = set(
        HouseholdMembership.objects.filter(family=locked_family, end_date__isnull=True).values_list(
            "person_id", flat=True
        )
    )
    now = timezone.now()
    opened: list[Need] = []
    seen: set[str] = set()
    for code, label, person_ids in needs:
        if code in open_codes or code in seen:
            continue
        seen.add(code)
        need = Need.objects.create(
            family=locked_family,
            code=code,
            label=label,
            source=NeedSource.ASSESSMENT,
            framework=framework,
            identified_on=timezone.localdate(now),
            created_by=actor,
            created_at=now,
        )
        need.members.set([pk for pk in person_ids if pk in current_people])
        opened.append(need)
    plan = Plan.objects.filter(family=locked_family).first()
    if opened and plan is not None:
        plan_change_record(
            actor=actor, plan=plan, summary="Needs identified: " + _need_names(opened)
        )
    return opened


# ---------------------------------------------------------------------------
# Goals
# ---------------------------------------------------------------------------


def _family_needs(family: Family, needs: Sequence[Need]) -> list[Need]:
    if any(n.family_id != family.pk for n in needs):
        raise ApplicationError("Select needs of this family", field="needs")
    return list(needs)


@transaction.atomic
def goal_create(
    *,
    actor: User,
    plan: Plan,
    title: str,
    description: str = "",
    needs: Sequence[Need] = (),
    members: Sequence[Person] = (),
) -> Goal:
    """Add a goal: what the family and the team are working towards, the needs it
    covers and the family members it is for. New goals go to the end of the plan."""
    _require(can_edit_plan(actor, plan.family), "You cannot change this plan")
    locked = _lock_plan(plan.pk)
    title = title.strip()
    if not title:
        raise ApplicationError("Enter the goal", field="title")
    now = timezone.now()
    last = Goal.objects.filter(plan=locked).aggregate(last=Max("position"))["last"]
    goal = Goal(
        plan=locked,
        title=title,
        description=description.strip(),
        position=0 if last is None else last + 1,
        created_by=actor,
        created_at=now,
        updated_by=actor,
        updated_at=now,
    )
    goal.full_clean()
    goal.save()
    goal.needs.set(_family_needs(locked.family, needs))
    goal.members.set(_current_members(locked.family, members, "members"))
    plan_change_record(actor=actor, plan=locked, summary=f"Goal added: {_clip(title)}")
    return goal


@transaction.atomic
def goal_update(
    *,
    actor: User,
    goal: Goal,
    expected_version: int,
    title: str,
    description: str,
    status: str,
    needs: Sequence[Need],
    members: Sequence[Person],
) -> Goal:
    """Change a goal. Refused with ``PlanConflict`` if the goal was saved by someone
    else after ``expected_version`` (the goal's version the editor started from)."""
    plan = Plan.objects.select_related("family").get(pk=goal.plan_id)
    _require(can_edit_plan(actor, plan.family), "You cannot change this plan")
    locked_plan = _lock_plan(plan.pk)
    locked = (
        Goal.objects.select_for_update(of=("self",)).select_related("updated_by").get(pk=goal.pk)
    )
    if locked.version != expected_version:
        raise PlanConflict(
            current=locked,
            changed_by=locked.updated_by,
            changed_at=locked.updated_at,
            what="this goal",
        )
    title = title.strip()
    if not title:
        raise ApplicationError("Enter the goal", field="title")
    if status not in GoalStatus.values:
        raise ApplicationError("Select the goal's status", field="status")
    wanted_needs = _family_needs(locked_plan.family, needs)
    wanted_members = _current_members(locked_plan.family, members, "members")
    before = {
        "title": locked.title,
        "description": locked.description,
        "status": locked.status,
        "needs": sorted(locked.needs.values_list("pk", flat=True)),
        "members": sorted(locked.members.values_list("pk", flat=True)),
    }
    after = {
        "title": title,
        "description": description.strip(),
        "status": status,
        "needs": sorted(n.pk for n in wanted_needs),
        "members": sorted(p.pk for p in wanted_members),
    }
    if before == after:
        return locked
    labels = dict(rules.GOAL_FIELDS)
    labels["title"] = "title"
    changed = [labels[key].lower() for key in before if before[key] != after[key]]
    locked.title = title
    locked.description = description.strip()
    locked.status = status
    locked.version += 1
    locked.updated_by = actor
    locked.updated_at = timezone.now()
    locked.full_clean()
    locked.save()
    locked.needs.set(wanted_needs)
    locked.members.set(wanted_members)
    plan_change_record(
        actor=actor,
        plan=locked_plan,
        summary=f"Goal changed: {_clip(title)} ({', '.join(changed)})",
    )
    return locked


# ---------------------------------------------------------------------------
# Actions
# ---------------------------------------------------------------------------


def _ensure_on_team(*, actor: User, family: Family, agency: Agency | None) -> None:
    """An agency given an action joins the team around the family, so its staff can
    see the plan. Refused, before anything is written, when sharing has no lawful
    basis."""
    if agency is None:
        return
    if TeamMember.objects.filter(family=family, agency=agency, removed_at__isnull=True).exists():
        return
    if not LawfulBasis.objects.filter(family=family, withdrawn_on__isnull=True).exists():
        raise NoLawfulBasis(
            f"{agency.name} is not on the team around the family, and it cannot be added "
            "until consent or a statutory gateway is recorded",
            field="agency",
        )
    team_member_add(actor=actor, family=family, agency=agency)


def _action_validate(action: Action, family: Family) -> None:
    if not action.description.strip():
        raise ApplicationError("Enter what will be done", field="description")
    if action.owner not in ActionOwner.values:
        raise ApplicationError("Select who will do this", field="owner")
    if action.owner == ActionOwner.AGENCY:
        if action.agency is None:
            raise ApplicationError("Select the agency that will do this", field="agency")
        if action.family_member_id is not None:
            raise ApplicationError(
                "Only a family commitment names a family member", field="family_member"
            )
        if action.practitioner is not None and action.practitioner.agency_id != action.agency.pk:
            raise ApplicationError(
                f"{action.practitioner.display_name} does not work for {action.agency.name}",
                field="practitioner",
            )
    else:
        action.agency = None
        action.practitioner = None
        if (
            action.family_member_id is not None
            and not HouseholdMembership.objects.filter(
                family=family, person_id=action.family_member_id, end_date__isnull=True
            ).exists()
        ):
            raise ApplicationError("Select someone who is in the family now", field="family_member")
    if action.status not in ActionStatus.values:
        raise ApplicationError("Select the action's status", field="status")
    action.not_done_reason = action.not_done_reason.strip()
    if action.status == ActionStatus.NOT_DONE:
        if not action.not_done_reason:
            raise ApplicationError("Enter why the action was not done", field="not_done_reason")
    else:
        action.not_done_reason = ""


@transaction.atomic
def action_create(
    *,
    actor: User,
    goal: Goal,
    description: str,
    owner: str,
    agency: Agency | None = None,
    practitioner: Staff | None = None,
    family_member: Person | None = None,
    due_on: datetime.date,
    review: Review | None = None,
) -> Action:
    """Add an action under a goal: what will be done, by an agency (optionally a named
    practitioner) or by the family as a commitment, and by when.

    An agency that is not yet on the team around the family is added to it (its staff
    then see the plan), which needs a lawful basis for sharing: without one the action
    is refused with ``NoLawfulBasis`` and nothing is written.
    """
    plan = Plan.objects.select_related("family").get(pk=goal.plan_id)
    _require(can_edit_plan(actor, plan.family), "You cannot change this plan")
    if due_on < timezone.localdate():
        raise ApplicationError("The due date must be today or in the future", field="due_on")
    now = timezone.now()
    action = Action(
        goal=goal,
        plan=plan,
        description=description.strip(),
        owner=owner,
        agency=agency,
        practitioner=practitioner,
        family_member=family_member,
        due_on=due_on,
        review=review,
        created_by=actor,
        created_at=now,
        updated_by=actor,
        updated_at=now,
    )
    _action_validate(action, plan.family)
    if review is not None and review.plan_id != plan.pk:
        raise ApplicationError("The review belongs to another plan", field="review")
    _ensure_on_team(actor=actor, family=plan.family, agency=action.agency)
    locked = _lock_plan(plan.pk)
    action.full_clean()
    action.save()
    plan_change_record(
        actor=actor, plan=locked, summary=f"Action added: {_clip(action.description)}"
    )
    return action


@transaction.atomic
def action_update(*, actor: User, action: Action, expected_version: int, **changes: Any) -> Action:
    """Change an action. ``changes`` may name description, owner, agency, practitioner,
    family_member, due_on, goal, status and not_done_reason.

    Whoever runs the plan may change anything; a practitioner or key worker of the
    action's own agency (``can_update_action``) may change only its status (with a
    reason when it was not done). Refused with ``PlanConflict`` if the action was saved
    by someone else after ``expected_version``. Moving it to another agency adds that
    agency to the team, as ``action_create`` does.
    """
    unknown = set(changes) - ACTION_EDIT_FIELDS
    if unknown:
        raise TypeError(f"action_update cannot change {', '.join(sorted(unknown))}")
    fresh = Action.objects.select_related("plan__family").get(pk=action.pk)
    family = fresh.plan.family
    _require(can_update_action(actor, fresh), "You cannot update this action")
    if set(changes) - ACTION_PROGRESS_FIELDS:
        _require(can_edit_plan(actor, family), "You can only update this action's status")
    if "agency" in changes and changes.get("owner", fresh.owner) == ActionOwner.AGENCY:
        _ensure_on_team(actor=actor, family=family, agency=changes["agency"])
    locked_plan = _lock_plan(fresh.plan_id)
    locked = (
        Action.objects.select_for_update(of=("self",))
        .select_related("agency", "practitioner__user", "family_member", "updated_by")
        .get(pk=action.pk)
    )
    if locked.version != expected_version:
        raise PlanConflict(
            current=locked,
            changed_by=locked.updated_by,
            changed_at=locked.updated_at,
            what="this action",
        )
    goal = changes.get("goal")
    if goal is not None and goal.plan_id != locked.plan_id:
        raise ApplicationError("Select a goal in this plan", field="goal")
    before = _action_values(locked)
    for key, value in changes.items():
        setattr(locked, key, value)
    _action_validate(locked, family)
    after = _action_values(locked)
    changed = [key for key in before if before[key] != after[key]]
    if not changed:
        return locked
    if locked.status != before["status"]:
        locked.completed_on = (
            timezone.localdate() if locked.status in CLOSED_ACTION_STATUSES else None
        )
    locked.version += 1
    locked.updated_by = actor
    locked.updated_at = timezone.now()
    locked.full_clean()
    locked.save()
    if changed == ["status"] or set(changed) <= ACTION_PROGRESS_FIELDS:
        summary = (
            f"Action status changed: {_clip(locked.description)} is now "
            f"{ActionStatus(locked.status).label.lower()}"
        )
    else:
        summary = f"Action changed: {_clip(locked.description)} ({', '.join(_labels(changed))})"
    plan_change_record(actor=actor, plan=locked_plan, summary=summary)
    return locked


_ACTION_LABELS = {
    "description": "what",
    "owner": "who",
    "agency": "who",
    "practitioner": "who",
    "family_member": "who",
    "due_on": "due date",
    "goal": "goal",
    "status": "status",
    "not_done_reason": "reason",
}


def _labels(keys: list[str]) -> list[str]:
    seen: list[str] = []
    for key in keys:
        if _ACTION_LABELS[key] not in seen:
            seen.append(_ACTION_LABELS[key])
    return seen


def _action_values(action: Action) -> dict[str, Any]:
    return {
        "description": action.description,
        "owner": action.owner,
        "agency": action.agency_id,
        "practitioner": action.practitioner_id,
        "family_member": action.family_member_id,
        "due_on": action.due_on,
        "goal": action.goal_id,
        "status": action.status,
        "not_done_reason": action.not_done_reason,
    }


@transaction.atomic
def action_progress_note_add(*, actor: User, action: Action, text: str) -> ActionProgressNote:
    """Add a progress note to an action. Notes are only ever added, so they never
    conflict with other changes."""
    fresh = Action.objects.select_related("plan__family").get(pk=action.pk)
    _require(can_update_action(actor, fresh), "You cannot update this action")
    text = text.strip()
    if not text:
        raise ApplicationError("Enter a progress note", field="text")
    locked_plan = _lock_plan(fresh.plan_id)
    note = ActionProgressNote.objects.create(
        action=fresh, text=text, author=actor, created_at=timezone.now()
    )
    plan_change_record(
        actor=actor,
        plan=locked_plan,
        summary=f"Progress note added: {_clip(fresh.description)}",
    )
    return note


@transaction.atomic
def action_progress_record(
    *,
    actor: User,
    action: Action,
    expected_version: int,
    status: str,
    not_done_reason: str = "",
    note: str = "",
) -> Action:
    """The "update this action" page: a new status and/or a progress note, saved
    together or not at all.

    From a stale version, a save that would change the status or the reason is a
    conflict (``PlanConflict``); a save that only adds a note, leaving the status as it
    now stands, goes through, because a note overwrites nothing.
    """
    current = Action.objects.get(pk=action.pk)
    status_changes = status != current.status or (
        status == ActionStatus.NOT_DONE and not_done_reason.strip() != current.not_done_reason
    )
    if not status_changes and not note.strip():
        raise ApplicationError("Change the status or enter a progress note", field="note")
    updated = current
    if status_changes:
        updated = action_update(
            actor=actor,
            action=current,
            expected_version=expected_version,
            status=status,
            not_done_reason=not_done_reason,
        )
    if note.strip():
        action_progress_note_add(actor=actor, action=updated, text=note)
        updated.refresh_from_db()
    return updated
