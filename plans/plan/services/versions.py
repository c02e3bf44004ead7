"""Saved versions of the plan: snapshots, recording a change, and finding the change
that makes a save stale."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db import models, transaction
from django.db.models import Count, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Concat
from django.utils import timezone

from agencies.models import User
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
from plans.plan.rules import terms_fingerprint
from plans.plan.services.common import SUMMARY_MAX, PlanConflict, clip, plan_lock
from plans.restricted import change_touches_restricted

# ---------------------------------------------------------------------------
# Versions
# ---------------------------------------------------------------------------


def _who(row: Mapping[str, Any]) -> str:
    """Who does an action, in the snapshot's words, from its row (``_action_rows``)."""
    if row["owner"] == ActionOwner.FAMILY:
        if row["family_member_id"] is None:
            return "The family"
        return f"The family: {row['member_given_name']} {row['member_family_name']}"
    agency = row["agency_name"] or ""
    if row["practitioner_id"] is not None:
        # Staff.display_name: the user's full name, or their username.
        name = f"{row['practitioner_first_name']} {row['practitioner_last_name']}".strip()
        return f"{agency}: {name or row['practitioner_username']}"
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
    (the demo seeder records thousands of first versions this way). Rows are read as
    values, not model instances: a save records a version, so these queries are paid
    by every change to a plan."""
    plan_ids = [plan.pk for plan in plans]
    family_ids = [plan.family_id for plan in plans]
    # Who a need or goal covers comes as arrays in the same row (ids in id order, names
    # to sort), not as prefetches.
    needs_by_family: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for need in (
        Need.objects.filter(family_id__in=family_ids)
        .order_by("identified_on", "pk")
        .values(
            "id",
            "family_id",
            "code",
            "label",
            "detail",
            "source",
            "framework",
            "identified_on",
            "closed_on",
            member_id_list=_ids(Need.members.through, "need_id", "person_id"),
            member_name_list=_names(Need.members.through, "need_id"),
        )
    ):
        needs_by_family[need["family_id"]].append(
            {
                "id": need["id"],
                "code": need["code"],
                "label": need["label"],
                "detail": need["detail"],
                "source": need["source"],
                "source_label": NeedSource(need["source"]).label,
                "framework": need["framework"],
                "member_ids": list(need["member_id_list"]),
                "members": sorted(need["member_name_list"]),
                "identified_on": need["identified_on"].isoformat(),
                "closed_on": need["closed_on"].isoformat() if need["closed_on"] else None,
            }
        )
    by_goal: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for action in _action_rows(plan_ids):
        by_goal[action["goal_id"]].append(
            {
                "id": action["id"],
                "description": action["description"],
                "owner": action["owner"],
                "agency_id": action["agency_id"],
                "practitioner_id": action["practitioner_id"],
                "family_member_id": action["family_member_id"],
                "who": _who(action),
                "due_on": action["due_on"].isoformat(),
                "status": action["status"],
                "status_label": ActionStatus(action["status"]).label,
                "not_done_reason": action["not_done_reason"],
                "completed_on": (
                    action["completed_on"].isoformat() if action["completed_on"] else None
                ),
                "progress_notes": action["note_count"],
                "version": action["version"],
            }
        )
    goals_by_plan: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for goal in (
        Goal.objects.filter(plan_id__in=plan_ids)
        .order_by("position", "pk")
        .values(
            "id",
            "plan_id",
            "title",
            "description",
            "status",
            "version",
            need_id_list=_ids(Goal.needs.through, "goal_id", "need_id"),
            member_id_list=_ids(Goal.members.through, "goal_id", "person_id"),
            member_name_list=_names(Goal.members.through, "goal_id"),
        )
    ):
        goals_by_plan[goal["plan_id"]].append(
            {
                "id": goal["id"],
                "title": goal["title"],
                "description": goal["description"],
                "status": goal["status"],
                "status_label": GoalStatus(goal["status"]).label,
                "needs": list(goal["need_id_list"]),
                "member_ids": list(goal["member_id_list"]),
                "members": sorted(goal["member_name_list"]),
                "version": goal["version"],
                "actions": by_goal.get(goal["id"], []),
            }
        )
    reviews_by_plan: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for review in (
        Review.objects.filter(plan_id__in=plan_ids)
        .order_by("held_on", "pk")
        .values("id", "plan_id", "held_on", "next_review_on")
    ):
        reviews_by_plan[review["plan_id"]].append(
            {
                "id": review["id"],
                "held_on": review["held_on"].isoformat(),
                "next_review_on": review["next_review_on"].isoformat(),
            }
        )
    agreements_by_plan: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for agreement in (
        Agreement.objects.filter(plan_id__in=plan_ids)
        .order_by("agreed_on", "pk")
        .values("id", "plan_id", "plan_version", "agreed_on", "method")
    ):
        agreements_by_plan[agreement["plan_id"]].append(
            {
                "id": agreement["id"],
                "plan_version": agreement["plan_version"],
                "agreed_on": agreement["agreed_on"].isoformat(),
                "method": agreement["method"],
            }
        )
    return {
        plan.pk: {
            "status": plan.status,
            "status_label": PlanStatus(plan.status).label,
            "next_review_on": plan.next_review_on.isoformat() if plan.next_review_on else None,
            "voice": {
                "working_well": plan.working_well,
                "worries": plan.worries,
                "family_wants": plan.family_wants,
            },
            "needs": needs_by_family[plan.family_id],
            "goals": goals_by_plan[plan.pk],
            "reviews": reviews_by_plan[plan.pk],
            "agreements": agreements_by_plan[plan.pk],
        }
        for plan in plans
    }


def _action_rows(plan_ids: list[int]) -> Iterable[Mapping[str, Any]]:
    """The plans' actions as rows, in due order, with what ``_who`` names and how many
    progress notes each has (counted per action, not by grouping the join)."""
    notes = (
        ActionProgressNote.objects.filter(action=OuterRef("pk"))
        .order_by()
        .values("action")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Action.objects.filter(plan_id__in=plan_ids)
        .order_by("due_on", "pk")
        .values(
            "id",
            "goal_id",
            "description",
            "owner",
            "agency_id",
            "practitioner_id",
            "family_member_id",
            "due_on",
            "status",
            "not_done_reason",
            "completed_on",
            "version",
            agency_name=F("agency__name"),
            practitioner_first_name=F("practitioner__user__first_name"),
            practitioner_last_name=F("practitioner__user__last_name"),
            practitioner_username=F("practitioner__user__username"),
            member_given_name=F("family_member__given_name"),
            member_family_name=F("family_member__family_name"),
            note_count=Coalesce(Subquery(notes, output_field=IntegerField()), 0),
        )
    )


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
