"""The content matrix: restricted information appears only for those allowed to see it.

For every page and API route that shows family or plan content, restricted canary text
is seeded in every place restricted information can live (a restricted need, a goal that
serves only it, that goal's action, its progress note and a later edit, a review's
rating of it, a restricted case note and a protected address). Each persona requests
each route; the canaries must appear only for personas with the restricted-information
permission on the family (its lead professional, the LCG's coordinators and the data
protection officer), and never in what is printed for the family. An ordinary control
text must appear wherever the route shows plan content, so a page that shows nothing at
all cannot pass by accident.

New routes that show family or plan content join ``CONTENT_ROUTES``.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoDbBlocker

from agencies.services import system_actor
from conftest import World, build_world, built_once, client_for, shared_data
from families.access.grants import grants_sync
from families.access.services import lawful_basis_record
from families.grants_models import BreakGlassAccess, LawfulBasisKind
from outcomes.assessment.selectors import framework_for_family
from outcomes.assessment.services import assessment_families_run
from outcomes.results.recorded_services import recorded_outcome_record
from outcomes.results.services import family_attach
from plans.models import ActionOwner
from plans.plan.services import (
    action_create,
    action_progress_note_add,
    action_update,
    goal_create,
    goal_update,
    need_create,
    plan_get_or_create,
)
from plans.review.services import GoalRatingInput, agreement_record, case_note_add, review_record
from plans.tests.test_review_support import pdf_text
from tests.support.assessment import evidence_add
from tests.test_permission_matrix import PERSONAS

# Canary words: one word each (no spaces or punctuation), so HTML escaping, JSON and the
# PDF's text operators cannot disguise them.
CANARIES = {
    "need": "Canaryneedlabel",
    "need_detail": "Canaryneeddetail",
    "goal": "Canarygoaltitle",
    "goal_edit": "Canarygoaledited",
    "action": "Canaryactiontext",
    "progress": "Canaryprogressnote",
    "rating": "Canaryratingcomment",
    "note": "Canarycasenote",
    "address": "Canaryrefugeaddress",
    # The agency that sent restricted (domestic abuse) evidence, named beside the finding.
    "evidence": "CANARYEVIDENCE",
    # The lead practitioner's reason for the outcome recorded for the restricted need.
    "recorded": "Canaryrecordedreason",
}
CONTROL = "Ordinaryschoolgoal"

# Run in parallel, the module keeps to one process, so the world is seeded once.
pytestmark = pytest.mark.xdist_group("content-matrix")

# Who holds the restricted-information permission on own_family: its lead professional,
# the coordinator of its LCG and the data protection officer. The police practitioner is
# on the team, the school practitioner has broken the glass, the programme manager and
# the auditor see every family: none of them may see restricted information.
RESTRICTED_PERSONAS = {"keyworker", "coordinator", "dpo"}
# Who sees own_family at all (the rest get 404, 403 or the sign-in page).
SEES_FAMILY = RESTRICTED_PERSONAS | {
    "practitioner",
    "other_practitioner",
    "programme_manager",
    "auditor",
}
CASE_WORKERS = frozenset({"keyworker", "other_keyworker", "practitioner", "other_practitioner"})


@dataclass
class Seeded:
    world: World
    ids: dict[str, int]
    version: int


@dataclass(frozen=True)
class ContentRoute:
    """A route that shows family or plan content.

    ``url`` builds the address from the seeded world. ``shows`` names the canaries that
    a persona allowed to see restricted information must find there (proof the route
    really shows that kind of content); ``control`` says whether the ordinary control text
    must appear for everyone who gets the page. ``printed`` routes never show restricted
    information, whoever asks.
    """

    name: str
    url: Callable[[Seeded], str]
    shows: frozenset[str] = frozenset()
    control: bool = True
    printed: bool = False
    personas: frozenset[str] | None = None  # who gets a 200; default SEES_FAMILY
    pdf: bool = False
    extra: dict[str, str] = field(default_factory=dict)


def _ref(s: Seeded) -> str:
    return s.world.own_family.reference


def _r(name: str, *args: object) -> str:
    return reverse(name, args=list(args))


PLAN_CANARIES = frozenset({"need", "goal_edit", "action"})

CONTENT_ROUTES: list[ContentRoute] = [
    # Pages
    ContentRoute(
        "page: family",
        lambda s: _r("families:detail", _ref(s)),
        frozenset({"address", "evidence"}),
        False,
    ),
    ContentRoute("page: plan", lambda s: _r("plans:plan", _ref(s)), PLAN_CANARIES),
    ContentRoute(
        "page: plan versions",
        lambda s: _r("plans:plan-versions", _ref(s)),
        frozenset({"goal_edit"}),
    ),
    ContentRoute(
        "page: compare first and latest versions",
        lambda s: _r("plans:plan-compare", _ref(s)) + f"?older=1&newer={s.version}",
        frozenset({"need", "goal_edit", "action"}),
    ),
    ContentRoute(
        "page: compare the goal's edit",
        lambda s: _r("plans:plan-compare", _ref(s))
        + f"?older={s.ids['before_edit']}&newer={s.ids['after_edit']}",
        frozenset({"goal", "goal_edit"}),
        control=False,
        # The edit is a restricted change: outside the restricted rule the version does
        # not exist (400: not a version you can choose).
        personas=frozenset(RESTRICTED_PERSONAS),
    ),
    ContentRoute(
        "page: goal edit",
        lambda s: _r("plans:goal-edit", _ref(s), s.ids["restricted_goal"]),
        frozenset({"goal_edit"}),
        control=False,
        personas=frozenset({"keyworker", "coordinator"}),
    ),
    ContentRoute(
        "page: action edit",
        lambda s: _r("plans:action-edit", _ref(s), s.ids["restricted_action"]),
        frozenset({"action"}),
        control=False,
        personas=frozenset({"keyworker", "coordinator"}),
    ),
    ContentRoute(
        "page: action progress",
        lambda s: _r("plans:action-progress", _ref(s), s.ids["restricted_action"]),
        frozenset({"action", "progress"}),
        control=False,
        personas=frozenset({"keyworker", "coordinator"}),
    ),
    ContentRoute(
        "page: need edit",
        lambda s: _r("plans:need-edit", _ref(s), s.ids["restricted_need"]),
        frozenset({"need"}),
        control=False,
        personas=frozenset({"keyworker", "coordinator"}),
    ),
    ContentRoute("page: reviews", lambda s: _r("plans:review-list", _ref(s)), control=False),
    ContentRoute(
        "page: review",
        lambda s: _r("plans:review-detail", _ref(s), s.ids["review"]),
        frozenset({"goal_edit", "rating"}),
    ),
    ContentRoute(
        "page: agreement",
        lambda s: _r("plans:agreement", _ref(s)),
        # What changed since the family agreed it: the restricted action moved.
        frozenset({"action"}),
        control=False,
    ),
    ContentRoute(
        "page: print",
        lambda s: _r("plans:plan-print", _ref(s)),
        printed=True,
    ),
    ContentRoute(
        "page: PDF",
        lambda s: _r("plans:plan-pdf", _ref(s)),
        printed=True,
        pdf=True,
    ),
    ContentRoute(
        "page: case notes",
        lambda s: _r("plans:case-notes", _ref(s)),
        frozenset({"note"}),
        control=False,
    ),
    ContentRoute(
        "page: chronology",
        lambda s: _r("plans:chronology", _ref(s)),
        frozenset({"note", "goal_edit"}),
    ),
    ContentRoute(
        "page: my actions",
        lambda s: _r("plans:my-actions") + "?show=open",
        control=False,
        personas=CASE_WORKERS,
    ),
    ContentRoute(
        "page: my families",
        lambda s: _r("plans:my-families"),
        control=False,
        personas=CASE_WORKERS | {"coordinator", "other_coordinator"},
    ),
    ContentRoute(
        "page: search by address",
        lambda s: _r("families:search") + "?q=Ashby",
        control=False,
        personas=frozenset(PERSONAS) - {"anonymous", "sysadmin"},
    ),
    # API
    ContentRoute(
        "api: family", lambda s: f"/api/families/{_ref(s)}/", frozenset({"address"}), False
    ),
    ContentRoute(
        "api: eligibility",
        lambda s: f"/api/family-assessments/{_ref(s)}/",
        frozenset({"evidence"}),
        False,
    ),
    ContentRoute(
        "api: results",
        lambda s: f"/api/family-results/{_ref(s)}/",
        # The restricted need's result rests on the lead practitioner's recorded outcome
        # (which decides it), so its reason is what the results show.
        frozenset({"recorded"}),
        False,
    ),
    ContentRoute(
        "api: recorded outcomes",
        lambda s: f"/api/families/{_ref(s)}/recorded-outcomes/",
        frozenset({"recorded"}),
        False,
    ),
    ContentRoute(
        "page: record an outcome",
        lambda s: _r("outcomes:recorded-outcome-record", _ref(s)),
        frozenset({"recorded"}),
        control=False,
        # Only the lead practitioner records outcomes.
        personas=frozenset({"keyworker"}),
    ),
    ContentRoute("api: plan", lambda s: f"/api/plans/{_ref(s)}/", PLAN_CANARIES),
    ContentRoute(
        "api: plan versions",
        lambda s: f"/api/plans/{_ref(s)}/versions/",
        frozenset({"goal_edit"}),
    ),
    ContentRoute(
        "api: latest version",
        lambda s: f"/api/plans/{_ref(s)}/versions/{s.version}/",
        PLAN_CANARIES,
    ),
    ContentRoute(
        "api: version before the edit",
        lambda s: f"/api/plans/{_ref(s)}/versions/{s.ids['before_edit']}/",
        frozenset({"goal", "action"}),
        personas=frozenset(RESTRICTED_PERSONAS),
    ),
    ContentRoute(
        "api: needs",
        lambda s: f"/api/plan-needs/?family={_ref(s)}",
        frozenset({"need", "need_detail"}),
        control=False,
    ),
    ContentRoute(
        "api: restricted need",
        lambda s: f"/api/plan-needs/{s.ids['restricted_need']}/",
        frozenset({"need"}),
        control=False,
        personas=frozenset(RESTRICTED_PERSONAS),
    ),
    ContentRoute(
        "api: goals",
        lambda s: f"/api/plan-goals/?family={_ref(s)}",
        frozenset({"goal_edit", "action"}),
    ),
    ContentRoute(
        "api: restricted goal",
        lambda s: f"/api/plan-goals/{s.ids['restricted_goal']}/",
        frozenset({"goal_edit", "action"}),
        control=False,
        personas=frozenset(RESTRICTED_PERSONAS),
    ),
    ContentRoute(
        "api: actions",
        lambda s: f"/api/plan-actions/?family={_ref(s)}",
        frozenset({"action"}),
        control=False,
    ),
    ContentRoute(
        "api: restricted action",
        lambda s: f"/api/plan-actions/{s.ids['restricted_action']}/",
        frozenset({"action"}),
        control=False,
        personas=frozenset(RESTRICTED_PERSONAS),
    ),
    ContentRoute(
        "api: restricted action's progress notes",
        lambda s: f"/api/plan-actions/{s.ids['restricted_action']}/progress-notes/",
        frozenset({"progress"}),
        control=False,
        personas=frozenset(RESTRICTED_PERSONAS),
    ),
    ContentRoute("api: reviews", lambda s: f"/api/families/{_ref(s)}/reviews/", control=False),
    ContentRoute(
        "api: review",
        lambda s: f"/api/families/{_ref(s)}/reviews/{s.ids['review']}/",
        frozenset({"rating"}),
    ),
    ContentRoute(
        "api: agreements", lambda s: f"/api/families/{_ref(s)}/agreements/", control=False
    ),
    ContentRoute(
        "api: case notes",
        lambda s: f"/api/families/{_ref(s)}/notes/",
        frozenset({"note"}),
        control=False,
    ),
    ContentRoute(
        "api: chronology",
        lambda s: f"/api/families/{_ref(s)}/chronology/",
        frozenset({"note", "goal_edit"}),
    ),
    ContentRoute(
        "api: my actions",
        lambda s: "/api/my-actions/",
        control=False,
        personas=CASE_WORKERS,
    ),
    ContentRoute(
        "api: my families",
        lambda s: "/api/my-families/",
        control=False,
        personas=CASE_WORKERS | {"coordinator", "other_coordinator"},
    ),
    ContentRoute(
        "api: search",
        lambda s: "/api/search/?q=Ashby",
        control=False,
        personas=frozenset(PERSONAS) - {"anonymous", "sysadmin"},
    ),
    ContentRoute(
        "api: families",
        lambda s: "/api/families/",
        control=False,
        personas=frozenset(PERSONAS) - {"anonymous", "sysadmin"},
    ),
    # The LCG grant statement names families by reference only, never case content.
    ContentRoute(
        "page: lcg grant statement",
        lambda s: _r("lcgs:lcg-money-lcg", s.world.winchester.pk),
        control=False,
        personas=frozenset({"coordinator", "programme_manager"}),
    ),
    ContentRoute(
        "api: lcg grant statement",
        lambda s: f"/api/lcg-grant-statement/{s.world.winchester.pk}/",
        control=False,
        personas=frozenset({"coordinator", "programme_manager"}),
    ),
    # Household records (families.household): the address through the one rule.
    ContentRoute(
        "page: household",
        lambda s: _r("families:household", _ref(s)),
        frozenset({"address"}),
        False,
    ),
    ContentRoute(
        "page: family changes",
        lambda s: _r("families:changes", _ref(s)),
        frozenset({"address"}),
        False,
    ),
    ContentRoute(
        "api: family address",
        lambda s: f"/api/families/{_ref(s)}/address/",
        frozenset({"address"}),
        False,
    ),
    ContentRoute(
        "api: family changes",
        lambda s: f"/api/families/{_ref(s)}/changes/",
        frozenset({"address"}),
        False,
    ),
    *[
        ContentRoute(
            f"page: {name}",
            lambda s, name=name: _r(f"families:{name}", _ref(s)),
            frozenset({"address"}),
            control=False,
            personas=frozenset({"keyworker", "coordinator"}),
        )
        for name in ("address-change", "address-correct", "address-protection")
    ],
    # The LCG caseload list names problems by their kind, never a need's own words; the
    # restricted kinds only to the LCG's coordinators.
    ContentRoute(
        "page: lcg caseload list",
        lambda s: _r("lcgs:caseload-list"),
        control=False,
        personas=frozenset({"coordinator", "other_coordinator", "programme_manager"}),
    ),
    ContentRoute(
        "api: lcg caseload",
        lambda s: "/api/caseload/",
        control=False,
        personas=frozenset({"coordinator", "other_coordinator", "programme_manager"}),
    ),
]


def seed(world: World) -> Seeded:
    """own_family's plan with restricted content in every place it can live, the police
    on the team, and the school practitioner holding break-glass access."""
    family = world.own_family
    actor = world.keyworker.user
    lawful_basis_record(
        actor=actor,
        family=family,
        kind=LawfulBasisKind.STATUTORY_GATEWAY,
        gateway="Children Act 1989 section 47",
        given_on=timezone.localdate(),
    )
    address = family.address
    assert address is not None
    address.line_1 = f"1 {CANARIES['address']} Road"
    address.is_protected = True
    address.save()
    jordan = family.memberships.get().person
    plan = plan_get_or_create(actor=actor, family=family)
    education = need_create(actor=actor, plan=plan, kind="education", label="School attendance")
    abuse = need_create(
        actor=actor,
        plan=plan,
        kind="domestic_abuse",
        label=CANARIES["need"],
        detail=CANARIES["need_detail"],
    )
    goal = goal_create(actor=actor, plan=plan, title=CONTROL, needs=[education])
    restricted_goal = goal_create(actor=actor, plan=plan, title=CANARIES["goal"], needs=[abuse])
    due = timezone.localdate() + datetime.timedelta(days=14)
    ordinary_action = action_create(
        actor=actor,
        goal=goal,
        description="Walk to the school gate",
        owner=ActionOwner.AGENCY,
        agency=world.police,
        due_on=due,
    )
    restricted_action = action_create(
        actor=actor,
        goal=restricted_goal,
        description=CANARIES["action"],
        owner=ActionOwner.AGENCY,
        agency=world.police,
        due_on=due,
    )
    action_progress_note_add(actor=actor, action=restricted_action, text=CANARIES["progress"])
    plan.refresh_from_db()
    before_edit = plan.version
    restricted_goal.refresh_from_db()
    goal_update(
        actor=actor,
        goal=restricted_goal,
        expected_version=restricted_goal.version,
        title=CANARIES["goal_edit"],
        description="",
        status=restricted_goal.status,
        needs=[abuse],
        members=[],
    )
    plan.refresh_from_db()
    after_edit = plan.version
    review = review_record(
        actor=actor,
        plan=plan,
        held_on=timezone.localdate(),
        summary="The team met at school",
        ratings=[
            GoalRatingInput(goal.pk, "some_progress", "Going most days"),
            GoalRatingInput(restricted_goal.pk, "some_progress", CANARIES["rating"]),
        ],
    )
    plan.refresh_from_db()
    agreement_record(
        actor=actor,
        plan=plan,
        agreed_on=timezone.localdate(),
        signed_by_ids=[jordan.pk],
        method="verbal",
    )
    # After the agreement both actions move: what changed since the family agreed the
    # plan (plan page, agreement page, print, API) names the restricted one only to
    # those who may see it. The ordinary one last, so the latest version is not a
    # restricted change (which only the restricted personas may open).
    for moved in (restricted_action, ordinary_action):
        moved.refresh_from_db()
        action_update(
            actor=actor,
            action=moved,
            expected_version=moved.version,
            due_on=due + datetime.timedelta(days=7),
        )
    case_note_add(actor=actor, family=family, text=CANARIES["note"], is_restricted=True)
    case_note_add(actor=actor, family=family, text="Ordinary note about the visit")
    now = timezone.now()
    BreakGlassAccess.objects.create(
        family=family,
        user=world.other_practitioner.user,
        reason="Police called about a child at risk tonight",
        started_at=now,
        expires_at=now + datetime.timedelta(hours=24),
    )
    grants_sync(actor=world.other_practitioner.user, family_ids=[family.pk], why="Break glass")
    # Restricted evidence from an agency whose name is the canary, assessed: the finding
    # names the agency beside it.
    evidence_add(
        jordan,
        "domestic_abuse",
        timezone.localdate() - datetime.timedelta(days=40),
        agency_code=CANARIES["evidence"],
        role="victim",
        marac=True,
    )
    assessment_families_run(
        actor=system_actor(), family_ids=[family.pk], as_of=timezone.localdate()
    )
    # Taken onto the programme today: its results judge the restricted need too.
    family_attach(
        actor=system_actor(),
        family=family,
        framework=framework_for_family(family),
        attached_on=timezone.localdate(),
    )
    # The lead practitioner records the outcome of the restricted need, with a reason.
    recorded_outcome_record(
        actor=world.keyworker.user,
        family=family,
        need_code="domestic_abuse",
        positive=True,
        reason=f"Safety plan in place and working: {CANARIES['recorded']}",
    )
    plan.refresh_from_db()
    return Seeded(
        world=world,
        ids={
            "restricted_need": abuse.pk,
            "restricted_goal": restricted_goal.pk,
            "restricted_action": restricted_action.pk,
            "review": review.pk,
            "before_edit": before_edit,
            "after_edit": after_edit,
        },
        version=plan.version,
    )


def _body(route: ContentRoute, response: HttpResponse) -> str:
    content: bytes = response.content
    if route.pdf and response.status_code == 200:
        return pdf_text(content)
    text = content.decode("utf-8", "replace")
    if response.get("Content-Type", "").startswith("application/json"):
        # JSON escapes nothing in the canaries, but normalise anyway.
        text = json.dumps(json.loads(text))
    return text


def check_route(seeded: Seeded, persona: str, route: ContentRoute, client: Client) -> list[str]:
    """What is wrong with one persona's view of one route (empty when it is right)."""
    problems: list[str] = []
    response = client.get(route.url(seeded), HTTP_ACCEPT="text/html,application/json")
    allowed_page = route.personas if route.personas is not None else SEES_FAMILY
    expect_ok = persona in allowed_page
    if expect_ok and response.status_code != 200:
        problems.append(f"{route.name}: expected 200, got {response.status_code}")
        return problems
    if not expect_ok and response.status_code == 200 and route.personas is not None:
        problems.append(f"{route.name}: expected a refusal, got 200")
    body = _body(route, response)
    found = sorted(key for key, text in CANARIES.items() if text in body)
    may_see = persona in RESTRICTED_PERSONAS and not route.printed
    if found and not may_see:
        problems.append(f"{route.name}: restricted canaries shown: {', '.join(found)}")
    if may_see and response.status_code == 200:
        missing = sorted(route.shows - set(found))
        if missing:
            problems.append(f"{route.name}: allowed persona does not see {', '.join(missing)}")
    if route.control and response.status_code == 200 and CONTROL not in body:
        problems.append(f"{route.name}: ordinary content missing (control text)")
    return problems


@pytest.fixture(scope="module")
def seeded_once(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[Seeded]:
    # Seeded once for every persona: each test runs in a savepoint rolled back at its end.
    yield from built_once(django_db_blocker, lambda: seed(build_world()))


@pytest.fixture
def seeded(request: pytest.FixtureRequest, seeded_once: Seeded, db: None) -> Seeded:
    return shared_data(request, seeded_once)


@pytest.mark.parametrize("persona", PERSONAS)
def test_restricted_content_only_for_personas_allowed_to_see_it(
    seeded: Seeded, persona: str
) -> None:
    client = Client() if persona == "anonymous" else client_for(getattr(seeded.world, persona))
    problems: list[str] = []
    for route in CONTENT_ROUTES:
        problems += check_route(seeded, persona, route, client)
    assert not problems, f"{persona}:\n" + "\n".join(problems)


# Routes about one family that are not in CONTENT_ROUTES, and why. A new family route
# fails the test below until it is listed in one or the other.
NOT_CONTENT = {
    "families:transition": "a status form: shows the family's reference and statuses only",
    "families:access": "why the viewer can see the family: grants, no case content",
    "families:team": "agencies on the team and lawful bases, no case content",
    "families:team-remove": "a form that removes an agency",
    "families:lawful-basis-add": "a form that records a lawful basis",
    "families:consent-withdraw": "a form that withdraws consent",
    "families:viewers": "who viewed the family: access events, no case content",
    "families:grant-ledger": "every grant on the family and who viewed it: no case content",
    "family-grant-ledger-list": "every grant on the family (API): no case content",
    "outcomes:costs-avoided-family": "service use priced from evidence: restricted kinds "
    "(domestic abuse, health) are never counted, so none is shown",
    "costs-avoided-families-detail": "the same breakdown through the API: no restricted kinds",
    "lcgs:retention-hold-new": "a data protection officer's legal hold form: the family's "
    "reference and members' names, no case content",
    "plans:plan-start": "a form that starts the plan",
    "plans:plan-voice": "the family's voice is never restricted",
    "plans:need-add": "a form that adds a need",
    "plans:goal-add": "a form that adds a goal",
    "plans:action-add": "a form that adds an action under a goal (404 for a hidden goal)",
    "plans:review-create": "the review form: only those who record reviews, all inside the rule",
    "family-transition": "a status change",
    "lcgs:nomination-create": "a nomination form",
    "lcgs:screening-decide": "the screening decision form",
    "screening-detail": "screening: eligibility summary, restricted findings withheld",
    "screening-decide": "the screening decision",
    "lcgs:family-allocate": "the allocation form: status, LCG, lead agencies, key workers "
    "and their caseload counts; no case content",
    "family-allocation-list": "allocates (POST only): answers the family's new lead",
    "families:member-find": "finding a person to add: names and dates of birth, no case content",
    "families:member-add-new": "a form that adds a new person to the household",
    "families:member-add-existing": "a form that adds a known person to the household",
    "families:membership-end": "a form that records someone leaving the household",
    "families:membership-role": "a form that changes a member's role",
    "families:person-correct": "a form that corrects a person's details (no address)",
    "families:person-changes": "a person's details and membership history (no address)",
    "family-household-list": "household members: names, dates of birth, roles",
    "family-household-detail": "one household member",
    "family-person-detail": "one person's details (no address)",
    "family-person-changes": "one person's history (no address)",
    "family-address-correct": "corrects the address (POST only)",
    "family-address-protection": "protects the address (POST only)",
    "lcgs:intensive-nominate": "the intensive support nomination form: providers' places, "
    "the family's earlier nominations; no case content",
}


def test_every_family_route_is_in_the_content_matrix(seeded: Seeded) -> None:
    from django.urls import URLPattern, URLResolver, get_resolver, resolve

    def names(patterns: list[object], namespace: str = "") -> set[tuple[str, str]]:
        found: set[tuple[str, str]] = set()
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                found |= {
                    (name, f"{entry.pattern}{route}")
                    for name, route in names(entry.url_patterns, inner)
                }
            elif isinstance(entry, URLPattern) and entry.name:
                found.add((f"{namespace}{entry.name}", str(entry.pattern)))
        return found

    family_routes = {
        name
        for name, route in names(get_resolver().url_patterns)
        if "reference" in route and "format" not in route
    }
    covered = {resolve(route.url(seeded).split("?")[0]).view_name for route in CONTENT_ROUTES}

    assert {"plans:plan", "plan-detail", "family-chronology-list"} <= family_routes
    missing = sorted(family_routes - covered - set(NOT_CONTENT))
    assert not missing, f"family routes in neither CONTENT_ROUTES nor NOT_CONTENT: {missing}"
