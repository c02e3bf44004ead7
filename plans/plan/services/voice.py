"""Starting the plan, and the family's voice."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from agencies.models import User
from families.models import Family
from plans.models import (
    Plan,
    PlanVersion,
)
from plans.plan import rules
from plans.plan.access import can_edit_plan
from plans.plan.services.common import plan_lock, require, require_edit
from plans.plan.services.versions import plan_change_record, plan_snapshot, stale_part_conflict

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
    require(can_edit_plan(actor, family), "You cannot start this family's plan")
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
        # The family's needs are already there: the assessment opened one for each
        # problem it found (needs_identified_open), so version 1 starts from them.
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
    permissions: frozenset[str] | None = None,
) -> Plan:
    """Save the family's voice, in their words.

    ``expected_version`` is the plan version the editor started from. The plan's
    version moves with every change to any goal or action, so a stale version alone is
    not a conflict: the save goes through when the voice itself is exactly as it was at
    that version (nobody else changed what the editor was looking at), and is refused
    with ``PlanConflict`` when someone else changed the voice in between.
    """
    require_edit(actor, plan.family, permissions, "You cannot change this plan")
    locked = plan_lock(plan.pk)
    current = rules.voice_of({"voice": _voice(locked)})
    stale_part_conflict(
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
