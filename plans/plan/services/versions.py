"""Saved versions of the plan: snapshots, recording a change, and finding the change
that makes a save stale."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db import models, transaction
from django.db.models import Count, OuterRef, Value
from django.db.models.functions import Concat
from django.utils import timezone

from agencies.models import User
from plans.models import (
    Action,
    ActionOwner,
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
from plans.plan.rules import terms_fingerprint
from plans.plan.services.common import SUMMARY_MAX, PlanConflict, clip, plan_lock
from plans.restricted import change_touches_restricted

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


def _ids(through: type[models.Model], owner: str, target: str) -> ArraySubquery:
    """The ids an owner (a need or goal) links to through a many-to-many table, in id
    order, as an array column of the owner's row."""
    rows = through.objects.filter(**{owner: OuterRef("pk")}).order_by(target)  # type: ignore[attr-defined]
    return ArraySubquery(rows.values(target))


def _names(through: type[models.Model], owner: str) -> ArraySubquery:
    """The full names (``Person.full_name``: given name, a space, family name) of the
    people an owner links to, as an array column of the owner's row."""
    rows = through.objects.filter(**{owner: OuterRef("pk")})  # type: ignore[attr-defined]
    return ArraySubquery(
        rows.values(name=Concat("person__given_name", Value(" "), "person__family_name"))
    )


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
    # Who a need or goal covers comes as arrays in the same row (ids in id order, names
    # to sort), not as prefetches: a save records a version, so these queries are paid
    # by every change to a plan.
    needs_by_family: dict[int, list[Need]] = defaultdict(list)
    for need in (
        Need.objects.filter(family_id__in=family_ids)
        .annotate(
            member_ids=_ids(Need.members.through, "need_id", "person_id"),
            member_names=_names(Need.members.through, "need_id"),
        )
        .order_by("identified_on", "pk")
    ):
        needs_by_family[need.family_id].append(need)
    goals_by_plan: dict[int, list[Goal]] = defaultdict(list)
    for goal in (
        Goal.objects.filter(plan_id__in=plan_ids)
        .annotate(
            need_ids=_ids(Goal.needs.through, "goal_id", "need_id"),
            member_ids=_ids(Goal.members.through, "goal_id", "person_id"),
            member_names=_names(Goal.members.through, "goal_id"),
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
                "member_ids": list(need.member_ids),  # type: ignore[attr-defined]
                "members": sorted(need.member_names),  # type: ignore[attr-defined]
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
                "needs": list(goal.need_ids),  # type: ignore[attr-defined]
                "member_ids": list(goal.member_ids),  # type: ignore[attr-defined]
                "members": sorted(goal.member_names),  # type: ignore[attr-defined]
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


# No savepoint of its own: it runs inside the caller's transaction, and a failure here
# must undo the caller's change too, never leave it saved without its version.
@transaction.atomic(savepoint=False)
def plan_change_record(
    *,
    actor: User,
    plan: Plan,
    summary: str,
    plan_locked: bool = False,
    agreed: bool = False,
) -> PlanVersion:
    """Record one saved change to the plan or anything in it: bump ``plan.version``
    and store the plan as it now stands, with what changed in words.

    Call it last, inside the transaction that made the change, after every write.
    It locks the plan row, so two changes at once get consecutive version numbers; the
    passed ``plan`` is updated in place with the new version. A caller that already
    holds that lock (``plan`` came from ``plan_lock`` in this same transaction, and was
    not changed since except through this function) says so with ``plan_locked``, and
    the row is not locked and read a second time.

    It also keeps ``plan.status``: agreed while what the family agreed to is unchanged
    (``plans.plan.rules.terms_fingerprint``), a draft once it changes. ``agreed`` says
    the family agreed the plan as it now stands (``plans.review.services.agreement_record``).
    """
    locked = plan if plan_locked else plan_lock(plan.pk)
    now = timezone.now()
    locked.version += 1
    locked.updated_by = actor
    locked.updated_at = now
    # Read before the row is saved (the snapshot takes the plan's own fields from
    # ``locked``), so that the status it stores is the one saved with it.
    snapshot = plan_snapshot(locked)
    previous = (
        PlanVersion.objects.filter(plan=locked, number__lt=locked.version)
        .order_by("-number")
        .values_list("snapshot", flat=True)
        .first()
    )
    _agreement_keep(locked, snapshot, previous, agreed=agreed)
    locked.save(update_fields=["version", "updated_by", "updated_at", "status", "agreed_terms"])
    version = PlanVersion.objects.create(
        plan=locked,
        number=locked.version,
        snapshot=snapshot,
        is_restricted=change_touches_restricted(previous, snapshot),
        summary=clip(summary, SUMMARY_MAX),
        created_by=actor,
        created_at=now,
    )
    plan.version = locked.version
    plan.updated_by = actor
    plan.updated_at = now
    plan.status = locked.status
    plan.agreed_terms = locked.agreed_terms
    return version


def _agreement_keep(
    plan: Plan,
    snapshot: dict[str, Any],
    previous: Mapping[str, Any] | None,
    *,
    agreed: bool,
) -> None:
    """Set ``plan.status`` (and, when the family agrees it now, ``plan.agreed_terms``)
    for the plan as ``snapshot`` shows it, and the snapshot's status to match."""
    terms = terms_fingerprint(snapshot)
    if agreed:
        plan.agreed_terms = terms
    elif not plan.agreed_terms and plan.status == PlanStatus.AGREED and previous is not None:
        # Marked agreed without a fingerprint (loaded in bulk, as the demo seeder does):
        # still agreed means it stood as agreed before this change.
        plan.agreed_terms = terms_fingerprint(previous)
    still_agreed = bool(plan.agreed_terms) and plan.agreed_terms == terms
    plan.status = PlanStatus.AGREED if still_agreed else PlanStatus.DRAFT
    snapshot["status"] = plan.status
    snapshot["status_label"] = PlanStatus(plan.status).label


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


def stale_part_conflict(
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
