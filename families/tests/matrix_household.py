"""The household records' authorisation table, asked by tests/test_permission_matrix.py.

Reads (the household, the changes): anyone who can see the family (404 for anyone
else). Changes (members, details, the address and its protection): the family's lead
professional and its LCG's coordinators (``can_correct_household``); everyone else who
sees the family gets 403. Every denied request changes nothing (``_snapshot``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from conftest import World, build_world
from families.household.models import RecordCorrection
from families.models import Address, HouseholdMembership, Person
from tests.factories import MembershipFactory
from tests.matrix import PERSONAS, RouteCase, Table

SEES = {"keyworker", "coordinator", "programme_manager", "auditor", "senior_officer", "dpo"}
CORRECTS = {"keyworker", "coordinator"}


def _page(ok: int, allowed: set[str]) -> dict[str, int]:
    answers: dict[str, int] = {}
    for persona in PERSONAS:
        if persona == "anonymous":
            answers[persona] = 302
        elif persona == "sysadmin":
            answers[persona] = 403
        elif persona not in SEES:
            answers[persona] = 404
        else:
            answers[persona] = ok if persona in allowed else 403
    return answers


def _api(ok: int, allowed: set[str]) -> dict[str, int]:
    return _page(ok, allowed) | {"anonymous": 403}


READ = _page(200, SEES)
CHANGE_PAGE = _page(200, CORRECTS)
CHANGE_POST = _page(302, CORRECTS)
API_READ = _api(200, SEES)


@dataclass
class HouseholdMatrixWorld:
    world: World
    person: int
    membership: int
    former: int


def _build() -> HouseholdMatrixWorld:
    world = build_world()
    jordan = world.own_family.memberships.get()
    # Someone who left the household, whom the correctors may add back.
    former = MembershipFactory(
        family=world.own_family,
        person__given_name="Robin",
        start_date=datetime.date(2024, 1, 1),
        end_date=datetime.date(2024, 6, 1),
    )
    return HouseholdMatrixWorld(
        world=world, person=jordan.person_id, membership=jordan.pk, former=former.person_id
    )


def _snapshot(w: HouseholdMatrixWorld) -> tuple[Any, ...]:
    return (
        sorted(Person.objects.values_list("pk", "given_name", "date_of_birth")),
        sorted(HouseholdMembership.objects.values_list("pk", "role", "end_date")),
        sorted(Address.objects.values_list("pk", "line_1", "postcode", "is_protected")),
        RecordCorrection.objects.count(),
    )


def _ref(w: HouseholdMatrixWorld) -> str:
    return w.world.own_family.reference


def _url(name: str, *args: Callable[[HouseholdMatrixWorld], int]) -> Any:
    return lambda w: reverse(f"families:{name}", args=[_ref(w), *[a(w) for a in args]])


def _date(prefix: str, day: datetime.date) -> dict[str, str]:
    return {
        f"{prefix}_day": str(day.day),
        f"{prefix}_month": str(day.month),
        f"{prefix}_year": str(day.year),
    }


def _new_person(w: HouseholdMatrixWorld) -> dict[str, Any]:
    return {
        "given_name": "Ava",
        "family_name": "Ashby",
        **_date("date_of_birth", datetime.date(2025, 3, 1)),
        "role": "child",
        **_date("start_date", datetime.date(2025, 3, 1)),
        "reason": "A new baby",
    }


def _existing(w: HouseholdMatrixWorld) -> dict[str, Any]:
    return {
        "role": "other_adult",
        **_date("start_date", datetime.date(2025, 2, 1)),
        "reason": "Back",
    }


def _end(w: HouseholdMatrixWorld) -> dict[str, Any]:
    return {**_date("end_date", datetime.date(2025, 6, 1)), "reason": "Moved out"}


def _correct(w: HouseholdMatrixWorld) -> dict[str, Any]:
    return {
        "given_name": "Jordon",
        "family_name": "Ashby",
        **_date("date_of_birth", datetime.date(1985, 6, 1)),
        "reason": "Spelling",
    }


def _address(w: HouseholdMatrixWorld) -> dict[str, Any]:
    return {"line_1": "3 New Road", "postcode": "SO22 5AA", "reason": "Moved"}


PERSON = (lambda w: w.person,)
MEMBERSHIP = (lambda w: w.membership,)

HOUSEHOLD = Table(
    name="household records",
    build=_build,
    snapshot=_snapshot,
    cases=[
        RouteCase("household", "get", _url("household"), READ),
        RouteCase("changes", "get", _url("changes"), READ),
        RouteCase("person-changes", "get", _url("person-changes", *PERSON), READ),
        RouteCase("member-find", "get", _url("member-find"), CHANGE_PAGE),
        RouteCase("member-add-new", "get", _url("member-add-new"), CHANGE_PAGE),
        RouteCase("member-add-new", "post", _url("member-add-new"), CHANGE_POST, _new_person),
        RouteCase(
            "member-add-existing",
            "get",
            _url("member-add-existing", lambda w: w.former),
            CHANGE_PAGE,
        ),
        RouteCase(
            "member-add-existing",
            "post",
            _url("member-add-existing", lambda w: w.former),
            CHANGE_POST,
            _existing,
        ),
        RouteCase("membership-end", "get", _url("membership-end", *MEMBERSHIP), CHANGE_PAGE),
        RouteCase("membership-end", "post", _url("membership-end", *MEMBERSHIP), CHANGE_POST, _end),
        RouteCase("membership-role", "get", _url("membership-role", *MEMBERSHIP), CHANGE_PAGE),
        RouteCase(
            "membership-role",
            "post",
            _url("membership-role", *MEMBERSHIP),
            CHANGE_POST,
            lambda w: {"role": "other_adult", "reason": "Recorded wrongly"},
        ),
        RouteCase("person-correct", "get", _url("person-correct", *PERSON), CHANGE_PAGE),
        RouteCase("person-correct", "post", _url("person-correct", *PERSON), CHANGE_POST, _correct),
        RouteCase("address-change", "get", _url("address-change"), CHANGE_PAGE),
        RouteCase("address-change", "post", _url("address-change"), CHANGE_POST, _address),
        RouteCase("address-correct", "get", _url("address-correct"), CHANGE_PAGE),
        RouteCase("address-correct", "post", _url("address-correct"), CHANGE_POST, _address),
        RouteCase("address-protection", "get", _url("address-protection"), CHANGE_PAGE),
        RouteCase(
            "address-protection",
            "post",
            _url("address-protection"),
            CHANGE_POST,
            lambda w: {"reason": "A refuge"},
        ),
        # The API
        RouteCase(
            "api-household", "get", lambda w: f"/api/families/{_ref(w)}/household/", API_READ
        ),
        RouteCase(
            "api-household",
            "post",
            lambda w: f"/api/families/{_ref(w)}/household/",
            _api(201, CORRECTS),
            lambda w: {
                "given_name": "Ava",
                "family_name": "Ashby",
                "date_of_birth": "2025-03-01",
                "role": "child",
                "start_date": "2025-03-01",
                "reason": "A new baby",
            },
            json=True,
        ),
        RouteCase(
            "api-household-member",
            "get",
            lambda w: f"/api/families/{_ref(w)}/household/{w.membership}/",
            API_READ,
        ),
        # Past the access check, a change without If-Match answers 428 and changes
        # nothing (the If-Match path is tested in test_household_changes).
        RouteCase(
            "api-household-member",
            "patch",
            lambda w: f"/api/families/{_ref(w)}/household/{w.membership}/",
            _api(428, CORRECTS),
            lambda w: {"role": "other_adult", "reason": "Recorded wrongly"},
            json=True,
        ),
        RouteCase(
            "api-person",
            "get",
            lambda w: f"/api/families/{_ref(w)}/people/{w.person}/",
            API_READ,
        ),
        RouteCase(
            "api-person",
            "patch",
            lambda w: f"/api/families/{_ref(w)}/people/{w.person}/",
            _api(428, CORRECTS),
            lambda w: {"given_name": "Jordon", "reason": "Spelling"},
            json=True,
        ),
        RouteCase(
            "api-person-changes",
            "get",
            lambda w: f"/api/families/{_ref(w)}/people/{w.person}/changes/",
            API_READ,
        ),
        RouteCase(
            "api-family-changes", "get", lambda w: f"/api/families/{_ref(w)}/changes/", API_READ
        ),
        RouteCase("api-address", "get", lambda w: f"/api/families/{_ref(w)}/address/", API_READ),
        RouteCase(
            "api-address",
            "post",
            lambda w: f"/api/families/{_ref(w)}/address/",
            _api(428, CORRECTS),
            lambda w: {"line_1": "3 New Road", "postcode": "SO22 5AA", "reason": "Moved"},
            json=True,
        ),
        RouteCase(
            "api-address-correct",
            "post",
            lambda w: f"/api/families/{_ref(w)}/address/correct/",
            _api(428, CORRECTS),
            lambda w: {"line_1": "3 New Road", "postcode": "SO22 5AA", "reason": "Wrong"},
            json=True,
        ),
        RouteCase(
            "api-address-protection",
            "post",
            lambda w: f"/api/families/{_ref(w)}/address/protection/",
            _api(428, CORRECTS),
            lambda w: {"protected": True, "reason": "A refuge"},
            json=True,
        ),
    ],
)

TABLES = [HOUSEHOLD]
