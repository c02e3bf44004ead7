"""The permission matrix: every role x every route x (own / other agency's / other LCG's
family), with the expected answer; on every denial, nothing changed.

Kept as data so later issues add their routes and rules here: the family routes below,
and each app's own pages and API routes in its table (``<app>/tests/matrix.py``, listed
in ``APP_TABLES``). Each world is built once and shared by its cases; every case runs in
a savepoint of its own, rolled back when it ends, so a case that writes leaves the world
as it found it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoDbBlocker

from agencies.services import system_actor
from agencies.tests import matrix as agencies_matrix
from audit.tests import matrix_subject_access as subject_access_matrix
from conftest import World, build_world, built_once, client_for, shared_data
from families.access import services
from families.grants_models import BreakGlassAccess, Grant, LawfulBasis, TeamMember
from families.models import Family, FamilyStatusChange
from families.tests import matrix_household as household_matrix
from families.tests import matrix_ledger as ledger_matrix
from lcgs.tests import matrix as lcgs_matrix
from lcgs.tests import matrix_allocation as allocation_matrix
from lcgs.tests import matrix_caseload as caseload_matrix
from lcgs.tests import matrix_intensive as intensive_matrix
from lcgs.tests import matrix_meetings as meetings_matrix
from lcgs.tests import matrix_money as money_matrix
from lcgs.tests import matrix_retention as retention_matrix
from oneplan.models import Job
from outcomes.tests import matrix as outcomes_matrix
from outcomes.tests import matrix_costs as costs_matrix
from outcomes.tests import matrix_reporting as reporting_matrix
from plans.tests import matrix as plans_matrix
from plans.tests import matrix_api as plans_api_matrix
from tests import site_matrix
from tests.matrix import PERSONAS, RouteCase, Table

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
    "senior_officer": set(FAMILIES),
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
        lambda w: {"to_status": "declined", "reason": "The family said no at the first visit"},
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


def build_matrix_world() -> World:
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


@pytest.fixture(scope="class")
def shared_world(
    request: pytest.FixtureRequest, django_db_setup: None, django_db_blocker: DjangoDbBlocker
) -> Iterator[Any]:
    """The world of the test class (``build``), built once for all of its cases."""
    yield from built_once(django_db_blocker, request.cls.build)


@pytest.fixture
def matrix_world(request: pytest.FixtureRequest, shared_world: Any, db: None) -> Any:
    return shared_data(request, shared_world)


def _client(world: World, persona: str) -> Client:
    return Client() if persona == "anonymous" else client_for(getattr(world, persona))


BREAKS_GLASS = {
    "keyworker",
    "other_keyworker",
    "practitioner",
    "other_practitioner",
    "coordinator",
    "other_coordinator",
}


# Run in parallel, each world's cases keep to one process, so it is built once.
@pytest.mark.xdist_group("permission-matrix-family-routes")
class TestFamilyRoutes:
    """The family pages, the pages about no one family, and break glass: one world."""

    build = staticmethod(build_matrix_world)

    @pytest.mark.parametrize("persona", PERSONAS)
    @pytest.mark.parametrize("family_key", list(FAMILIES))
    @pytest.mark.parametrize("route", FAMILY_ROUTES, ids=lambda r: f"{r.method}-{r.name}")
    def test_family_routes(
        self, matrix_world: World, persona: str, family_key: str, route: FamilyRoute
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
        self,
        matrix_world: World,
        persona: str,
        route: tuple[str, str, Callable[[str], int], dict[str, object]],
    ) -> None:
        name, method, expect, data = route
        client = _client(matrix_world, persona)
        jobs_before = Job.objects.count()
        response = (
            client.get(reverse(name)) if method == "get" else client.post(reverse(name), data)
        )
        assert response.status_code == expect(persona)
        if expect(persona) != 302 or persona == "anonymous":
            assert Job.objects.count() == jobs_before

    @pytest.mark.parametrize("persona", PERSONAS)
    def test_break_glass_api(self, matrix_world: World, persona: str) -> None:
        """Case workers and coordinators may open emergency access to a family outside
        their scope; everyone else is refused (the API answers 403 to anonymous requests
        too) and nothing is opened."""
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


# --- The apps' tables ---------------------------------------------------------------

APP_TABLES: list[Table] = [
    *agencies_matrix.TABLES,
    *plans_matrix.TABLES,
    *plans_api_matrix.TABLES,
    *outcomes_matrix.TABLES,
    *costs_matrix.TABLES,
    *reporting_matrix.TABLES,
    *lcgs_matrix.TABLES,
    *allocation_matrix.TABLES,
    *intensive_matrix.TABLES,
    *caseload_matrix.TABLES,
    *meetings_matrix.TABLES,
    *money_matrix.TABLES,
    *retention_matrix.TABLES,
    *household_matrix.TABLES,
    *site_matrix.TABLES,
    *ledger_matrix.TABLES,
    *subject_access_matrix.TABLES,
]
DENIED = {400, 401, 403, 404, 405, 409, 412, 428}


def _app_cases(table: Table) -> list[Any]:
    for case in table.cases:
        unknown = set(case.expect) - set(PERSONAS)
        assert not unknown, f"{table.name}, {case.id}: no such persona {sorted(unknown)}"
    return [
        pytest.param(persona, case, id=f"{persona}-{case.id}")
        for case in table.cases
        for persona in PERSONAS
        if persona in case.expect
    ]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    table = getattr(metafunc.cls, "table", None)
    if table is not None:
        metafunc.parametrize(("persona", "case"), _app_cases(table))


class AppTableCases:
    """Asks each row of ``table`` as every persona it names, in the table's world."""

    table: ClassVar[Table]

    @classmethod
    def build(cls) -> Any:
        return cls.table.build()

    def test_each_persona_gets_the_answer_in_the_table(
        self, matrix_world: Any, persona: str, case: RouteCase
    ) -> None:
        world: World = matrix_world.world
        client = _client(world, persona)
        url = case.url(matrix_world)
        expected = case.expect[persona]
        before = self.table.snapshot(matrix_world)

        if case.method == "get":
            response = client.get(url)
        elif case.json:
            response = getattr(client, case.method)(
                url, case.data(matrix_world), content_type="application/json"
            )
        else:
            response = getattr(client, case.method)(url, case.data(matrix_world))

        assert response.status_code == expected, response.content[:400]
        if expected == 302 and persona == "anonymous":
            assert response["Location"].startswith(reverse("login"))
        if expected in DENIED or persona == "anonymous":
            assert self.table.snapshot(matrix_world) == before


# One test class per table, named for it (``TestPlanPages`` for "plan pages"), its cases
# kept to one process when run in parallel.
for _table in APP_TABLES:
    _name = "Test" + "".join(word.capitalize() for word in _table.name.split())
    globals()[_name] = type(
        _name,
        (AppTableCases,),
        {
            "table": _table,
            "pytestmark": [pytest.mark.xdist_group(f"permission-matrix-{_table.name}")],
            "__module__": __name__,
        },
    )


def matrix_size() -> tuple[int, int]:
    """(cases, routes) of the whole matrix, for the summary at the end of a test run."""
    family = len(PERSONAS) * (len(FAMILY_ROUTES) * len(FAMILIES) + len(OTHER_ROUTES) + 1)
    apps = sum(len(_app_cases(table)) for table in APP_TABLES)
    routes = len(FAMILY_ROUTES) + len(OTHER_ROUTES) + 1
    routes += sum(len(table.cases) for table in APP_TABLES)
    return family + apps, routes


# --- API tokens: each person's own, and the DPO's revocation of anyone's -------------


def _token_of(staff: Any) -> int:
    """A live API token of ``staff``'s, issued as the token endpoint would."""
    from agencies.api_tokens import api_token_issue
    from oneplan.models import ApiToken

    api_token_issue(actor=staff.user, user=staff.user)
    return ApiToken.objects.filter(user=staff.user).latest("created").pk


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("route", ["revoke", "dpo-revoke", "dpo-revoke-user"])
def test_token_revocation_routes(persona: str, route: str) -> None:
    """Revoking the keyworker's token: the keyworker may revoke their own; the data
    protection officer may revoke any token, or all of a user's; everyone else is refused
    (someone else's token is 404 on the owner's route) and every token still works."""
    from oneplan.models import ApiToken

    world = build_world()
    token_id = _token_of(world.keyworker)
    client = _client(world, persona)
    url = {
        "revoke": reverse("tokens:revoke", args=[token_id]),
        "dpo-revoke": reverse("tokens:dpo-revoke", args=[token_id]),
        "dpo-revoke-user": reverse("tokens:dpo-revoke-user", args=[world.keyworker.user_id]),
    }[route]

    response = client.post(url)

    allowed = {"keyworker"} if route == "revoke" else {"dpo"}
    if persona in allowed:
        assert response.status_code == 302
        assert not ApiToken.objects.filter(pk=token_id).exists()
        return
    if persona == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == (404 if route == "revoke" else 403)
    assert ApiToken.objects.filter(pk=token_id).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_own_tokens_api(persona: str) -> None:
    """``/api/auth/tokens/`` lists only the caller's own tokens; anonymous gets 403."""
    world = build_world()
    token_id = _token_of(world.keyworker)
    client = _client(world, persona)

    response = client.get("/api/auth/tokens/")

    if persona == "anonymous":
        assert response.status_code == 403
        return
    assert response.status_code == 200
    listed = {row["id"] for row in response.json()["results"]}
    assert (token_id in listed) is (persona == "keyworker")
