"""The permission matrix: every role x every route x (own / other agency's / other LCG's
family), with the expected answer; on every denial, nothing changed.

Kept as data so later issues add their routes and rules here.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse

from agencies.services import system_actor
from conftest import World, build_world, client_for
from families import services
from families.grants_models import BreakGlassAccess, Grant, LawfulBasis, TeamMember
from families.models import Family, FamilyStatusChange

PERSONAS = [
    "anonymous",
    "keyworker",
    "other_keyworker",
    "practitioner",
    "other_practitioner",
    "coordinator",
    "other_coordinator",
    "programme_manager",
    "auditor",
    "dpo",
    "sysadmin",
]
# own: led by "keyworker" in Winchester; other_agency: led by the school in Havant;
# unassigned: outside every LCG, led by nobody.
FAMILIES = {
    "own": "own_family",
    "other_agency": "other_lcg_family",
    "unassigned": "unassigned_family",
}

SEES = {
    "keyworker": {"own"},
    "other_practitioner": {"other_agency"},
    "coordinator": {"own"},
    "other_coordinator": {"other_agency"},
    "programme_manager": set(FAMILIES),
    "auditor": set(FAMILIES),
    "dpo": set(FAMILIES),
}
CHANGES = {
    "keyworker": {"own"},
    "coordinator": {"own"},
    "other_coordinator": {"other_agency"},
    "programme_manager": set(FAMILIES),
}
MANAGES_TEAM = {"keyworker": {"own"}, "coordinator": {"own"}, "other_coordinator": {"other_agency"}}
SEES_VIEWERS = {"coordinator": {"own"}, "other_coordinator": {"other_agency"}, "dpo": set(FAMILIES)}
NO_CASE_ROLE = {"sysadmin"}


def family_rule(allowed: dict[str, set[str]], ok: int) -> Callable[[str, str], int]:
    """Expected status: anonymous signs in, no case role 403, unseen 404, seen but not
    allowed 403, allowed ``ok``."""

    def expect(persona: str, family: str) -> int:
        if persona == "anonymous":
            return 302
        if persona in NO_CASE_ROLE:
            return 403
        if family not in SEES.get(persona, set()):
            return 404
        return ok if family in allowed.get(persona, set()) else 403

    return expect


@dataclass(frozen=True)
class FamilyRoute:
    name: str
    method: str
    expect: Callable[[str, str], int]
    data: Callable[[World], dict[str, object]] = lambda w: {}


FAMILY_ROUTES = [
    FamilyRoute("families:detail", "get", family_rule(SEES, 200)),
    FamilyRoute("families:access", "get", family_rule(SEES, 200)),
    FamilyRoute("families:team", "get", family_rule(SEES, 200)),
    FamilyRoute("families:viewers", "get", family_rule(SEES_VIEWERS, 200)),
    FamilyRoute("families:lawful-basis-add", "get", family_rule(MANAGES_TEAM, 200)),
    FamilyRoute(
        "families:transition",
        "post",
        family_rule(CHANGES, 302),
        lambda w: {"to_status": "screened", "reason": "Screened at the LCG"},
    ),
    FamilyRoute(
        "families:team",
        "post",
        family_rule(MANAGES_TEAM, 302),
        lambda w: {"agency": w.police.pk},
    ),
    FamilyRoute(
        "families:lawful-basis-add",
        "post",
        family_rule(MANAGES_TEAM, 302),
        lambda w: {
            "kind": "statutory_gateway",
            "gateway": "Children Act 1989 section 17",
            "given_on_day": "1",
            "given_on_month": "2",
            "given_on_year": "2026",
        },
    ),
]


def _staff_rule(allowed: set[str], ok: int) -> Callable[[str], int]:
    def expect(persona: str) -> int:
        if persona == "anonymous":
            return 302
        return ok if persona in allowed else 403

    return expect


CASE_PERSONAS = set(PERSONAS) - {"anonymous", "sysadmin"}

# name, method, expected by persona, form data
OTHER_ROUTES: list[tuple[str, str, Callable[[str], int], dict[str, object]]] = [
    ("families:list", "get", _staff_rule(CASE_PERSONAS, 200), {}),
    ("families:overview", "get", _staff_rule(CASE_PERSONAS, 200), {}),
    (
        "families:export",
        "post",
        _staff_rule({"coordinator", "other_coordinator", "programme_manager"}, 302),
        {"idempotency_key": "matrix"},
    ),
    (
        "families:break-glass",
        "get",
        _staff_rule(
            {
                "keyworker",
                "other_keyworker",
                "practitioner",
                "other_practitioner",
                "coordinator",
                "other_coordinator",
            },
            200,
        ),
        {},
    ),
    ("families:break-glass-review-list", "get", _staff_rule({"dpo"}, 200), {}),
    ("audit:user-activity", "get", _staff_rule({"dpo"}, 200), {}),
    # Everyone signed in manages their own API tokens; the DPO sees and revokes anyone's.
    ("tokens:list", "get", _staff_rule(set(PERSONAS) - {"anonymous"}, 200), {}),
    ("tokens:all", "get", _staff_rule({"dpo"}, 200), {}),
]


def _snapshot() -> tuple[object, ...]:
    return (
        sorted(Family.objects.values_list("pk", "status", "lead_professional_id")),
        FamilyStatusChange.objects.count(),
        sorted(TeamMember.objects.values_list("pk", "removed_at")),
        LawfulBasis.objects.count(),
        sorted(Grant.objects.values_list("pk", "ended_at")),
    )


@pytest.fixture
def matrix_world(db: None) -> World:
    world = build_world()
    # Every family has a lawful basis, so an allowed "add to team" succeeds.
    for name in FAMILIES.values():
        family = getattr(world, name)
        services.lawful_basis_record(
            actor=system_actor(),
            family=family,
            kind="statutory_gateway",
            gateway="Children Act 1989 section 47",
            given_on=datetime.date(2026, 1, 1),
        )
    return world


def _client(world: World, persona: str) -> Client:
    return Client() if persona == "anonymous" else client_for(getattr(world, persona))


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("family_key", list(FAMILIES))
@pytest.mark.parametrize("route", FAMILY_ROUTES, ids=lambda r: f"{r.method}-{r.name}")
def test_family_routes(
    matrix_world: World, persona: str, family_key: str, route: FamilyRoute
) -> None:
    family = getattr(matrix_world, FAMILIES[family_key])
    client = _client(matrix_world, persona)
    url = reverse(route.name, args=[family.reference])
    expected = route.expect(persona, family_key)
    before = _snapshot()

    if route.method == "get":
        response = client.get(url)
    else:
        response = client.post(url, route.data(matrix_world))

    assert response.status_code == expected, response.content[:400]
    if expected == 302 and persona == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    if (route.method == "post" and expected != 302) or persona == "anonymous":
        assert _snapshot() == before


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("route", OTHER_ROUTES, ids=lambda r: f"{r[1]}-{r[0]}")
def test_other_routes(
    matrix_world: World,
    persona: str,
    route: tuple[str, str, Callable[[str], int], dict[str, object]],
) -> None:
    name, method, expect, data = route
    from oneplan.models import Job

    client = _client(matrix_world, persona)
    jobs_before = Job.objects.count()
    response = client.get(reverse(name)) if method == "get" else client.post(reverse(name), data)
    assert response.status_code == expect(persona)
    if expect(persona) != 302 or persona == "anonymous":
        assert Job.objects.count() == jobs_before


def test_matrix_size_is_reported() -> None:
    # Printed so the size appears in the test log and the closing note can quote it.
    cases = len(PERSONAS) * (len(FAMILY_ROUTES) * len(FAMILIES) + len(OTHER_ROUTES))
    print(f"permission matrix: {cases} cases")
    assert cases == len(PERSONAS) * (len(FAMILY_ROUTES) * 3 + len(OTHER_ROUTES))


BREAKS_GLASS = {
    "keyworker",
    "other_keyworker",
    "practitioner",
    "other_practitioner",
    "coordinator",
    "other_coordinator",
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_break_glass_api(matrix_world: World, persona: str) -> None:
    """Case workers and coordinators may open emergency access to a family outside their
    scope; everyone else is refused (the API answers 403 to anonymous requests too) and
    nothing is opened."""
    client = _client(matrix_world, persona)
    before = (_snapshot(), BreakGlassAccess.objects.count())

    response = client.post(
        "/api/break-glass/",
        {
            "reference": matrix_world.unassigned_family.reference,
            "category": "risk_to_child",
            "reason": "Police called about a child left alone at the address tonight",
        },
    )

    if persona in BREAKS_GLASS:
        assert response.status_code == 201, response.content[:400]
        assert BreakGlassAccess.objects.count() == before[1] + 1
    else:
        assert response.status_code == 403
        assert (_snapshot(), BreakGlassAccess.objects.count()) == before
