"""Reads for the daily work: my actions, my families and what needs attention, and the
day's reminders.

Each list is one query whatever its length: everything a row shows is a join or an SQL
annotation (EXISTS, scalar subqueries, conditional counts), never a query per row. The
meaning of each fact is in ``plans.work.rules``; the SQL here computes the same facts so
that lists can be sorted and filtered by them.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum
from functools import reduce
from operator import or_
from typing import Any

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from agencies.models import AnyUser, LCGMembership, Staff, User
from agencies.roles import Role
from families.access.access import CASE_WORK_ROLES, family_scope, staff_for
from families.models import Family
from families.naming import SURNAME, family_surname_subquery
from families.states import OPEN_STATES
from plans.models import (
    OPEN_ACTION_STATUSES,
    Action,
    ActionOwner,
    ActionProgressNote,
    ActionStatus,
    Agreement,
    Goal,
    GoalStatus,
    Need,
    PlanStatus,
    PlanVersion,
    Review,
)
from plans.visibility import actions_visible_q
from plans.work.rules import (
    DEFAULT_DRIFT_WEEKS,
    AttentionFacts,
    Flag,
    PlanState,
    attention_flags,
    done_since,
    drift_cutoff,
    due_soon_until,
    review_due_by,
)

# Statuses of an action still to be done.
OPEN_STATUS_VALUES = [status.value for status in OPEN_ACTION_STATUSES]

# ---------------------------------------------------------------------------
# My actions
# ---------------------------------------------------------------------------


class ActionShow(StrEnum):
    OPEN = "open"
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    DONE = "done"


ACTION_SHOW_LABELS = {
    ActionShow.OVERDUE: "Overdue",
    ActionShow.DUE_SOON: "Due in the next 7 days",
    ActionShow.OPEN: "All open",
    ActionShow.DONE: "Done recently",
}


def owned_actions_for_user(user: AnyUser) -> QuerySet[Action]:
    """Every action, in any state, that is the user's to do: an agency action of the
    user's own agency that names no practitioner or names them, in a family the user
    may see, whose content they may see (an action under a goal that serves only
    restricted needs is not shown to anyone outside the restricted rule). Only case
    workers own actions. This is the same rule as ``plans.plan.access.can_update_action``
    for someone who does not manage the plan."""
    staff = staff_for(user)
    if staff is None or not set(staff.roles) & CASE_WORK_ROLES:
        return Action.objects.none()
    # A correlated EXISTS per action rather than "family IN (every family in scope)":
    # an agency can see tens of thousands of families but owns far fewer open actions,
    # and a misestimated IN list once made PostgreSQL compare every pair.
    visible = Family.objects.filter(family_scope(user), pk=OuterRef("plan__family_id"))
    return Action.objects.filter(
        Q(practitioner__isnull=True) | Q(practitioner_id=staff.pk),
        Exists(visible),
        actions_visible_q(user),
        owner=ActionOwner.AGENCY,
        agency_id=staff.agency_id,
    )


def _show_q(show: ActionShow, today: datetime.date) -> Q:
    if show == ActionShow.DONE:
        return Q(status=ActionStatus.DONE, completed_on__gte=done_since(today))
    open_q = Q(status__in=OPEN_STATUS_VALUES)
    if show == ActionShow.OVERDUE:
        return open_q & Q(due_on__lt=today)
    if show == ActionShow.DUE_SOON:
        return open_q & Q(due_on__gte=today, due_on__lte=due_soon_until(today))
    return open_q


def owned_action_list_for_user(
    user: AnyUser, *, show: ActionShow, today: datetime.date
) -> QuerySet[Action]:
    """The user's actions for one view of the my-actions page: open ones soonest due
    first (so overdue ones lead), done ones most recently completed first."""
    actions = (
        owned_actions_for_user(user)
        .filter(_show_q(show, today))
        .select_related("plan__family", "goal", "agency", "practitioner__user")
        # The family's name for the row (families.naming), in the same query.
        .annotate(**{SURNAME: family_surname_subquery("plan__family_id")})
    )
    if show == ActionShow.DONE:
        return actions.order_by("-completed_on", "plan__family__reference", "pk")
    return actions.order_by("due_on", "plan__family__reference", "pk")


@dataclass(frozen=True)
class ActionCounts:
    overdue: int
    due_soon: int
    open: int
    done: int

    def for_show(self, show: ActionShow) -> int:
        return int(getattr(self, show.value))


def owned_action_counts_for_user(user: AnyUser, *, today: datetime.date) -> ActionCounts:
    """How many of the user's actions each view of the page holds, in one query."""
    counts = owned_actions_for_user(user).aggregate(
        **{show.value: Count("pk", filter=_show_q(show, today)) for show in ActionShow}
    )
    return ActionCounts(**{key: int(value or 0) for key, value in counts.items()})


# ---------------------------------------------------------------------------
# My families and what needs attention
# ---------------------------------------------------------------------------


def drift_weeks() -> int:
    """Weeks without progress before a plan counts as drifting (configurable)."""
    return int(getattr(settings, "ONEPLAN_DRIFT_WEEKS", DEFAULT_DRIFT_WEEKS))


def led_families_for_user(user: AnyUser) -> QuerySet[Family]:
    """Open families with a lead professional that are the user's to watch over: those
    they lead (case workers), and those in the LCGs they coordinate (coordinators);
    always within what the user may see."""
    staff = staff_for(user)
    if staff is None:
        return Family.objects.none()
    roles = set(staff.roles)
    mine: list[Q] = []
    if roles & CASE_WORK_ROLES:
        mine.append(Q(lead_professional_id=staff.pk))
    if Role.LCG_COORDINATOR in roles:
        mine.append(
            Q(
                lcg_id__in=LCGMembership.objects.filter(staff=staff, is_coordinator=True).values(
                    "lcg_id"
                )
            )
        )
    if not mine:
        return Family.objects.none()
    return Family.objects.filter(
        family_scope(user),
        reduce(or_, mine),
        status__in=[s.value for s in OPEN_STATES],
        lead_professional__isnull=False,
    )


def key_worker_choices_for_user(user: AnyUser) -> list[Staff]:
    """The lead professionals a coordinator may filter their LCGs' families by: those
    who lead an open family in an LCG they coordinate. Empty for everyone else."""
    staff = staff_for(user)
    if staff is None or not staff.has_role(Role.LCG_COORDINATOR):
        return []
    led = led_families_for_user(user).values("lead_professional_id")
    return list(
        Staff.objects.filter(pk__in=led)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "pk")
    )


def _count_of(queryset: QuerySet[Any], group: str) -> Coalesce:
    # A scalar subquery counting rows; order_by() keeps the model's default ordering
    # out of the GROUP BY.
    counted = queryset.order_by().values(group).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _latest(queryset: QuerySet[Any], column: str) -> Subquery:
    return Subquery(queryset.order_by(f"-{column}").values(column)[:1])


def attention_family_list_for_user(
    user: AnyUser,
    *,
    today: datetime.date,
    now: datetime.datetime,
    key_worker_id: int | None = None,
    attention_only: bool = False,
    weeks: int | None = None,
) -> QuerySet[Family]:
    """The user's families (``led_families_for_user``) with the facts of
    ``plans.work.rules.AttentionFacts`` and an ``attention`` score (how many flags are
    raised) as annotations, most attention first.

    ``key_worker_id`` narrows to one lead professional; callers check it against
    ``key_worker_choices_for_user`` first (the list is still limited to the user's
    families, so another LCG's families never show).
    """
    families = led_families_for_user(user)
    if key_worker_id is not None:
        families = families.filter(lead_professional_id=key_worker_id)
    plan_id = OuterRef("plan__id")
    cutoff = drift_cutoff(now, drift_weeks() if weeks is None else weeks)
    open_actions = Action.objects.filter(plan_id=plan_id, status__in=OPEN_STATUS_VALUES)
    overdue = open_actions.filter(due_on__lt=today)
    needs_without_goal = (
        Need.objects.filter(family_id=OuterRef("pk"), closed_on__isnull=True)
        .filter(Exists(Need.members.through.objects.filter(need_id=OuterRef("pk"))))
        .filter(
            ~Exists(
                Goal.needs.through.objects.filter(
                    need_id=OuterRef("pk"), goal__status=GoalStatus.OPEN
                )
            )
        )
    )
    # Agreed now: the family agreed the plan and nothing they agreed to has changed
    # since. Plan.status says the second, kept at every save by the one rule
    # (plans.plan.rules.changes_since_agreed, through its terms_fingerprint), so that
    # this list sorts by it without comparing snapshots.
    agreements = Agreement.objects.filter(plan_id=plan_id)
    agreed_now = Q(plan__status=PlanStatus.AGREED) & Q(Exists(agreements))
    recent = Q(plan__updated_at__gte=cutoff)
    for since in (
        PlanVersion.objects.filter(plan_id=plan_id, created_at__gte=cutoff),
        ActionProgressNote.objects.filter(action__plan_id=plan_id, created_at__gte=cutoff),
        Review.objects.filter(plan_id=plan_id, created_at__gte=cutoff),
        Action.objects.filter(plan_id=plan_id, updated_at__gte=cutoff),
    ):
        recent |= Q(Exists(since))

    def raised(condition: Q) -> Case:
        return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())

    # The score sorts and filters every family in the list, so each flag is a cheap
    # EXISTS that stops at its first row. The counts and dates below say the same in
    # detail and, being used by neither the ORDER BY nor the WHERE, PostgreSQL works
    # them out only for the page's rows (after the LIMIT). One point per flag that
    # plans.work.rules.attention_flags raises; a test holds the two to the same answer.
    families = families.annotate(
        attention=raised(Q(Exists(overdue)))
        + raised(Q(plan__next_review_on__lte=review_due_by(today)))
        + raised(~agreed_now | Q(plan__isnull=True))
        + raised(Q(plan__isnull=False) & ~recent)
        + raised(Q(Exists(needs_without_goal)))
    )
    if attention_only:
        families = families.filter(attention__gt=0)
    families = families.annotate(
        overdue_actions=_count_of(overdue, "plan_id"),
        agreed_version=Subquery(
            agreements.order_by("-plan_version").values("plan_version")[:1],
            output_field=IntegerField(),
        ),
        # PostgreSQL's GREATEST skips NULLs, so a plan with no notes or reviews yet
        # still has a last activity: its own last change. No plan: NULL.
        last_activity_at=Greatest(
            F("plan__updated_at"),
            _latest(PlanVersion.objects.filter(plan_id=plan_id), "created_at"),
            _latest(ActionProgressNote.objects.filter(action__plan_id=plan_id), "created_at"),
            _latest(Review.objects.filter(plan_id=plan_id), "created_at"),
            _latest(Action.objects.filter(plan_id=plan_id), "updated_at"),
            output_field=DateTimeField(),
        ),
        needs_without_goal=_count_of(needs_without_goal, "family_id"),
        **{SURNAME: family_surname_subquery()},
    ).annotate(
        # The SQL twin of plans.work.rules.plan_state.
        plan_state=Case(
            When(plan__isnull=True, then=Value(PlanState.NONE.value)),
            When(agreed_version__isnull=True, then=Value(PlanState.DRAFT.value)),
            When(agreed_now, then=Value(PlanState.AGREED.value)),
            default=Value(PlanState.CHANGED.value),
            output_field=CharField(),
        ),
    )
    return families.select_related("plan", "lcg", "lead_professional__user").order_by(
        "-attention",
        F("plan__next_review_on").asc(nulls_last=True),
        "reference",
    )


def attention_facts(family: Family) -> AttentionFacts:
    """The facts of one row of ``attention_family_list_for_user`` (no queries)."""
    last = getattr(family, "last_activity_at", None)
    plan = getattr(family, "plan", None)
    return AttentionFacts(
        overdue_actions=int(getattr(family, "overdue_actions", 0)),
        next_review_on=plan.next_review_on if plan is not None else None,
        plan_state=PlanState(getattr(family, "plan_state", PlanState.NONE.value)),
        last_activity_at=timezone.localtime(last) if last is not None else None,
        needs_without_goal=int(getattr(family, "needs_without_goal", 0)),
    )


def family_attention_flags(
    family: Family, *, today: datetime.date, now: datetime.datetime, weeks: int | None = None
) -> list[Flag]:
    """The words for one row of ``attention_family_list_for_user``."""
    cutoff = drift_cutoff(now, drift_weeks() if weeks is None else weeks)
    return attention_flags(attention_facts(family), today=today, drift_from=cutoff)


# ---------------------------------------------------------------------------
# Daily reminders
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReminderItem:
    family_id: int
    family_reference: str
    on: datetime.date


@dataclass
class ReminderDue:
    """What one person is reminded of on one day. Family references and dates only:
    an email leaves the service's access control and audit, so it carries no
    descriptions of the work or the family."""

    recipient: User
    own_actions: list[ReminderItem] = field(default_factory=list)
    unnamed_actions: list[ReminderItem] = field(default_factory=list)
    reviews: list[ReminderItem] = field(default_factory=list)

    @property
    def overdue_actions(self) -> int:
        return len(self.own_actions) + len(self.unnamed_actions)

    @property
    def family_ids(self) -> list[int]:
        items = [*self.own_actions, *self.unnamed_actions, *self.reviews]
        return sorted({item.family_id for item in items})


def reminders_due(*, today: datetime.date) -> list[ReminderDue]:
    """Everyone who has something overdue or due on ``today``, and what.

    - An overdue agency action goes to the practitioner it names, while they work for
      the action's agency and can see the family. Otherwise (no one named, or the named
      person has moved on or lost access) it goes to the family's lead professional,
      who coordinates the plan and can get the agency to name someone. It does not go
      to every practitioner of the agency: a large agency's whole staff would get every
      unnamed action, and reminders that are mostly not yours teach people to ignore them.
    - A review overdue or due within a week goes to the family's lead professional.
    - Only open families, and only active people with an email address and a staff
      profile; everything listed is within what the recipient may see.

    A few queries for the whole council plus one per recipient (their scope).
    """
    open_states = [s.value for s in OPEN_STATES]
    actions = (
        Action.objects.filter(
            owner=ActionOwner.AGENCY,
            status__in=OPEN_STATUS_VALUES,
            due_on__lt=today,
            plan__family__status__in=open_states,
        )
        .order_by("due_on", "pk")
        .values_list(
            "due_on",
            "agency_id",
            "plan__family_id",
            "plan__family__reference",
            "practitioner__user_id",
            "practitioner__agency_id",
            "plan__family__lead_professional__user_id",
        )
    )
    reviews = (
        Family.objects.filter(
            status__in=open_states,
            lead_professional__isnull=False,
            plan__next_review_on__lte=review_due_by(today),
        )
        .order_by("plan__next_review_on", "reference")
        .values_list("pk", "reference", "plan__next_review_on", "lead_professional__user_id")
    )
    action_rows = list(actions)
    review_rows = list(reviews)
    candidate_ids = {row[4] for row in action_rows if row[4] is not None}
    candidate_ids |= {row[6] for row in action_rows if row[6] is not None}
    candidate_ids |= {row[3] for row in review_rows}
    users = {
        u.pk: u
        for u in User.objects.filter(
            pk__in=candidate_ids, is_active=True, staff__isnull=False
        ).exclude(email="")
    }
    family_ids = {row[2] for row in action_rows} | {row[0] for row in review_rows}
    # Each recipient's own scope decides what they may be told about.
    visible: dict[int, set[int]] = {
        user_id: set(
            Family.objects.filter(family_scope(user), pk__in=family_ids).values_list(
                "pk", flat=True
            )
        )
        for user_id, user in users.items()
    }
    due: dict[int, ReminderDue] = {}

    def entry(user_id: int) -> ReminderDue:
        if user_id not in due:
            due[user_id] = ReminderDue(recipient=users[user_id])
        return due[user_id]

    for due_on, agency_id, family_id, reference, named_user, named_agency, lead_user in action_rows:
        item = ReminderItem(family_id, reference, due_on)
        if named_user in users and named_agency == agency_id and family_id in visible[named_user]:
            entry(named_user).own_actions.append(item)
        elif lead_user in users and family_id in visible[lead_user]:
            entry(lead_user).unnamed_actions.append(item)
    for family_id, reference, review_on, lead_user in review_rows:
        if lead_user in users and family_id in visible[lead_user]:
            assert review_on is not None  # filtered on next_review_on__lte
            entry(lead_user).reviews.append(ReminderItem(family_id, reference, review_on))
    return [due[user_id] for user_id in sorted(due)]


def reminders_by_family(items: list[ReminderItem]) -> list[tuple[str, int, datetime.date]]:
    """Items grouped per family for the email: reference, how many, the earliest date."""
    grouped: dict[str, list[datetime.date]] = defaultdict(list)
    for item in items:
        grouped[item.family_reference].append(item.on)
    return sorted(
        ((ref, len(days), min(days)) for ref, days in grouped.items()), key=lambda r: (r[2], r[0])
    )
