"""What the programme knows about the work with a family, for its results: the claim
conditions of DOMAIN.md 4.2 and 4.3, read from the case and its plan, for many families
in a handful of queries (the nightly evaluation asks for hundreds at once; the family
page asks for one through the same function)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from types import MappingProxyType

from django.utils import timezone

from families.models import Family, FamilyStatusChange, HouseholdMembership
from families.states import FamilyStatus
from outcomes.frameworks.results import Entry, Programme
from outcomes.models import Attachment
from outcomes.results.recorded import recorded_outcomes_for
from plans.models import Agreement, Goal, Need, Plan


def programme_conditions_many(
    families: Sequence[Family],
    *,
    attachments: Mapping[int, Attachment],
    entries: Mapping[int, Entry],
    as_of: date,
) -> dict[int, Programme]:
    """The claim conditions of each of ``families`` (those in ``attachments``) on
    ``as_of``:

    - **key worker**: the family has a named lead professional;
    - **whole-family assessment**: the plan records the family's own view of its life
      (what is working well, the worries, what the family wants to change), which is
      where OnePlan records the whole-family assessment;
    - **plan covering all members / every need**: a plan agreed by ``as_of`` whose goals
      name every current member (a goal for "the whole family" names everyone) / cover
      every open need;
    - **closed on**: the day the case was last closed (stepped down), while it still is;
    - **added**: needs found during the work (identified after attachment, by
      ``as_of``) whose code was not met at entry;
    - **recorded**: outcomes the lead practitioner recorded, as known on ``as_of``.
    """
    wanted = [f for f in families if f.pk in attachments]
    ids = [f.pk for f in wanted]
    if not ids:
        return {}
    plans: dict[int, tuple[int | None, bool]] = {}
    for family_id, plan_id, well, worries, wants in Plan.objects.filter(
        family_id__in=ids
    ).values_list("family_id", "pk", "working_well", "worries", "family_wants"):
        plans[family_id] = (plan_id, all(text.strip() for text in (well, worries, wants)))
    agreed = set(
        Agreement.objects.filter(
            plan_id__in=[p for p, _ in plans.values()], agreed_on__lte=as_of
        ).values_list("plan_id", flat=True)
    )
    goals_of: dict[int, list[int]] = defaultdict(list)
    for goal_id, plan_id in Goal.objects.filter(plan_id__in=agreed).values_list("pk", "plan_id"):
        goals_of[plan_id].append(goal_id)
    all_goals = [g for goals in goals_of.values() for g in goals]
    named: dict[int, set[int]] = defaultdict(set)
    for goal_id, person_id in Goal.members.through.objects.filter(
        goal_id__in=all_goals
    ).values_list("goal_id", "person_id"):
        named[goal_id].add(person_id)
    covering: dict[int, set[int]] = defaultdict(set)
    for goal_id, need_id in Goal.needs.through.objects.filter(goal_id__in=all_goals).values_list(
        "goal_id", "need_id"
    ):
        covering[goal_id].add(need_id)
    members: dict[int, set[int]] = defaultdict(set)
    for family_id, person_id in HouseholdMembership.objects.filter(
        family_id__in=ids, end_date__isnull=True
    ).values_list("family_id", "person_id"):
        members[family_id].add(person_id)
    open_needs: dict[int, set[int]] = defaultdict(set)
    found_needs: dict[int, list[tuple[str, date]]] = defaultdict(list)
    for family_id, need_id, code, identified_on, closed_on in Need.objects.filter(
        family_id__in=ids
    ).values_list("family_id", "pk", "code", "identified_on", "closed_on"):
        if closed_on is None:
            open_needs[family_id].add(need_id)
        found_needs[family_id].append((code, identified_on))
    closed = [f.pk for f in wanted if f.status == FamilyStatus.CLOSED]
    last_closed: dict[int, datetime] = {}
    if closed:
        last_closed = dict(
            FamilyStatusChange.objects.filter(family_id__in=closed, to_status=FamilyStatus.CLOSED)
            .order_by("family_id", "-created_at", "-pk")
            .distinct("family_id")
            .values_list("family_id", "created_at")
        )
    recorded = recorded_outcomes_for(ids, as_of=as_of)

    conditions: dict[int, Programme] = {}
    for family in wanted:
        attachment = attachments[family.pk]
        plan_pk, whole_family_assessment = plans.get(family.pk, (None, False))
        covers_members = covers_needs = False
        if plan_pk is not None and plan_pk in agreed:
            goals = goals_of.get(plan_pk, [])
            whole_family_goal = any(not named.get(g) for g in goals)
            everyone_named = {p for g in goals for p in named.get(g, ())}
            current = members.get(family.pk, set())
            covers_members = bool(current) and (whole_family_goal or current <= everyone_named)
            needs = open_needs.get(family.pk, set())
            covered = {n for g in goals for n in covering.get(g, ())}
            covers_needs = bool(needs) and needs <= covered
        closed_on = None
        if family.status == FamilyStatus.CLOSED:
            closed_on = timezone.localdate(last_closed.get(family.pk, family.status_changed_at))
        entry_codes = set(entries[family.pk].codes)
        added = tuple(
            sorted(
                {
                    code
                    for code, identified_on in found_needs.get(family.pk, ())
                    if attachment.attached_on < identified_on <= as_of
                }
                - entry_codes
            )
        )
        conditions[family.pk] = Programme(
            whole_family_assessment=whole_family_assessment,
            plan_covers_all_members=covers_members,
            plan_covers_all_needs=covers_needs,
            key_worker=family.lead_professional_id is not None,
            closed_on=closed_on,
            added=added,
            recorded=MappingProxyType(recorded.get(family.pk, {})),
        )
    return conditions


def programme_conditions(
    family: Family, *, attachment: Attachment, entry: Entry, as_of: date
) -> Programme:
    """One family's claim conditions (``programme_conditions_many``)."""
    return programme_conditions_many(
        [family], attachments={family.pk: attachment}, entries={family.pk: entry}, as_of=as_of
    )[family.pk]
