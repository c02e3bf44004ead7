"""The family's needs: found during the work, identified from agency data, changed or
closed."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from agencies.models import User
from families.models import Family, HouseholdMembership, Person
from oneplan.errors import ApplicationError
from plans.models import (
    Need,
    NeedSource,
    Plan,
)
from plans.plan import rules
from plans.plan.access import can_edit_plan
from plans.plan.services.common import clip, plan_lock, require
from plans.plan.services.versions import plan_change_record, stale_part_conflict
from plans.restricted import is_restricted_need

# ---------------------------------------------------------------------------
# Needs
# ---------------------------------------------------------------------------


def _need_name(need: Need) -> str:
    # Version summaries are shown to everyone who can see the plan, so they never name
    # a restricted need.
    return "a restricted need" if is_restricted_need(need.code) else clip(need.label)


def _need_names(needs: Sequence[Need]) -> str:
    named = [clip(n.label) for n in needs if not is_restricted_need(n.code)]
    hidden = len(needs) - len(named)
    if hidden:
        named.append(f"{hidden} restricted need{'s' if hidden != 1 else ''}")
    return ", ".join(named)


def current_members(family: Family, people: Sequence[Person], field: str) -> list[Person]:
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
    require(can_edit_plan(actor, plan.family), "You cannot change this plan")
    # The family row first, as needs_identified_sync does, so the two cannot both open
    # a need with the same code.
    Family.objects.select_for_update(of=("self",)).get(pk=plan.family_id)
    locked = plan_lock(plan.pk)
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
    need.members.set(current_members(locked.family, members, "members"))
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
    require(can_edit_plan(actor, plan.family), "You cannot change this plan")
    locked_plan = plan_lock(plan.pk)
    locked = Need.objects.select_for_update(of=("self",)).get(pk=need.pk)
    current = {
        "label": locked.label,
        "detail": locked.detail,
        "member_ids": sorted(locked.members.values_list("pk", flat=True)),
        "closed_on": locked.closed_on.isoformat() if locked.closed_on else None,
    }
    stale_part_conflict(
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
    people = current_members(locked_plan.family, members, "members")
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
