"""What of a family's plan one viewer may see: the one place that decides it.

Every page, API route, version, comparison, print, export and job that shows plan content
asks ``plan_content_for_user`` (or ``plan_content_for_print`` for what leaves the
building) and filters through the ``PlanContent`` it returns. The rule itself is pure and
lives in ``plans.restricted``; whether the viewer may see restricted information is the
family's access policy (``families.access.access``: the ``view_restricted_family`` permission).

``plan_content_for_user`` costs no query for a viewer who may see restricted information
and two for anyone else (the family's restricted needs and the goals that serve only
them); a caller that already holds the viewer's permissions passes them in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import Exists, OuterRef, Q, QuerySet

from agencies.models import AnyUser
from families.access.access import family_permissions, family_restricted_scope
from families.access.perms import VIEW_RESTRICTED
from families.models import Family
from plans.models import Action, Goal, Need, PlanVersion
from plans.restricted import (
    NONE_RESTRICTED,
    RESTRICTED_NEED_CODES,
    RestrictedItems,
    restricted_items,
    snapshot_for_viewer,
)

M = TypeVar("M", Need, Goal, Action, PlanVersion)


@dataclass(frozen=True)
class PlanContent:
    """One viewer's view of one family's plan: which needs, goals (with their actions
    and progress notes) and saved versions they may see."""

    sees_restricted: bool
    hidden: RestrictedItems = NONE_RESTRICTED

    def shows_need(self, need: Need) -> bool:
        return need.pk not in self.hidden.need_ids

    def shows_goal(self, goal_id: int) -> bool:
        return goal_id not in self.hidden.goal_ids

    def shows_action(self, action: Action) -> bool:
        return self.shows_goal(action.goal_id)

    def shows_version(self, version: PlanVersion) -> bool:
        return self.sees_restricted or not version.is_restricted

    def needs(self, needs: Iterable[Need]) -> tuple[list[Need], int]:
        """The needs shown, and how many were left out."""
        rows = list(needs)
        shown = [n for n in rows if self.shows_need(n)]
        return shown, len(rows) - len(shown)

    def snapshot(self, snapshot: dict[str, Any]) -> tuple[dict[str, Any], int]:
        """A saved version's snapshot as the viewer may see it, with how many needs and
        goals were left out."""
        return snapshot_for_viewer(snapshot, sees_restricted=self.sees_restricted)

    def filter(self, queryset: QuerySet[M]) -> QuerySet[M]:
        """Needs, goals, actions or versions of this family, without what is hidden."""
        if self.sees_restricted:
            return queryset
        model = queryset.model
        if model is Need:
            hide = Q(pk__in=self.hidden.need_ids)
        elif model is Goal:
            hide = Q(pk__in=self.hidden.goal_ids)
        elif model is Action:
            hide = Q(goal_id__in=self.hidden.goal_ids)
        else:
            hide = Q(is_restricted=True)
        return queryset.exclude(hide)


SEES_EVERYTHING = PlanContent(sees_restricted=True)


def family_restricted_items(family: Family) -> RestrictedItems:
    """The family's restricted needs and the goals of its plan that serve only them, by
    the rule in ``plans.restricted``, in two queries."""
    need_codes = dict(Need.objects.filter(family=family).values_list("pk", "code"))
    goal_needs: dict[int, list[int]] = defaultdict(list)
    for goal_id, need_id in Goal.needs.through.objects.filter(
        goal__plan__family=family
    ).values_list("goal_id", "need_id"):
        goal_needs[goal_id].append(need_id)
    return restricted_items(need_codes, goal_needs)


def plan_content_for_user(
    user: AnyUser, family: Family, permissions: frozenset[str] | None = None
) -> PlanContent:
    """What of ``family``'s plan ``user`` may see. Only those with the family's
    restricted-information permission (its lead professional, the LCG's coordinators and
    the data protection officer) see restricted needs, the goals that serve only them,
    those goals' actions and progress notes, and the versions that changed them; team
    agencies, break-glass users, the programme manager and the auditor do not. Seeing the
    family at all is checked by the caller."""
    if permissions is None:
        permissions = family_permissions(user, family)
    if VIEW_RESTRICTED in permissions:
        return SEES_EVERYTHING
    return PlanContent(sees_restricted=False, hidden=family_restricted_items(family))


def plan_content_for_print(family: Family) -> PlanContent:
    """What a copy for the family may contain: never restricted information, whoever
    prints it (DOMAIN.md 7); a printed plan leaves the building and may be read by anyone
    in the household."""
    return PlanContent(sees_restricted=False, hidden=family_restricted_items(family))


def goal_restricted_q(goal_ref: str = "pk") -> Q:
    """``plans.restricted.goal_is_restricted`` in SQL, for lists across many families:
    the goal (``goal_ref`` names its id on the queried model) has at least one need, and
    none of its needs is ordinary."""
    needs = Goal.needs.through.objects.filter(goal_id=OuterRef(goal_ref))
    ordinary = needs.exclude(need__code__in=sorted(RESTRICTED_NEED_CODES))
    return Q(Exists(needs)) & ~Q(Exists(ordinary))


def actions_visible_q(user: AnyUser) -> Q:
    """Actions across families that ``user`` may see the content of: those whose goal is
    not restricted, and any action of a family whose restricted information they may see.
    Used with the family scope by lists that span families (my actions)."""
    return ~goal_restricted_q("goal_id") | Q(
        plan__family__in=Family.objects.filter(family_restricted_scope(user))
    )
