"""The LCG app's authorisation tables, asked by tests/test_permission_matrix.py.

Nominations: those with a case role who see a family nominate it; programme managers,
auditors, data protection officers and administrators do not nominate; only the
nominator withdraws a nomination. Screening: the family's LCG coordinators and the
programme managers see the screening list and decide; another LCG's coordinator does not
see the family (404). Every denied request changes nothing (each table's ``snapshot``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from conftest import World, build_world
from families.models import Family, FamilyStatusChange
from outcomes.models import Nomination
from tests.matrix import RouteCase, Table
from tests.support.screening import assessment_add, nomination_add

SIGN_IN = 302
CRIME = "crime"
HOUSING = "housing"


def _page(expect: dict[str, int]) -> dict[str, int]:
    """The form a post is made from: shown (200) to those whose post goes through."""
    answers = {persona: 200 if code == 302 else code for persona, code in expect.items()}
    return answers | {"anonymous": SIGN_IN}


def _api(expect: dict[str, int], ok: int) -> dict[str, int]:
    """The same rule in the API: ``ok`` where the page redirects, 403 to anonymous."""
    answers = {persona: ok if code == 302 else code for persona, code in expect.items()}
    return answers | {"anonymous": 403}


@dataclass
class LcgsMatrixWorld:
    world: World
    nomination: int | None = None


def _snapshot(w: LcgsMatrixWorld) -> tuple[Any, ...]:
    return (
        sorted(Family.objects.values_list("pk", "status")),
        FamilyStatusChange.objects.count(),
        sorted(Nomination.objects.values_list("pk", "status", "decided_by_id")),
    )


def _ref(w: LcgsMatrixWorld) -> str:
    return w.world.own_family.reference


# --- Nominating a family the user can see ------------------------------------------

# persona -> what a nomination of own_family by them answers
NOMINATE_OWN = {
    "anonymous": SIGN_IN,
    "keyworker": 302,
    "coordinator": 302,
    "other_keyworker": 404,  # same agency, not their family
    "practitioner": 404,  # police, not on the team
    "other_practitioner": 404,
    "other_coordinator": 404,  # another LCG's coordinator
    "programme_manager": 403,  # screens, does not nominate
    "auditor": 403,
    "dpo": 403,
    "sysadmin": 403,
}
# persona -> what nominating a family OnePlan does not know yet answers (and the page
# listing one's own nominations): every role that nominates.
NOMINATE_NEW = {
    "anonymous": SIGN_IN,
    **dict.fromkeys(
        [
            "keyworker",
            "other_keyworker",
            "practitioner",
            "other_practitioner",
            "coordinator",
            "other_coordinator",
        ],
        302,
    ),
    "programme_manager": 403,
    "auditor": 403,
    "dpo": 403,
    "sysadmin": 403,
}
# persona -> what reading nominations through the API answers: nominators read their
# own, screeners those of the families they screen.
READ_NOMINATIONS = _api(NOMINATE_NEW, 200) | {"programme_manager": 200}


def _nomination(w: LcgsMatrixWorld) -> dict[str, Any]:
    return {"criteria": [CRIME], "reason": "Concerned"}


def _new_family(w: LcgsMatrixWorld) -> dict[str, Any]:
    return {
        "main_carer_given_name": "Morgan",
        "main_carer_family_name": "Lake",
        "main_carer_date_of_birth_day": "14",
        "main_carer_date_of_birth_month": "2",
        "main_carer_date_of_birth_year": "1988",
        "address_line_1": "4 Water Lane",
        "postcode": "SO23 9PQ",
        "criteria": [CRIME, HOUSING],
        "reason": "Facing eviction; police called twice",
    }


def _api_new_family(w: LcgsMatrixWorld) -> dict[str, Any]:
    return {
        "main_carer": {
            "given_name": "Morgan",
            "family_name": "Lake",
            "date_of_birth": "1988-02-14",
        },
        "address_line_1": "4 Water Lane",
        "postcode": "SO23 9PQ",
        "criteria": [CRIME],
        "reason": "Police called twice",
    }


NOMINATIONS = Table(
    name="nominations",
    build=lambda: LcgsMatrixWorld(build_world()),
    snapshot=_snapshot,
    cases=[
        RouteCase(
            "nomination-create",
            "get",
            lambda w: reverse("lcgs:nomination-create", args=[_ref(w)]),
            _page(NOMINATE_OWN),
        ),
        RouteCase(
            "nomination-create",
            "post",
            lambda w: reverse("lcgs:nomination-create", args=[_ref(w)]),
            NOMINATE_OWN,
            _nomination,
        ),
        RouteCase(
            "api-nominations",
            "post",
            lambda w: "/api/nominations/",
            _api(NOMINATE_OWN, 201),
            lambda w: {"family": _ref(w), **_nomination(w)},
            json=True,
        ),
        RouteCase(
            "nomination-create-family",
            "get",
            lambda w: reverse("lcgs:nomination-create-family"),
            _page(NOMINATE_NEW),
        ),
        RouteCase(
            "nomination-create-family",
            "post",
            lambda w: reverse("lcgs:nomination-create-family"),
            NOMINATE_NEW,
            _new_family,
        ),
        RouteCase(
            "api-nominations-new-family",
            "post",
            lambda w: "/api/nominations/new-family/",
            _api(NOMINATE_NEW, 201),
            _api_new_family,
            json=True,
        ),
        RouteCase(
            "nomination-list",
            "get",
            lambda w: reverse("lcgs:nomination-list"),
            _page(NOMINATE_NEW),
        ),
        RouteCase(
            "nomination-list",
            "post",
            lambda w: reverse("lcgs:nomination-list"),
            {"anonymous": SIGN_IN},
            _nomination,
        ),
        RouteCase("api-nominations", "get", lambda w: "/api/nominations/", READ_NOMINATIONS),
    ],
)


# --- Screening, and withdrawing a nomination ---------------------------------------

# Who sees the screening list (own_family is on it, assessed and nominated).
SCREENING_LIST = {
    "anonymous": SIGN_IN,
    "coordinator": 200,
    "other_coordinator": 200,  # their own LCG's list, without own_family
    "programme_manager": 200,
    "keyworker": 403,
    "other_keyworker": 403,
    "practitioner": 403,
    "other_practitioner": 403,
    "auditor": 403,
    "dpo": 403,
    "sysadmin": 403,
}
# persona -> what deciding own_family (Winchester) answers
DECIDE = {
    "anonymous": SIGN_IN,
    "coordinator": 302,
    "programme_manager": 302,
    "other_coordinator": 404,  # another LCG's coordinator
    "keyworker": 403,  # the lead professional, but screening is the LCG's decision
    "other_keyworker": 403,
    "practitioner": 403,
    "other_practitioner": 403,
    "auditor": 403,
    "dpo": 403,
    "sysadmin": 403,
}
# persona -> what withdrawing the key worker's nomination answers
WITHDRAW = {
    "anonymous": SIGN_IN,
    "keyworker": 302,
    "other_keyworker": 404,  # same agency, not theirs, cannot see it
    "practitioner": 404,
    "other_practitioner": 404,
    "other_coordinator": 404,
    "coordinator": 403,  # sees it (screens the family), but it is not theirs
    "programme_manager": 403,  # not a nominator
    "auditor": 403,
    "dpo": 403,
    "sysadmin": 403,
}
# persona -> what reading the key worker's nomination through the API answers: its
# nominator and those who screen the family read it; other nominators and screeners do
# not see it (404); roles that neither nominate nor screen are refused (403).
READ_NOMINATION = {
    "anonymous": 403,
    "keyworker": 200,
    "coordinator": 200,
    "programme_manager": 200,
    "other_keyworker": 404,
    "practitioner": 404,
    "other_practitioner": 404,
    "other_coordinator": 404,
    "auditor": 403,
    "dpo": 403,
    "sysadmin": 403,
}


def _build_screening() -> LcgsMatrixWorld:
    world = build_world()
    assessment_add(world.own_family, met=["crime", "housing", "health"])
    nomination = nomination_add(world.own_family, world.keyworker)
    return LcgsMatrixWorld(world, nomination.pk)


def _decide(w: LcgsMatrixWorld) -> str:
    return reverse("lcgs:screening-decide", args=[_ref(w)])


def _withdraw(w: LcgsMatrixWorld) -> str:
    return reverse("lcgs:nomination-withdraw", args=[w.nomination])


SCREENING = Table(
    name="screening",
    build=_build_screening,
    snapshot=_snapshot,
    cases=[
        RouteCase(
            "screening-list",
            "get",
            lambda w: reverse("lcgs:screening-list"),
            SCREENING_LIST,
        ),
        RouteCase(
            "api-screening",
            "get",
            lambda w: "/api/screening/",
            SCREENING_LIST | {"anonymous": 403},
        ),
        RouteCase("screening-decide", "get", _decide, _page(DECIDE)),
        RouteCase(
            "screening-decide",
            "post",
            _decide,
            DECIDE,
            lambda w: {"decision": "not_eligible", "reason": "No"},
        ),
        RouteCase(
            "api-screening-detail",
            "get",
            lambda w: f"/api/screening/{_ref(w)}/",
            _api(DECIDE, 200),
        ),
        RouteCase(
            "api-screening-decide",
            "post",
            lambda w: f"/api/screening/{_ref(w)}/decide/",
            _api(DECIDE, 200),
            lambda w: {"decision": "eligible"},
            json=True,
        ),
        RouteCase(
            "api-nomination-detail",
            "get",
            lambda w: f"/api/nominations/{w.nomination}/",
            READ_NOMINATION,
        ),
        RouteCase(
            "nomination-withdraw",
            "get",
            _withdraw,
            _page(WITHDRAW),
        ),
        RouteCase(
            "nomination-withdraw",
            "post",
            _withdraw,
            WITHDRAW,
            lambda w: {"reason": "No"},
        ),
        RouteCase(
            "api-nomination-withdraw",
            "post",
            lambda w: f"/api/nominations/{w.nomination}/withdraw/",
            _api(WITHDRAW, 200),
            lambda w: {"reason": "No"},
            json=True,
        ),
    ],
)


TABLES = [NOMINATIONS, SCREENING]
