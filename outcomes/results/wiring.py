"""Hooks this area registers when Django starts: the family page's results panel."""

from __future__ import annotations

from agencies.models import User
from families.models import Family
from families.panels import PanelContext, register_family_panel


def results_panel(user: User, family: Family, permissions: frozenset[str]) -> PanelContext:
    """ "Results and claim readiness", below eligibility, for a family attached to the
    programme (nothing before it is attached: eligibility says where it stands)."""
    from outcomes.results.recorded import RECORDING_FRAMEWORKS
    from outcomes.results.recorded_access import can_record_outcome
    from outcomes.results.visibility import results_view_for_user

    view = results_view_for_user(user, family, permissions)
    if view is None:
        return None
    can_record = view.framework in RECORDING_FRAMEWORKS and can_record_outcome(user, family)
    return "outcomes/results/_family_panel.html", {
        "results": view,
        "can_record": can_record,
        "reference": family.reference,
    }


def ready() -> None:
    register_family_panel("results", 25, results_panel)
