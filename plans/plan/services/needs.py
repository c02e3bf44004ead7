"""The family's needs: found during the work, identified from agency data, changed or
closed."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from agencies.models import User
from audit.history import inserts_recorded_set_based
from families.models import Family, HouseholdMembership, Person
from oneplan.errors import ApplicationError
from plans.models import (
    Need,
    NeedSource,
    Plan,
)
from plans.plan import rules
from plans.plan.services.common import clip, plan_lock, require_edit
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
    permissions: frozenset[str] | None = None,
) -> Need:
    """A need found during the work, added by whoever runs the plan.

    ``kind`` is one of ``rules.NEED_KINDS`` (a Supporting Families headline, or
    "other"); a headline need keeps the headline's code, so restricted needs stay
    restricted and outcome rules count it. A family has one open need per code.
    """
    require_edit(actor, plan.family, permissions, "You cannot change this plan")
    # The family row first, as needs_identified_open does, so the two cannot both open
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
    permissions: frozenset[str] | None = None,
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
    require_edit(actor, plan.family, permissions, "You cannot change this plan")
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


@dataclass(frozen=True)
class IdentifiedNeeds:
    """What an assessment found for one family: the framework and, for each criterion
    met, ``(code, plain label, ids of the people it is about)``."""

    framework: str
    needs: Sequence[tuple[str, str, Sequence[int]]]


@transaction.atomic
def needs_identified_open(*, actor: User, identified: Mapping[int, IdentifiedNeeds]) -> list[Need]:
    """Open a need for each criterion an assessment found (``identified``: family id to
    what was found) that the family has no open need for, with source "identified from
    agency data". Set-based, for a whole assessment chunk at once: one statement opens
    the needs, one names their people, whether or not the family has a plan yet; a plan
    started later begins from them, and a plan that exists records a version naming
    them.

    Never closes a need and never opens a second one for a code (the partial unique
    constraint decides, so two runs at once cannot both open one): running it again
    changes nothing. People who are not current members of the family are left off the
    need. Called by the assessment run (actor: whoever started it, or the system), so it
    checks no user permission. Returns the needs it opened, in the order given.
    """
    rows: list[tuple[int, str, str, str]] = []
    people: dict[tuple[int, str], Sequence[int]] = {}
    for family_id, found in identified.items():
        for code, label, person_ids in found.needs:
            if (family_id, code) in people:
                continue
            people[(family_id, code)] = person_ids
            rows.append((family_id, code, label, found.framework))
    if not rows:
        return []
    now = timezone.now()
    need_table = Need._meta.db_table
    members_table = Need.members.through._meta.db_table
    membership_table = HouseholdMembership._meta.db_table
    family_ids, codes, labels, frameworks = (list(column) for column in zip(*rows, strict=True))
    # The families' rows first, in id order (as need_create locks its family), so a need
    # added by hand and one identified at the same moment wait for each other.
    list(
        Family.objects.select_for_update(of=("self",))
        .filter(pk__in=sorted(set(family_ids)))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    with inserts_recorded_set_based(Need) as record_inserts, connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {need_table} (family_id, code, label, detail, source, framework, "  # noqa: S608
            "identified_on, created_by_id, created_at) "
            "SELECT f, c, l, '', %s, fw, %s, %s, %s "
            "FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[]) "
            "WITH ORDINALITY AS t(f, c, l, fw, n) ORDER BY n "
            "ON CONFLICT (family_id, code) WHERE closed_on IS NULL DO NOTHING "
            "RETURNING id, family_id, code",
            [
                NeedSource.ASSESSMENT.value,
                timezone.localdate(now),
                actor.pk,
                now,
                family_ids,
                codes,
                labels,
                frameworks,
            ],
        )
        opened_rows = cursor.fetchall()
        record_inserts([row[0] for row in opened_rows])
        pairs = [
            (need_id, person_id)
            for need_id, family_id, code in opened_rows
            for person_id in dict.fromkeys(people[(family_id, code)])
        ]
        if pairs:
            need_ids, person_ids = (list(column) for column in zip(*pairs, strict=True))
            cursor.execute(
                f"INSERT INTO {members_table} (need_id, person_id) "  # noqa: S608
                "SELECT t.need_id, t.person_id "
                "FROM unnest(%s::bigint[], %s::bigint[]) AS t(need_id, person_id) "
                f"JOIN {need_table} AS n ON n.id = t.need_id "
                f"WHERE EXISTS (SELECT 1 FROM {membership_table} AS m "
                "WHERE m.family_id = n.family_id AND m.person_id = t.person_id "
                "AND m.end_date IS NULL)",
                [need_ids, person_ids],
            )
    opened = list(Need.objects.filter(pk__in=[row[0] for row in opened_rows]).order_by("pk"))
    by_family: dict[int, list[Need]] = {}
    for need in opened:
        by_family.setdefault(need.family_id, []).append(need)
    # A family that already has a plan sees the new problems as a saved change to it.
    for plan in Plan.objects.filter(family_id__in=list(by_family)).order_by("pk"):
        plan_change_record(
            actor=actor,
            plan=plan,
            summary="Needs identified: " + _need_names(by_family[plan.family_id]),
        )
    return opened
