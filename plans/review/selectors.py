"""Reads for reviews, agreements, case notes, the printed plan and the chronology.

Each takes the viewing user (the caller has already checked they can see the plan) and
returns only what that user may see: restricted notes, restricted needs and goals that
serve only restricted needs are left out for users outside the restricted rule.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, AnyUser, User
from families.access.access import can_view_restricted
from families.access.address import address_for_viewer
from families.grants_models import TeamMember
from families.models import Family, FamilyStatusChange, HouseholdMembership, Person
from plans.models import (
    OPEN_ACTION_STATUSES,
    Action,
    ActionOwner,
    Agreement,
    CaseNote,
    Goal,
    GoalRating,
    GoalStatus,
    Need,
    Plan,
    PlanVersion,
    Review,
)
from plans.plan.selectors import plan_agreement_for_user
from plans.review.chronology import ChronologyEntry, datetime_range_q_bounds, start_of_day
from plans.visibility import plan_content_for_print, plan_content_for_user


def _hidden_goal_ids(user: AnyUser, plan: Plan) -> frozenset[int]:
    return plan_content_for_user(user, plan.family).hidden.goal_ids


# ---------------------------------------------------------------------------
# People and agencies a review or agreement may name
# ---------------------------------------------------------------------------


def family_current_members(family: Family) -> list[Person]:
    """Who lives in the household now, oldest first."""
    return [
        m.person
        for m in HouseholdMembership.objects.filter(family=family, end_date__isnull=True)
        .select_related("person")
        .order_by("person__date_of_birth", "person__pk")
    ]


def team_agencies(family: Family) -> list[Agency]:
    """The agencies working with the family: the lead agency and the team around it."""
    ids = set(
        TeamMember.objects.filter(family=family, removed_at__isnull=True).values_list(
            "agency_id", flat=True
        )
    )
    if family.lead_agency_id is not None:
        ids.add(family.lead_agency_id)
    return list(Agency.objects.filter(pk__in=ids).order_by("name"))


def review_open_goals(user: AnyUser, plan: Plan) -> list[Goal]:
    """The goals a review rates: every open goal the user may see, in plan order."""
    hidden = _hidden_goal_ids(user, plan)
    return [
        g
        for g in Goal.objects.filter(plan=plan, status=GoalStatus.OPEN).order_by("position", "pk")
        if g.pk not in hidden
    ]


def review_open_actions(user: AnyUser, plan: Plan) -> list[Action]:
    """Actions still to do that a review may re-date or close, grouped by goal."""
    hidden = _hidden_goal_ids(user, plan)
    actions = (
        Action.objects.filter(plan=plan, status__in=sorted(OPEN_ACTION_STATUSES))
        .select_related("goal", "agency", "practitioner__user", "family_member")
        .order_by("goal__position", "goal_id", "due_on", "pk")
    )
    return [a for a in actions if a.goal_id not in hidden]


# ---------------------------------------------------------------------------
# Reviews
# ---------------------------------------------------------------------------


def review_list_for_user(user: AnyUser, plan: Plan) -> QuerySet[Review]:
    """The plan's reviews, newest first, with what a list row shows (fixed queries);
    the counts leave out ratings and actions on goals the user may not see."""
    hidden = sorted(_hidden_goal_ids(user, plan))
    return (
        Review.objects.filter(plan=plan)
        .select_related("created_by")
        .annotate(
            new_action_count=Count(
                "actions_created",
                filter=~Q(actions_created__goal_id__in=hidden),
                distinct=True,
            ),
            rating_count=Count("ratings", filter=~Q(ratings__goal_id__in=hidden), distinct=True),
        )
        .order_by("-held_on", "-pk")
    )


@dataclass(frozen=True)
class ReviewDetail:
    review: Review
    ratings: list[GoalRating]
    actions_created: list[Action]


def review_get_for_user_or_404(user: AnyUser, plan: Plan, review_id: int) -> ReviewDetail:
    """One review of this plan, with ratings and actions on goals the user may see."""
    review = (
        Review.objects.filter(plan=plan, pk=review_id)
        .select_related("created_by")
        .prefetch_related(
            "attendee_agencies",
            "attendee_members",
            Prefetch("ratings", queryset=GoalRating.objects.select_related("goal")),
            Prefetch(
                "actions_created",
                queryset=Action.objects.select_related(
                    "goal", "agency", "practitioner__user", "family_member"
                ),
            ),
        )
        .first()
    )
    if review is None:
        raise Http404("No review found")
    hidden = _hidden_goal_ids(user, plan)
    ratings = sorted(
        (r for r in review.ratings.all() if r.goal_id not in hidden),
        key=lambda r: (r.goal.position, r.goal_id),
    )
    actions = [a for a in review.actions_created.all() if a.goal_id not in hidden]
    return ReviewDetail(review, ratings, actions)


# ---------------------------------------------------------------------------
# Agreement
# ---------------------------------------------------------------------------


def agreement_list_for_user(user: AnyUser, plan: Plan) -> QuerySet[Agreement]:
    return (
        Agreement.objects.filter(plan=plan)
        .select_related("recorded_by")
        .prefetch_related("signed_by")
        .order_by("-agreed_on", "-pk")
    )


# ---------------------------------------------------------------------------
# Case notes
# ---------------------------------------------------------------------------


def case_note_list_for_user(
    user: AnyUser, family: Family, *, person: Person | None = None
) -> QuerySet[CaseNote]:
    """The family's notes, newest first. Restricted notes only for users under the
    restricted rule; others get a list without them, not a count of what is missing."""
    notes = CaseNote.objects.filter(family=family).select_related("author", "person")
    if not can_view_restricted(user, family):
        notes = notes.filter(is_restricted=False)
    if person is not None:
        notes = notes.filter(person=person)
    return notes.order_by("-created_at", "-pk")


def family_people(family: Family) -> list[Person]:
    """Everyone who is or was in the household: notes may be about a past member."""
    return [
        m.person
        for m in HouseholdMembership.objects.filter(family=family)
        .select_related("person")
        .order_by("end_date", "person__date_of_birth", "person__pk")
    ]


# ---------------------------------------------------------------------------
# The printed plan ("Our family plan")
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PrintableAction:
    description: str
    who: str
    due_on: datetime.date
    status: str


@dataclass(frozen=True)
class PrintableGoal:
    title: str
    description: str
    status: str
    members: list[str]
    needs: list[str]
    actions: list[PrintableAction] = field(default_factory=list)


@dataclass(frozen=True)
class PrintablePlan:
    """The plan as the family gets it: what a printed copy may contain and nothing else.

    Always without restricted information, whoever prints it (DOMAIN.md 7): a printed
    plan leaves the building and may be read by anyone in the household.
    """

    reference: str
    members: list[str]
    address_lines: list[str]
    working_well: str
    worries: str
    family_wants: str
    needs: list[str]
    goals: list[PrintableGoal]
    next_review_on: datetime.date | None
    agreed_on: datetime.date | None
    changed_since_agreed: bool
    # What changed since the family agreed it, in words (never restricted information).
    changes_since_agreed: list[str]
    is_agreed: bool
    version: int
    printed_on: datetime.date


def _action_who(action: Action) -> str:
    if action.owner == ActionOwner.FAMILY:
        return action.family_member.full_name if action.family_member else "Our family"
    name = action.agency.name if action.agency else "An agency"
    if action.practitioner is not None:
        return f"{action.practitioner.display_name}, {name}"
    return name


def plan_printable(plan: Plan) -> PrintablePlan:
    """Everything the printed plan shows, without restricted needs, goals that serve
    only restricted needs (and their actions), case notes, or a protected address."""
    family = (
        Family.objects.select_related("address")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=HouseholdMembership.objects.filter(end_date__isnull=True)
                .select_related("person")
                .order_by("person__date_of_birth", "pk"),
            )
        )
        .get(pk=plan.family_id)
    )
    content = plan_content_for_print(family)
    needs = content.needs(
        Need.objects.filter(family=family, closed_on__isnull=True).order_by("identified_on", "pk")
    )[0]
    goals = (
        Goal.objects.filter(plan=plan)
        .exclude(status=GoalStatus.STOPPED)
        .prefetch_related(
            "needs",
            "members",
            Prefetch(
                "actions",
                queryset=Action.objects.select_related(
                    "agency", "practitioner__user", "family_member"
                ).order_by("due_on", "pk"),
            ),
        )
        .order_by("position", "pk")
    )
    printable_goals: list[PrintableGoal] = []
    for goal in goals:
        goal_needs = list(goal.needs.all())
        if not content.shows_goal(goal.pk):
            continue
        printable_goals.append(
            PrintableGoal(
                title=goal.title,
                description=goal.description,
                status=goal.get_status_display(),
                members=[p.full_name for p in goal.members.all()],
                needs=[n.label for n in content.needs(goal_needs)[0]],
                actions=[
                    PrintableAction(
                        description=a.description,
                        who=_action_who(a),
                        due_on=a.due_on,
                        status=a.get_status_display(),
                    )
                    for a in goal.actions.all()
                ],
            )
        )
    # Printed for the family, so never a protected address (families.access.address).
    shown = address_for_viewer(None, family)
    address_lines = list(shown.lines) if shown is not None else []
    agreement = plan_agreement_for_user(plan, content)
    return PrintablePlan(
        reference=family.reference,
        members=[m.person.full_name for m in family.memberships.all()],
        address_lines=address_lines,
        working_well=plan.working_well,
        worries=plan.worries,
        family_wants=plan.family_wants,
        needs=[n.label for n in needs],
        goals=printable_goals,
        next_review_on=plan.next_review_on,
        agreed_on=agreement.latest.agreed_on if agreement.latest else None,
        changed_since_agreed=agreement.changed,
        changes_since_agreed=agreement.changes.in_words,
        is_agreed=agreement.is_agreed,
        version=plan.version,
        printed_on=timezone.localdate(),
    )


# ---------------------------------------------------------------------------
# Chronology sources (registered in wiring.ready)
# ---------------------------------------------------------------------------


def _name(user: User) -> str:
    return user.get_full_name() or user.username


def chronology_plan_changes(
    user: AnyUser, family: Family, since: datetime.date | None, until: datetime.date | None
) -> list[ChronologyEntry]:
    lower, upper = datetime_range_q_bounds(since, until)
    versions = PlanVersion.objects.filter(plan__family=family).select_related("created_by")
    if lower:
        versions = versions.filter(created_at__gte=lower)
    if upper:
        versions = versions.filter(created_at__lt=upper)
    return [
        ChronologyEntry(
            kind="plan_change",
            occurred_at=v.created_at,
            title=f"Plan changed (version {v.number})",
            detail=v.summary,
            who=_name(v.created_by),
            # The change touched restricted content (plans.restricted), so its summary
            # may name it.
            is_restricted=v.is_restricted,
        )
        # Snapshots are whole plans: never load them for a one-line entry.
        for v in versions.defer("snapshot")
    ]


def chronology_reviews(
    user: AnyUser, family: Family, since: datetime.date | None, until: datetime.date | None
) -> list[ChronologyEntry]:
    reviews = Review.objects.filter(plan__family=family).select_related("created_by")
    if since:
        reviews = reviews.filter(held_on__gte=since)
    if until:
        reviews = reviews.filter(held_on__lte=until)
    return [
        ChronologyEntry(
            kind="review",
            occurred_at=start_of_day(r.held_on),
            title="Review meeting",
            detail=r.summary,
            who=_name(r.created_by),
            url=reverse("plans:review-detail", args=[family.reference, r.pk]),
            date_only=True,
        )
        for r in reviews
    ]


def chronology_case_notes(
    user: AnyUser, family: Family, since: datetime.date | None, until: datetime.date | None
) -> list[ChronologyEntry]:
    lower, upper = datetime_range_q_bounds(since, until)
    notes = case_note_list_for_user(user, family)
    if lower:
        notes = notes.filter(created_at__gte=lower)
    if upper:
        notes = notes.filter(created_at__lt=upper)
    return [
        ChronologyEntry(
            kind="case_note",
            occurred_at=n.created_at,
            title=f"Case note about {n.person.full_name}" if n.person else "Case note",
            detail=n.text,
            who=_name(n.author),
            is_restricted=n.is_restricted,
        )
        for n in notes
    ]


def chronology_status_changes(
    user: AnyUser, family: Family, since: datetime.date | None, until: datetime.date | None
) -> list[ChronologyEntry]:
    lower, upper = datetime_range_q_bounds(since, until)
    changes = FamilyStatusChange.objects.filter(family=family).select_related("actor")
    if lower:
        changes = changes.filter(created_at__gte=lower)
    if upper:
        changes = changes.filter(created_at__lt=upper)
    entries = []
    for c in changes:
        moved = (
            f"Status changed from {c.get_from_status_display()} to {c.get_to_status_display()}"
            if c.from_status
            else f"Status set to {c.get_to_status_display()}"
        )
        entries.append(
            ChronologyEntry(
                kind="status_change",
                occurred_at=c.created_at,
                title=moved,
                detail=c.reason,
                who=_name(c.actor),
            )
        )
    return entries


def chronology_agreements(
    user: AnyUser, family: Family, since: datetime.date | None, until: datetime.date | None
) -> list[ChronologyEntry]:
    agreements = (
        Agreement.objects.filter(plan__family=family)
        .select_related("recorded_by")
        .prefetch_related("signed_by")
    )
    if since:
        agreements = agreements.filter(agreed_on__gte=since)
    if until:
        agreements = agreements.filter(agreed_on__lte=until)
    entries = []
    for a in agreements:
        signed = ", ".join(p.full_name for p in a.signed_by.all())
        detail = f"Agreed by {signed}." if signed else ""
        if a.note:
            detail = f"{detail} {a.note}".strip()
        entries.append(
            ChronologyEntry(
                kind="agreement",
                occurred_at=start_of_day(a.agreed_on),
                title=f"Plan agreed with the family: {a.get_method_display().lower()}",
                detail=detail,
                who=_name(a.recorded_by),
                url=reverse("plans:agreement", args=[family.reference]),
                date_only=True,
            )
        )
    return entries
