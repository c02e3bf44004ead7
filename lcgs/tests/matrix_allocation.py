"""Allocation's authorisation table, asked by tests/test_permission_matrix.py.

The page and API that allocate a family (or hand it over) answer the coordinators of the
family's LCG and programme managers; anyone else who sees the family gets 403, anyone who
does not 404, the same as for a family that does not exist. Key workers' caseloads are
for those who allocate. Every denied request changes nothing (``_snapshot``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from conftest import World, build_world
from families.models import Family, FamilyStatusChange, Grant, LeadAssignment
from families.states import FamilyStatus
from tests.matrix import PERSONAS, RouteCase, Table

SIGN_IN = 302

# Who sees each family in the personas' world (conftest.build_world).
SEES_OWN = {"keyworker", "coordinator", "programme_manager", "auditor", "senior_officer", "dpo"}
SEES_OTHER = {
    "other_practitioner",
    "other_coordinator",
    "programme_manager",
    "auditor",
    "senior_officer",
    "dpo",
}
ALLOCATES_OWN = {"coordinator", "programme_manager"}
ALLOCATES_OTHER = {"other_coordinator", "programme_manager"}


def _rule(sees: set[str], allowed: set[str], ok: int, *, anonymous: int) -> dict[str, int]:
    """Not signed in: ``anonymous``; no case role: 403; outside scope: 404; sees the
    family but does not allocate: 403; allowed: ``ok``."""
    answers = {"anonymous": anonymous, "sysadmin": 403}
    for persona in PERSONAS:
        if persona in answers:
            continue
        answers[persona] = (ok if persona in allowed else 403) if persona in sees else 404
    return answers


@dataclass
class AllocationMatrixWorld:
    world: World


def _build() -> AllocationMatrixWorld:
    """The personas' world with its two LCG families screened, waiting to be allocated."""
    world = build_world()
    Family.objects.filter(pk__in=[world.own_family.pk, world.other_lcg_family.pk]).update(
        status=FamilyStatus.SCREENED
    )
    return AllocationMatrixWorld(world=world)


def _snapshot(w: AllocationMatrixWorld) -> tuple[object, ...]:
    return (
        sorted(
            Family.objects.values_list(
                "pk", "status", "track", "lead_agency_id", "lead_professional_id"
            )
        ),
        FamilyStatusChange.objects.count(),
        sorted(LeadAssignment.objects.values_list("pk", "ended_at")),
        sorted(Grant.objects.values_list("pk", "ended_at")),
    )


def _page(family: str) -> Any:
    return lambda w: reverse("lcgs:family-allocate", args=[getattr(w.world, family).reference])


def _api(family: str) -> Any:
    return lambda w: f"/api/families/{getattr(w.world, family).reference}/allocation/"


def _form(w: AllocationMatrixWorld) -> dict[str, Any]:
    return {
        "track": "local",
        "lead_agency": str(w.world.council.pk),
        "lead_professional": str(w.world.other_keyworker.pk),
        "reason": "Agreed at the LCG meeting",
    }


def _payload(w: AllocationMatrixWorld) -> dict[str, Any]:
    return {
        "track": "local",
        "lead_agency": w.world.council.code,
        "lead_professional": w.world.other_keyworker.user.username,
        "reason": "Agreed at the LCG meeting",
    }


ALLOCATORS = {"coordinator", "other_coordinator", "programme_manager"}

ALLOCATION = Table(
    name="allocation",
    build=_build,
    snapshot=_snapshot,
    cases=[
        RouteCase(
            "family-allocate",
            "get",
            _page("own_family"),
            _rule(SEES_OWN, ALLOCATES_OWN, 200, anonymous=SIGN_IN),
        ),
        RouteCase(
            "family-allocate",
            "post",
            _page("own_family"),
            _rule(SEES_OWN, ALLOCATES_OWN, 302, anonymous=SIGN_IN),
            _form,
        ),
        RouteCase(
            "other-lcg-family-allocate",
            "get",
            _page("other_lcg_family"),
            _rule(SEES_OTHER, ALLOCATES_OTHER, 200, anonymous=SIGN_IN),
        ),
        RouteCase(
            "other-lcg-family-allocate",
            "post",
            _page("other_lcg_family"),
            _rule(SEES_OTHER, ALLOCATES_OTHER, 302, anonymous=SIGN_IN),
            _form,
        ),
        RouteCase(
            "api-family-allocation",
            "post",
            _api("own_family"),
            _rule(SEES_OWN, ALLOCATES_OWN, 200, anonymous=403),
            _payload,
            json=True,
        ),
        RouteCase(
            "api-other-lcg-family-allocation",
            "post",
            _api("other_lcg_family"),
            _rule(SEES_OTHER, ALLOCATES_OTHER, 200, anonymous=403),
            _payload,
            json=True,
        ),
        # A list with no POST: 405 once signed in.
        RouteCase(
            "api-family-allocation",
            "get",
            _api("own_family"),
            {"anonymous": 403, **dict.fromkeys(PERSONAS[1:], 405)},
        ),
        RouteCase(
            "api-key-workers",
            "get",
            lambda w: f"/api/key-workers/?agency={w.world.council.code}",
            {
                "anonymous": 403,
                **dict.fromkeys(PERSONAS[1:], 403),
                **dict.fromkeys(ALLOCATORS, 200),
            },
        ),
    ],
)

TABLES = [ALLOCATION]
