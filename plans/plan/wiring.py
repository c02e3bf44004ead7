"""Hooks this area registers when Django starts: the plan's section on the family page."""

from __future__ import annotations

from agencies.models import User
from families.models import Family
from families.panels import PanelContext, register_family_panel
from plans.plan.selectors import plan_panel_for_user


def plan_panel(user: User, family: Family, permissions: frozenset[str]) -> PanelContext:
    """Plan status, needs without a goal, next review, and the way in to the plan."""
    return "plans/plan/_family_panel.html", {
        "summary": plan_panel_for_user(user, family, permissions)
    }


def ready() -> None:
    register_family_panel("plan", 10, plan_panel)
