"""The plans app's authorisation tables, asked by tests/test_permission_matrix.py.

Plan pages (plans.plan.access): anyone who can see the family sees the plan (404 outside
scope, 403 for accounts without case roles); the lead professional and the LCG's
coordinators change it; a case worker of the action's agency updates that action's
progress. Programme managers see plans but do not write them: they oversee the
programme, while the plan belongs to the family and the team around it.

Reviews and agreements: a family outside the user's scope answers 404 like a missing one;
inside it, a write the user may not make answers 403.

Every denied request changes nothing (each table's ``snapshot``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import timezone

from conftest import World, build_world
from families.grants_models import TeamMember
from plans.models import Action, ActionProgressNote, Goal, Need, Plan, PlanVersion
from plans.review.services import GoalRatingInput, case_note_add, review_record
from plans.tests import test_review_support as review_support
from plans.tests.test_plan_support import PlanWorld, started_plan
from tests.matrix import RouteCase, Table

# --- Plan pages ----------------------------------------------------------------------

SIGN_IN = 302
VIEW = {
    "anonymous": SIGN_IN,
    "other_practitioner": 404,
    "practitioner": 200,
    "keyworker": 200,
    "coordinator": 200,
    "other_coordinator": 404,
    "programme_manager": 200,
    "sysadmin": 403,
}
EDIT = {**VIEW, "practitioner": 403, "programme_manager": 403}
PROGRESS = {**EDIT, "practitioner": 200}


@dataclass
class PlanMatrixWorld:
    world: World
    plan: PlanWorld


def _build_plan() -> PlanMatrixWorld:
    world = build_world()
    return PlanMatrixWorld(world, started_plan(world))


def _plan_url(name: str, args: Callable[[PlanWorld], list[Any]]) -> Callable[[Any], str]:
    def url(w: PlanMatrixWorld) -> str:
        return reverse(f"plans:{name}", args=[w.world.own_family.reference, *args(w.plan)])

    return url


def _refused(expect: dict[str, int]) -> dict[str, int]:
    # Posts are asked only by those refused: the allowed posts are
    # plans/tests/test_plan_access.py::test_the_allowed_posts_do_change_the_plan.
    return {persona: code for persona, code in expect.items() if code != 200}


def _due() -> dict[str, int]:
    due = timezone.localdate() + datetime.timedelta(days=9)
    return {"due_on_day": due.day, "due_on_month": due.month, "due_on_year": due.year}


def _action(w: PlanMatrixWorld) -> dict[str, Any]:
    return {
        "description": "Changed",
        "owner": "agency",
        "agency": w.world.other_practitioner.agency_id,
        **_due(),
    }


def _plan_fingerprint(w: PlanMatrixWorld) -> tuple[Any, ...]:
    plan = Plan.objects.get(family=w.world.own_family)
    return (
        plan.version,
        plan.working_well,
        PlanVersion.objects.count(),
        list(Need.objects.order_by("pk").values_list("label", "detail", "closed_on")),
        list(Goal.objects.order_by("pk").values_list("title", "version")),
        list(Action.objects.order_by("pk").values_list("description", "status", "version")),
        ActionProgressNote.objects.count(),
        TeamMember.objects.count(),
    )


PLAN_PAGES = Table(
    name="plan pages",
    build=_build_plan,
    snapshot=_plan_fingerprint,
    cases=[
        RouteCase("plan", "get", _plan_url("plan", lambda s: []), VIEW),
        RouteCase("plan-versions", "get", _plan_url("plan-versions", lambda s: []), VIEW),
        RouteCase("plan-voice", "get", _plan_url("plan-voice", lambda s: []), EDIT),
        RouteCase("need-add", "get", _plan_url("need-add", lambda s: []), EDIT),
        RouteCase("need-edit", "get", _plan_url("need-edit", lambda s: [s.education.pk]), EDIT),
        RouteCase("goal-add", "get", _plan_url("goal-add", lambda s: []), EDIT),
        RouteCase("goal-edit", "get", _plan_url("goal-edit", lambda s: [s.goal.pk]), EDIT),
        RouteCase("action-add", "get", _plan_url("action-add", lambda s: [s.goal.pk]), EDIT),
        RouteCase(
            "action-edit", "get", _plan_url("action-edit", lambda s: [s.police_action.pk]), EDIT
        ),
        RouteCase(
            "action-progress",
            "get",
            _plan_url("action-progress", lambda s: [s.police_action.pk]),
            PROGRESS,
        ),
        RouteCase(
            "plan-compare",
            "get",
            lambda w: _plan_url("plan-compare", lambda s: [])(w) + "?older=1&newer=2",
            VIEW,
        ),
        # Seven edit routes refuse six personas each; progress refuses five.
        RouteCase(
            "plan-voice",
            "post",
            _plan_url("plan-voice", lambda s: []),
            _refused(EDIT),
            lambda w: {"version": w.plan.plan.version, "working_well": "Changed", "worries": ""},
        ),
        RouteCase(
            "need-add",
            "post",
            _plan_url("need-add", lambda s: []),
            _refused(EDIT),
            lambda w: {"kind": "housing", "label": "Damp"},
        ),
        RouteCase(
            "need-edit",
            "post",
            _plan_url("need-edit", lambda s: [s.education.pk]),
            _refused(EDIT),
            lambda w: {"version": w.plan.plan.version, "detail": "Changed", "is_closed": "on"},
        ),
        RouteCase(
            "goal-add",
            "post",
            _plan_url("goal-add", lambda s: []),
            _refused(EDIT),
            lambda w: {"title": "New goal"},
        ),
        RouteCase(
            "goal-edit",
            "post",
            _plan_url("goal-edit", lambda s: [s.goal.pk]),
            _refused(EDIT),
            lambda w: {"version": 1, "title": "Changed", "status": "open"},
        ),
        RouteCase(
            "action-add",
            "post",
            _plan_url("action-add", lambda s: [s.goal.pk]),
            _refused(EDIT),
            _action,
        ),
        RouteCase(
            "action-edit",
            "post",
            _plan_url("action-edit", lambda s: [s.police_action.pk]),
            _refused(EDIT),
            lambda w: {**_action(w), "version": 1, "goal": w.plan.goal.pk},
        ),
        RouteCase(
            "action-progress",
            "post",
            _plan_url("action-progress", lambda s: [s.police_action.pk]),
            _refused(PROGRESS),
            lambda w: {"version": 1, "status": "done", "note": "Done"},
        ),
    ],
)


# --- Starting a plan -------------------------------------------------------------------


@dataclass
class BareWorld:
    world: World


PLAN_START = Table(
    name="plan start",
    build=lambda: BareWorld(build_world()),
    snapshot=lambda w: (Plan.objects.count(), TeamMember.objects.count()),
    cases=[
        RouteCase(
            "plan-start",
            "post",
            lambda w: reverse("plans:plan-start", args=[w.world.own_family.reference]),
            {
                "anonymous": SIGN_IN,
                "other_practitioner": 404,
                "practitioner": 404,  # not on the team yet: nothing shares the family
                "other_coordinator": 404,
                "programme_manager": 403,
                "sysadmin": 403,
            },
        )
    ],
)


# --- Reviews and agreements ------------------------------------------------------------

# persona -> (may read, may record reviews and agreement)
REVIEWERS: dict[str, tuple[int, int]] = {
    "keyworker": (200, 302),  # the lead professional
    "coordinator": (200, 302),  # the family's LCG
    "practitioner": (200, 403),  # police, on the team: reads, does not run the plan
    "other_keyworker": (200, 403),  # the council (lead agency) is on the team
    "programme_manager": (200, 403),  # oversees plans, does not write them
    "auditor": (200, 403),
    "other_practitioner": (404, 404),  # the school is not on the team
    "other_coordinator": (404, 404),  # another LCG
    "sysadmin": (403, 403),  # no case data at all
}
READ = {"anonymous": SIGN_IN, **{p: read for p, (read, _) in REVIEWERS.items()}}
WRITE = {"anonymous": SIGN_IN, **{p: write for p, (_, write) in REVIEWERS.items()}}
OPEN_FORM = {p: 200 if code == 302 else code for p, code in WRITE.items()} | {"anonymous": SIGN_IN}
# The API answers 403 to anonymous requests, 201 for a record made.
API_READ = {**READ, "anonymous": 403}
API_WRITE = {p: 201 if code == 302 else code for p, code in WRITE.items()} | {"anonymous": 403}


@dataclass
class ReviewMatrixWorld:
    world: World
    plan: review_support.PlanWorld
    review: int


def _build_reviewed() -> ReviewMatrixWorld:
    world = build_world()
    pw = review_support.build_plan(world)
    review = review_record(
        actor=world.keyworker.user,
        plan=pw.plan,
        held_on=review_support.today(),
        summary="First review",
        ratings=[GoalRatingInput(g.pk, "no_change") for g in pw.plan.goals.filter(status="open")],
    )
    pw.plan.refresh_from_db()
    return ReviewMatrixWorld(world, pw, review.pk)


def _review_url(name: str, *, review: bool = False) -> Callable[[Any], str]:
    def url(w: ReviewMatrixWorld) -> str:
        args: list[object] = [w.world.own_family.reference] + ([w.review] if review else [])
        return reverse(f"plans:{name}", args=args)

    return url


def _api_url(path: str) -> Callable[[Any], str]:
    def url(w: ReviewMatrixWorld) -> str:
        return f"/api/families/{w.world.own_family.reference}/{path.format(review=w.review)}"

    return url


def _review_payload(w: ReviewMatrixWorld) -> dict[str, Any]:
    return {
        "held_on": review_support.today().isoformat(),
        "summary": "Through the API",
        "ratings": [
            {"goal_id": g.pk, "rating": "good_progress"}
            for g in w.plan.plan.goals.filter(status="open")
        ],
    }


def _agreement_payload(w: ReviewMatrixWorld) -> dict[str, Any]:
    return {
        "agreed_on": review_support.today().isoformat(),
        "method": "signed",
        "signed_by": [w.plan.jordan.pk],
    }


REVIEWS = Table(
    name="reviews and agreements",
    build=_build_reviewed,
    snapshot=lambda w: review_support.counts(),
    cases=[
        RouteCase("review-list", "get", _review_url("review-list"), READ),
        RouteCase("review-detail", "get", _review_url("review-detail", review=True), READ),
        RouteCase("agreement", "get", _review_url("agreement"), READ),
        RouteCase("review-create", "get", _review_url("review-create"), OPEN_FORM),
        RouteCase(
            "review-create",
            "post",
            _review_url("review-create"),
            WRITE,
            lambda w: review_support.review_form_data(w.plan),
        ),
        RouteCase(
            "agreement",
            "post",
            _review_url("agreement"),
            WRITE,
            lambda w: review_support.agreement_form_data(w.plan),
        ),
        RouteCase("api-reviews", "get", _api_url("reviews/"), API_READ),
        RouteCase("api-review", "get", _api_url("reviews/{review}/"), API_READ),
        RouteCase("api-agreements", "get", _api_url("agreements/"), API_READ),
        RouteCase(
            "api-reviews", "post", _api_url("reviews/"), API_WRITE, _review_payload, json=True
        ),
        RouteCase(
            "api-agreements",
            "post",
            _api_url("agreements/"),
            API_WRITE,
            _agreement_payload,
            json=True,
        ),
    ],
)


# --- Case notes ----------------------------------------------------------------------

# persona -> (may read, may write)
NOTE_WRITERS: dict[str, tuple[int, int]] = {
    "keyworker": (200, 302),
    "coordinator": (200, 302),
    "practitioner": (200, 302),  # police are on the team
    "other_keyworker": (200, 302),  # the council leads the family
    "programme_manager": (200, 403),  # oversight reads, does not write
    "auditor": (200, 403),
    "dpo": (200, 403),
    "other_practitioner": (404, 404),  # the school is not on the team
    "other_coordinator": (404, 404),  # another LCG's coordinator
    "sysadmin": (403, 403),
}
NOTES_READ = {"anonymous": SIGN_IN, **{p: read for p, (read, _) in NOTE_WRITERS.items()}}
NOTES_WRITE = {"anonymous": SIGN_IN, **{p: write for p, (_, write) in NOTE_WRITERS.items()}}


def _build_noted() -> BareWorld:
    world = build_world()
    review_support.build_plan(world)
    family = world.own_family
    case_note_add(actor=world.keyworker.user, family=family, text="Jordan was on time all week")
    case_note_add(
        actor=world.keyworker.user,
        family=family,
        text="Disclosure made to the school nurse about dad",
        is_restricted=True,
    )
    return BareWorld(world)


def _notes(w: BareWorld) -> str:
    return reverse("plans:case-notes", args=[w.world.own_family.reference])


def _notes_api(w: BareWorld) -> str:
    return f"/api/families/{w.world.own_family.reference}/notes/"


CASE_NOTES = Table(
    name="case notes",
    build=_build_noted,
    snapshot=lambda w: review_support.counts(),
    cases=[
        RouteCase("case-notes", "get", _notes, NOTES_READ),
        RouteCase("case-notes", "post", _notes, NOTES_WRITE, lambda w: {"text": "A note"}),
        RouteCase("api-notes", "get", _notes_api, {**NOTES_READ, "anonymous": 403}),
        RouteCase(
            "api-notes",
            "post",
            _notes_api,
            {p: 201 if code == 302 else code for p, code in NOTES_WRITE.items()}
            | {"anonymous": 403},
            lambda w: {"text": "An API note"},
        ),
    ],
)

TABLES = [PLAN_PAGES, PLAN_START, REVIEWS, CASE_NOTES]
