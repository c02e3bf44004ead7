"""The plans app's API, printed plan and daily-work routes: authorisation tables asked
by tests/test_permission_matrix.py.

The world: own_family's started plan (``started_plan``), led by the keyworker, with the
police on the team through an action of theirs; other_lcg_family (Havant, the school its
lead agency) has no plan yet.

Reading (``plans.plan.access.can_view_plan``): anyone who can see the family; 404 outside
scope, like a missing family; 403 for accounts with no case role. Writing
(``can_edit_plan``): the lead professional and the LCG's coordinators; anyone else who
sees the family gets 403. An action's status and progress notes
(``can_update_action``): also a case worker of the action's agency. A PATCH that gets
past the access check without ``If-Match`` answers 428 and changes nothing, so 428 here
means "allowed". The API answers 403 to requests that are not signed in; pages send them
to sign in.

My actions is for case workers; my families for case workers and LCG coordinators
(``plans.work.access``).

Every denied request changes nothing (``_snapshot``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import timezone

from audit.models import AccessAction, AccessEvent
from conftest import World, build_world
from families.grants_models import TeamMember
from plans.models import Action, ActionProgressNote, Goal, Need, Plan, PlanVersion
from plans.tests.test_plan_support import PlanWorld, started_plan
from tests.matrix import PERSONAS, RouteCase, Table

SIGN_IN = 302
CASE_ROLES = [p for p in PERSONAS if p not in ("anonymous", "sysadmin")]
CASE_WORKERS = {"keyworker", "other_keyworker", "practitioner", "other_practitioner"}

# Who sees own_family: its lead professional, the police (on the team), its LCG's
# coordinator and the programme-wide roles. The council's other key worker does not: the
# family has a named lead professional, so nothing is granted to the council itself.
SEES = {
    "keyworker",
    "practitioner",
    "coordinator",
    "programme_manager",
    "auditor",
    "senior_officer",
    "dpo",
}
EDITS = {"keyworker", "coordinator"}
UPDATES_POLICE_ACTION = EDITS | {"practitioner"}
OUTSIDE = set(CASE_ROLES) - SEES


def _rule(allowed: set[str], ok: int, *, anonymous: int, sees: set[str] = SEES) -> dict[str, int]:
    """``ok`` for ``allowed``; 403 for others who see the family; 404 outside scope; 403
    without a case role; ``anonymous`` when not signed in."""
    answers = {"anonymous": anonymous, "sysadmin": 403}
    for persona in CASE_ROLES:
        answers[persona] = (ok if persona in allowed else 403) if persona in sees else 404
    return answers


def _roles(allowed: set[str], *, anonymous: int) -> dict[str, int]:
    return {"anonymous": anonymous, **{p: 200 if p in allowed else 403 for p in PERSONAS[1:]}}


PAGE_VIEW = _rule(SEES, 200, anonymous=SIGN_IN)
API_VIEW = _rule(SEES, 200, anonymous=403)


@dataclass
class PlanApiWorld:
    world: World
    plan: PlanWorld


def _build() -> PlanApiWorld:
    world = build_world()
    return PlanApiWorld(world, started_plan(world))


def _snapshot(w: PlanApiWorld) -> tuple[Any, ...]:
    return (
        sorted(Plan.objects.values_list("pk", "version", "working_well")),
        PlanVersion.objects.count(),
        sorted(Need.objects.values_list("pk", "label", "detail", "closed_on")),
        sorted(Goal.objects.values_list("pk", "title", "version")),
        sorted(Action.objects.values_list("pk", "description", "status", "version")),
        ActionProgressNote.objects.count(),
        sorted(TeamMember.objects.values_list("pk", "removed_at")),
        # What someone was shown; a refusal of a family outside the user's access is
        # recorded as refused (families.access.access_log), and stays.
        AccessEvent.objects.exclude(action=AccessAction.REFUSED).count(),
    )


def _ref(w: PlanApiWorld) -> str:
    return w.world.own_family.reference


def _page(name: str) -> Callable[[Any], str]:
    return lambda w: reverse(f"plans:{name}", args=[_ref(w)])


def _api(path: Callable[[PlanApiWorld], str]) -> Callable[[Any], str]:
    return lambda w: "/api/" + path(w)


def _due() -> str:
    return (timezone.localdate() + datetime.timedelta(days=9)).isoformat()


# --- The printed plan, the chronology and the daily-work pages ---------------------------

PLAN_PRINT_AND_WORK_PAGES = Table(
    name="plan print and work pages",
    build=_build,
    snapshot=_snapshot,
    cases=[
        RouteCase("plan-print", "get", _page("plan-print"), PAGE_VIEW),
        RouteCase("plan-pdf", "get", _page("plan-pdf"), PAGE_VIEW),
        RouteCase("chronology", "get", _page("chronology"), PAGE_VIEW),
        RouteCase(
            "my-actions",
            "get",
            lambda w: reverse("plans:my-actions"),
            _roles(CASE_WORKERS, anonymous=SIGN_IN),
        ),
        RouteCase(
            "my-families",
            "get",
            lambda w: reverse("plans:my-families"),
            _roles(CASE_WORKERS | {"coordinator", "other_coordinator"}, anonymous=SIGN_IN),
        ),
    ],
)


# --- The plan API ----------------------------------------------------------------------

# other_lcg_family has no plan: only its LCG's coordinator may start one. Its lead
# agency's practitioner and the programme-wide roles see it but may not start a plan.
SEES_OTHER = {
    "other_practitioner",
    "other_coordinator",
    "programme_manager",
    "auditor",
    "senior_officer",
    "dpo",
}

PLAN_API = Table(
    name="plan api",
    build=_build,
    snapshot=_snapshot,
    cases=[
        RouteCase("plan", "get", _api(lambda w: f"plans/{_ref(w)}/"), API_VIEW),
        RouteCase(
            "plan",
            "patch",
            _api(lambda w: f"plans/{_ref(w)}/"),
            _rule(EDITS, 428, anonymous=403),
            lambda w: {"working_well": "Changed"},
            json=True,
        ),
        # Starting a plan that is there already answers it, unchanged, to anyone who
        # can read it.
        RouteCase(
            "plan-start-existing",
            "post",
            _api(lambda w: "plans/"),
            API_VIEW,
            lambda w: {"family": _ref(w)},
            json=True,
        ),
        RouteCase(
            "plan-start",
            "post",
            _api(lambda w: "plans/"),
            _rule({"other_coordinator"}, 201, anonymous=403, sees=SEES_OTHER),
            lambda w: {"family": w.world.other_lcg_family.reference},
            json=True,
        ),
        RouteCase("plan-versions", "get", _api(lambda w: f"plans/{_ref(w)}/versions/"), API_VIEW),
        RouteCase("plan-version", "get", _api(lambda w: f"plans/{_ref(w)}/versions/1/"), API_VIEW),
        # Needs
        RouteCase("needs", "get", _api(lambda w: f"plan-needs/?family={_ref(w)}"), API_VIEW),
        RouteCase(
            "needs",
            "post",
            _api(lambda w: f"plan-needs/?family={_ref(w)}"),
            _rule(EDITS, 201, anonymous=403),
            lambda w: {"kind": "housing", "label": "Damp in the children's bedroom"},
            json=True,
        ),
        RouteCase("need", "get", _api(lambda w: f"plan-needs/{w.plan.education.pk}/"), API_VIEW),
        RouteCase(
            "need",
            "patch",
            _api(lambda w: f"plan-needs/{w.plan.education.pk}/"),
            _rule(EDITS, 428, anonymous=403),
            lambda w: {"detail": "Changed"},
            json=True,
        ),
        # Goals
        RouteCase("goals", "get", _api(lambda w: f"plan-goals/?family={_ref(w)}"), API_VIEW),
        RouteCase(
            "goals",
            "post",
            _api(lambda w: f"plan-goals/?family={_ref(w)}"),
            _rule(EDITS, 201, anonymous=403),
            lambda w: {"title": "A warm, dry home"},
            json=True,
        ),
        RouteCase("goal", "get", _api(lambda w: f"plan-goals/{w.plan.goal.pk}/"), API_VIEW),
        RouteCase(
            "goal",
            "patch",
            _api(lambda w: f"plan-goals/{w.plan.goal.pk}/"),
            _rule(EDITS, 428, anonymous=403),
            lambda w: {"title": "Changed"},
            json=True,
        ),
        # Actions
        RouteCase("actions", "get", _api(lambda w: f"plan-actions/?family={_ref(w)}"), API_VIEW),
        # The goal is named in the body: one outside the user's scope is "not a goal in
        # this plan" (400), the same answer as a goal that does not exist.
        RouteCase(
            "actions",
            "post",
            _api(lambda w: "plan-actions/"),
            {**_rule(EDITS, 201, anonymous=403), **dict.fromkeys(OUTSIDE, 400)},
            lambda w: {
                "goal": w.plan.goal.pk,
                "description": "Walk Jordan to school on Tuesdays",
                "owner": "agency",
                "agency": w.world.police.code,
                "due_on": _due(),
            },
            json=True,
        ),
        RouteCase(
            "action", "get", _api(lambda w: f"plan-actions/{w.plan.police_action.pk}/"), API_VIEW
        ),
        RouteCase(
            "action",
            "patch",
            _api(lambda w: f"plan-actions/{w.plan.police_action.pk}/"),
            _rule(UPDATES_POLICE_ACTION, 428, anonymous=403),
            lambda w: {"status": "done"},
            json=True,
        ),
        RouteCase(
            "progress-notes",
            "get",
            _api(lambda w: f"plan-actions/{w.plan.police_action.pk}/progress-notes/"),
            API_VIEW,
        ),
        RouteCase(
            "progress-notes",
            "post",
            _api(lambda w: f"plan-actions/{w.plan.police_action.pk}/progress-notes/"),
            _rule(UPDATES_POLICE_ACTION, 201, anonymous=403),
            lambda w: {"text": "Jordan was at school every day this week"},
            json=True,
        ),
        # Daily work
        RouteCase(
            "my-actions", "get", _api(lambda w: "my-actions/"), _roles(CASE_WORKERS, anonymous=403)
        ),
        RouteCase(
            "my-families",
            "get",
            _api(lambda w: "my-families/"),
            _roles(CASE_WORKERS | {"coordinator", "other_coordinator"}, anonymous=403),
        ),
    ],
)

TABLES = [PLAN_PRINT_AND_WORK_PAGES, PLAN_API]
