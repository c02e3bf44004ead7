"""The caseload's authorisation table, asked by tests/test_permission_matrix.py.

The LCG dashboard, the caseload list and its export, pages and API: LCG coordinators
(their LCGs' families) and programme managers (every family) only; everyone else 403,
and signed out the sign-in page (403 from the API). Another LCG is not a filter a
coordinator may choose (400). Every denied request starts no job and changes no family.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from conftest import World, build_world
from families.models import Family, FamilyStatusChange
from oneplan.models import Job
from tests.matrix import PERSONAS, RouteCase, Table

SIGN_IN = 302
SEES = ("coordinator", "other_coordinator", "programme_manager")


def _answers(ok: int, *, anonymous: int = SIGN_IN, **special: int) -> dict[str, int]:
    answers = dict.fromkeys(PERSONAS, 403)
    answers |= dict.fromkeys(SEES, ok)
    return answers | {"anonymous": anonymous} | special


@dataclass
class CaseloadMatrixWorld:
    world: World


def _snapshot(w: CaseloadMatrixWorld) -> tuple[Any, ...]:
    return (
        sorted(Family.objects.values_list("pk", "status", "lead_professional_id", "track")),
        FamilyStatusChange.objects.count(),
        sorted(Job.objects.values_list("pk", "status")),
    )


def _havant(w: CaseloadMatrixWorld) -> str:
    return f"{reverse('lcgs:caseload-list')}?lcg={w.world.havant.pk}"


CASELOAD = Table(
    name="lcg caseload",
    build=lambda: CaseloadMatrixWorld(build_world()),
    snapshot=_snapshot,
    cases=[
        RouteCase(
            "caseload-dashboard",
            "get",
            lambda w: reverse("lcgs:caseload-dashboard"),
            _answers(200),
        ),
        RouteCase("caseload-list", "get", lambda w: reverse("lcgs:caseload-list"), _answers(200)),
        # Havant is the other coordinator's LCG: not a choice for Winchester's.
        RouteCase("caseload-list-havant", "get", _havant, _answers(200, coordinator=400)),
        RouteCase(
            "caseload-export",
            "post",
            lambda w: reverse("lcgs:caseload-export"),
            _answers(302),
            lambda w: {"format": "csv", "status": "open"},
        ),
        RouteCase(
            "caseload-export",
            "get",
            lambda w: reverse("lcgs:caseload-export"),
            {**dict.fromkeys(PERSONAS, 405), "anonymous": SIGN_IN},
        ),
        RouteCase(
            "api-lcg-dashboard",
            "get",
            lambda w: "/api/lcg-dashboard/",
            _answers(200, anonymous=403),
        ),
        RouteCase("api-caseload", "get", lambda w: "/api/caseload/", _answers(200, anonymous=403)),
        RouteCase(
            "api-caseload-havant",
            "get",
            lambda w: f"/api/caseload/?lcg={w.world.havant.pk}",
            _answers(200, anonymous=403, coordinator=400),
        ),
        RouteCase(
            "api-caseload-exports",
            "post",
            lambda w: "/api/caseload/exports/",
            _answers(202, anonymous=403),
            lambda w: {"format": "xlsx", "filters": {"status": "open"}},
            json=True,
        ),
    ],
)

TABLES = [CASELOAD]
