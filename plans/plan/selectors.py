"""Reads about single family plans. Each takes the viewing user and returns only what
they may see; a plan outside their scope answers 404 like a missing one."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404

from agencies.models import AnyUser, Staff
from families.access.access import family_permissions, family_scope, staff_for
from families.access.perms import MANAGE_TEAM, VIEW, VIEW_RESTRICTED
from families.models import Family, Person
from oneplan.dates import govuk_date
from plans.models import (
    OPEN_ACTION_STATUSES,
    Action,
    ActionProgressNote,
    Agreement,
    Goal,
    GoalStatus,
    Need,
    Plan,
    PlanStatus,
    PlanVersion,
)
from plans.plan.access import action_updatable
from plans.plan.rules import AgreementChanges, AgreementStatus, changes_since_agreed
from plans.visibility import PlanContent, plan_content_for_user


def plan_for_user_or_404(user: AnyUser, reference: str) -> Plan:
    """The plan of the family with this reference, if ``user`` may see the family and
    it has a plan; otherwise 404. Creates nothing. (``plan_access_for_user_or_404``
    also answers the user's permissions, for a caller that needs them.)"""
    plan = _plan_in_scope(user, reference)
    if plan is None:
        raise Http404("No plan found")
    return plan


def _plan_in_scope(user: AnyUser, reference: str) -> Plan | None:
    return (
        Plan.objects.filter(
            family__in=Family.objects.filter(family_scope(user), reference=reference)
        )
        .select_related("family", "family__lcg", "updated_by")
        .first()
    )


# ---------------------------------------------------------------------------
# Fetch-with-check: one access check per request
# ---------------------------------------------------------------------------
#
# Each returns the object(s) a page or API route works on together with the user's
# permissions on the family, worked out once (one grant query), so that the view, the
# restricted-content rule and the service it calls all decide from the same answer
# without asking the database again. Missing, out of scope and hidden by the
# restricted rule all answer the same 404.


@dataclass(frozen=True)
class FamilyAccess:
    """A family in ``user``'s scope and what they may do with it."""

    user: AnyUser
    family: Family
    permissions: frozenset[str]
    plan: Plan | None

    def plan_or_404(self) -> Plan:
        if self.plan is None:
            raise Http404("No plan found")
        return self.plan

    @cached_property
    def content(self) -> PlanContent:
        """What of the plan the user may see (``plans.visibility``); asked once."""
        return plan_content_for_user(self.user, self.family, self.permissions)

    @property
    def can_edit(self) -> bool:
        """``plans.plan.access.can_edit_plan``, from the permissions already held."""
        return MANAGE_TEAM in self.permissions

    @property
    def can_view_restricted(self) -> bool:
        return VIEW_RESTRICTED in self.permissions


@dataclass(frozen=True)
class PlanAccess(FamilyAccess):
    """A family's plan in ``user``'s scope."""

    plan: Plan


@dataclass(frozen=True)
class ActionAccess(PlanAccess):
    """One action of a plan in ``user``'s scope, not hidden from them by the
    restricted rule."""

    action: Action

    @property
    def can_update(self) -> bool:
        """``plans.plan.access.can_update_action``, from the permissions already held."""
        return action_updatable(staff_for(self.user), self.permissions, self.action)


def _permissions_or_404(user: AnyUser, family: Family, message: str) -> frozenset[str]:
    permissions = family_permissions(user, family)
    if VIEW not in permissions:
        raise Http404(message)
    return permissions


def family_access_for_user_or_404(user: AnyUser, reference: str) -> FamilyAccess:
    """The family with this reference, its plan if it has one, and ``user``'s
    permissions on it, if they may see its plan (``can_view_plan``); otherwise 404."""
    family = (
        Family.objects.filter(family_scope(user), reference=reference)
        .select_related("lcg", "plan__updated_by")
        .first()
    )
    if family is None:
        raise Http404("No family found")
    permissions = _permissions_or_404(user, family, "No plan found")
    try:
        plan: Plan | None = family.plan
    except Plan.DoesNotExist:
        plan = None
    return FamilyAccess(user, family, permissions, plan)


def plan_access_for_user_or_404(user: AnyUser, reference: str) -> PlanAccess:
    """The plan of the family with this reference and ``user``'s permissions on the
    family, if they may see it and it has a plan; otherwise 404. Creates nothing."""
    plan = _plan_in_scope(user, reference)
    if plan is None:
        raise Http404("No plan found")
    permissions = _permissions_or_404(user, plan.family, "No plan found")
    return PlanAccess(user, plan.family, permissions, plan)


def action_for_user_or_404(
    user: AnyUser,
    action_id: int | str,
    *,
    reference: str | None = None,
    family: FamilyAccess | None = None,
) -> ActionAccess:
    """The action with this id, with its plan, family, goal and who does it, and
    ``user``'s permissions on the family: 404 when it is missing, of a family outside
    their scope (or not the family ``reference`` names, or not the already checked
    ``family``, when given) or under a goal the restricted rule hides from them."""
    if family is not None:
        actions = Action.objects.filter(pk=action_id, plan__family=family.family)
    else:
        actions = Action.objects.filter(
            pk=action_id, plan__family__in=Family.objects.filter(family_scope(user))
        )
    if reference is not None:
        actions = actions.filter(plan__family__reference=reference)
    action = actions.select_related(
        "plan__family__lcg",
        "plan__updated_by",
        "goal",
        "agency",
        "practitioner__user",
        "family_member",
        "updated_by",
    ).first()
    if action is None:
        raise Http404("No action found")
    plan = action.plan
    if family is not None:
        permissions = family.permissions
    else:
        permissions = _permissions_or_404(user, plan.family, "No action found")
    access = ActionAccess(user, plan.family, permissions, plan, action)
    if not access.content.shows_action(action):
        raise Http404("No action found")
    return access


@dataclass(frozen=True)
class NeedAccess(PlanAccess):
    """One need of a family's plan in ``user``'s scope, not hidden from them by the
    restricted rule."""

    need: Need


@dataclass(frozen=True)
class GoalAccess(PlanAccess):
    """One goal of a plan in ``user``'s scope, not hidden from them by the restricted
    rule."""

    goal: Goal


def need_for_user_or_404(user: AnyUser, need_id: int | str) -> NeedAccess:
    """The need with this id, its family's plan and ``user``'s permissions on the family:
    404 when it is missing, of a family outside their scope, of a family with no plan,
    or restricted from them. One grant lookup, whatever the caller does next."""
    need = (
        Need.objects.filter(pk=need_id, family__in=Family.objects.filter(family_scope(user)))
        .select_related("family__plan")
        .first()
    )
    plan = getattr(need.family, "plan", None) if need is not None else None
    if need is None or plan is None:
        raise Http404("No need found")
    permissions = _permissions_or_404(user, need.family, "No need found")
    access = NeedAccess(user, need.family, permissions, plan, need)
    if not access.content.shows_need(need):
        raise Http404("No need found")
    return access


def goal_for_user_or_404(
    user: AnyUser, goal_id: int | str, goals: QuerySet[Goal] | None = None
) -> GoalAccess:
    """The goal with this id (from ``goals``, to prefetch what the caller shows), its
    plan and ``user``'s permissions on the family: 404 when it is missing, of a family
    outside their scope, or restricted from them."""
    source = goals if goals is not None else Goal.objects.select_related("plan__family")
    goal = source.filter(
        pk=goal_id, plan__family__in=Family.objects.filter(family_scope(user))
    ).first()
    if goal is None:
        raise Http404("No goal found")
    family = goal.plan.family
    permissions = _permissions_or_404(user, family, "No goal found")
    access = GoalAccess(user, family, permissions, goal.plan, goal)
    if not access.content.shows_goal(goal.pk):
        raise Http404("No goal found")
    return access


def plan_agreement_blockers(plan: Plan) -> list[Need]:
    """Open needs of the family that no open goal covers: the plan cannot be agreed
    while there are any (every need must have a goal, DOMAIN.md 4.2-4.3). Includes
    restricted needs; callers showing them filter by ``can_view_restricted``."""
    covered = Goal.objects.filter(plan=plan, status=GoalStatus.OPEN, needs=OuterRef("pk"))
    return list(
        Need.objects.filter(family_id=plan.family_id, closed_on__isnull=True)
        .exclude(Exists(covered))
        .order_by("identified_on", "pk")
    )


@dataclass
class ActionRow:
    action: Action
    can_update: bool


@dataclass
class GoalRow:
    goal: Goal
    needs: list[Need]
    members: list[Person]
    actions: list[ActionRow] = field(default_factory=list)


@dataclass
class PlanPage:
    """Everything the plan page shows, read in a fixed number of queries."""

    family: Family
    plan: Plan | None
    permissions: frozenset[str]
    needs: list[Need]
    closed_needs: list[Need]
    hidden_restricted: int
    goals: list[GoalRow]
    uncovered: list[Need]
    hidden_uncovered: int
    content: PlanContent

    @property
    def can_edit(self) -> bool:
        return MANAGE_TEAM in self.permissions

    @property
    def can_view_restricted(self) -> bool:
        return VIEW_RESTRICTED in self.permissions


def plan_page_for_user(
    user: AnyUser,
    family: Family,
    permissions: frozenset[str] | None = None,
    content: PlanContent | None = None,
) -> PlanPage:
    """The plan page of a family ``user`` can already see (checked by the caller, who
    passes the permissions and plan content it worked out, when it has them).

    What is restricted (``plans.visibility``) is left out for users without the
    restricted-information permission, and counted so the page can say some is not shown.
    """
    if permissions is None:
        permissions = family_permissions(user, family)
    if VIEW not in permissions:
        raise Http404("No plan found")
    staff: Staff | None = staff_for(user)
    if content is None:
        content = plan_content_for_user(user, family, permissions)
    all_needs = list(
        Need.objects.filter(family=family)
        .prefetch_related("members")
        .order_by("closed_on", "identified_on", "pk")
    )
    open_needs, hidden = content.needs(n for n in all_needs if n.closed_on is None)
    closed_needs, hidden_closed = content.needs(n for n in all_needs if n.closed_on is not None)
    hidden_goals = 0
    plan = (
        Plan.objects.filter(family=family)
        .select_related("updated_by")
        .prefetch_related(
            Prefetch(
                "goals",
                queryset=Goal.objects.order_by("position", "pk").prefetch_related(
                    Prefetch("needs", queryset=Need.objects.order_by("identified_on", "pk")),
                    "members",
                ),
            ),
            Prefetch(
                "actions",
                queryset=Action.objects.select_related(
                    "agency", "practitioner__user", "family_member"
                )
                .prefetch_related(
                    Prefetch(
                        "progress_notes",
                        queryset=ActionProgressNote.objects.select_related("author"),
                    )
                )
                .order_by("due_on", "pk"),
            ),
        )
        .first()
    )
    goals: list[GoalRow] = []
    uncovered_all = [n for n in all_needs if n.closed_on is None]
    if plan is not None:
        by_goal: dict[int, list[ActionRow]] = {}
        for action in plan.actions.all():
            by_goal.setdefault(action.goal_id, []).append(
                ActionRow(action, action_updatable(staff, permissions, action))
            )
        covered: set[int] = set()
        for goal in plan.goals.all():
            goal_needs = list(goal.needs.all())
            if goal.status == GoalStatus.OPEN:
                covered |= {n.pk for n in goal_needs}
            if not content.shows_goal(goal.pk):
                hidden_goals += 1
                continue
            goals.append(
                GoalRow(
                    goal=goal,
                    needs=content.needs(goal_needs)[0],
                    members=list(goal.members.all()),
                    actions=by_goal.get(goal.pk, []),
                )
            )
        uncovered_all = [n for n in uncovered_all if n.pk not in covered]
    uncovered, hidden_uncovered = content.needs(uncovered_all)
    return PlanPage(
        family=family,
        plan=plan,
        permissions=permissions,
        needs=open_needs,
        closed_needs=closed_needs,
        hidden_restricted=hidden + hidden_closed + hidden_goals,
        goals=goals,
        uncovered=uncovered,
        hidden_uncovered=hidden_uncovered,
        content=content,
    )


def plan_versions_for_plan(plan: Plan, content: PlanContent) -> QuerySet[PlanVersion]:
    """The plan's saved versions the viewer may see, newest first, without their
    snapshots (a list needs only who, when and what)."""
    return content.filter(
        PlanVersion.objects.filter(plan=plan)
        .select_related("created_by")
        .defer("snapshot")
        .order_by("-number")
    )


def plan_version_or_404(plan: Plan, number: int, content: PlanContent) -> PlanVersion:
    """One saved version, if the viewer may see it: a version whose change touched
    restricted content answers 404 to anyone outside the restricted rule."""
    version = (
        PlanVersion.objects.filter(plan=plan, number=number).select_related("created_by").first()
    )
    if version is None or not content.shows_version(version):
        raise Http404("No such version")
    return version


def visible_needs_for_user(user: AnyUser, family: Family) -> QuerySet[Need]:
    """The family's needs ``user`` may see (restricted ones only with permission)."""
    needs = Need.objects.filter(family=family).order_by("closed_on", "identified_on", "pk")
    return plan_content_for_user(user, family).filter(needs)


@dataclass(frozen=True)
class PlanPanel:
    """The plan's section on the family page."""

    plan: Plan | None
    uncovered: list[Need]
    hidden_uncovered: int
    open_actions: int
    can_edit: bool
    agreement: PlanAgreement | None = None


def plan_panel_for_user(user: AnyUser, family: Family, permissions: frozenset[str]) -> PlanPanel:
    plan = Plan.objects.filter(family=family).first()
    uncovered: list[Need] = []
    hidden = 0
    open_actions = 0
    agreement = None
    if plan is not None:
        content = plan_content_for_user(user, family, permissions)
        uncovered, hidden = content.needs(plan_agreement_blockers(plan))
        open_actions = Action.objects.filter(plan=plan, status__in=OPEN_ACTION_STATUSES).count()
        agreement = plan_agreement_for_user(plan, content)
    return PlanPanel(
        plan=plan,
        uncovered=uncovered,
        hidden_uncovered=hidden,
        open_actions=open_actions,
        can_edit=MANAGE_TEAM in permissions,
        agreement=agreement,
    )


# ---------------------------------------------------------------------------
# Agreement: where the plan stands with the family
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanAgreement:
    """The family's latest agreement to the plan, and whether (and how) the plan has
    changed since: the one story the plan page, the agreement page, the printed plan and
    the API tell (``plans.plan.rules.changes_since_agreed``)."""

    latest: Agreement | None
    changes: AgreementChanges

    @property
    def status(self) -> AgreementStatus:
        return self.changes.status

    @property
    def changed(self) -> bool:
        return self.changes.changed

    @property
    def is_agreed(self) -> bool:
        return self.changes.is_agreed

    @property
    def message(self) -> str:
        if self.latest is None:
            return "The family has not agreed this plan yet"
        agreed = govuk_date(self.latest.agreed_on)
        if self.changed:
            return f"The plan has changed since the family agreed it on {agreed}"
        return f"The family agreed this plan on {agreed}"


def _snapshots(plan: Plan, numbers: set[int]) -> dict[int, dict[str, object]]:
    return dict(
        PlanVersion.objects.filter(plan=plan, number__in=sorted(numbers)).values_list(
            "number", "snapshot"
        )
    )


def plan_agreement_for_user(plan: Plan, content: PlanContent) -> PlanAgreement:
    """Where ``plan`` stands with the family, for a viewer who sees ``content`` of it
    (``plans.visibility``; ``plan_content_for_print`` for what the family gets): what
    changed since they agreed leaves out what the viewer may not see. Two queries
    when the family has agreed the plan, one when not."""
    latest = (
        Agreement.objects.filter(plan=plan)
        .select_related("recorded_by")
        .order_by("-plan_version", "-pk")
        .first()
    )
    if latest is None:
        return PlanAgreement(None, changes_since_agreed(None, {}, sees_restricted=False))
    snapshots = _snapshots(plan, {latest.plan_version, plan.version})
    agreed, current = snapshots.get(latest.plan_version), snapshots.get(plan.version)
    if agreed is None or current is None:
        # A plan loaded in bulk without its saved versions: its status is all we know.
        status = AgreementStatus.AGREED if plan.status == PlanStatus.AGREED else None
        return PlanAgreement(latest, AgreementChanges(status or AgreementStatus.CHANGED))
    return PlanAgreement(
        latest, changes_since_agreed(agreed, current, sees_restricted=content.sees_restricted)
    )


def plan_changed_since_version(plan: Plan, number: int) -> bool:
    """Whether what the family agrees to changed after saved version ``number`` (the
    version a page showed them): progress, statuses and notes recorded since do not
    count. An unknown version counts as changed."""
    if number == plan.version:
        return False
    snapshots = _snapshots(plan, {number, plan.version})
    shown, current = snapshots.get(number), snapshots.get(plan.version)
    if shown is None or current is None or number > plan.version:
        return True
    return changes_since_agreed(shown, current, sees_restricted=True).changed


def agreements_changed_since(plan: Plan, agreements: list[Agreement]) -> dict[int, bool]:
    """For each agreement (by id), whether what the family agrees to changed since that
    agreement: ``changes_since_agreed`` from its version to the plan as it stands."""
    numbers = {a.plan_version for a in agreements} | {plan.version}
    snapshots = _snapshots(plan, numbers)
    current = snapshots.get(plan.version)
    answers: dict[int, bool] = {}
    for agreement in agreements:
        agreed = snapshots.get(agreement.plan_version)
        if agreed is None or current is None:
            answers[agreement.pk] = agreement.plan_version != plan.version
        else:
            answers[agreement.pk] = changes_since_agreed(
                agreed, current, sees_restricted=True
            ).changed
    return answers
