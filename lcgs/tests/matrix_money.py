"""The LCG money's authorisation table, asked by tests/test_permission_matrix.py.

The grant statement: programme managers see every LCG's, an LCG's coordinators their
own (another LCG's coordinator gets 404 for it), everyone else 403. The rates and the
targets: programme managers only. Every denied request changes nothing (``_snapshot``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import timezone

from conftest import World, build_world
from lcgs.money.models import LCGGrantRate, LCGTarget
from lcgs.tests.money_support import rates_set
from outcomes.money.rules import financial_year_of
from tests.matrix import PERSONAS, RouteCase, Table

SIGN_IN = 302


def _answers(ok: dict[str, int], *, anonymous: int, others: int = 403) -> dict[str, int]:
    return {persona: ok.get(persona, others) for persona in PERSONAS} | {"anonymous": anonymous}


# Who sees the statement of the LCGs they see (a coordinator: their own).
STATEMENT = _answers(
    {"coordinator": 200, "other_coordinator": 200, "programme_manager": 200}, anonymous=SIGN_IN
)
# Winchester's statement: its coordinator and programme managers; Havant's coordinator 404.
WINCHESTER = _answers(
    {"coordinator": 200, "other_coordinator": 404, "programme_manager": 200}, anonymous=SIGN_IN
)
PM_PAGE = _answers({"programme_manager": 200}, anonymous=SIGN_IN)
PM_POST = _answers({"programme_manager": 302}, anonymous=SIGN_IN)


def _api(expect: dict[str, int], ok: int | None = None) -> dict[str, int]:
    answers = {
        p: (ok if ok is not None and code in (200, 302) else code) for p, code in expect.items()
    }
    return answers | {"anonymous": 403}


@dataclass
class MoneyMatrixWorld:
    world: World
    year: int
    rate: int


def _build() -> MoneyMatrixWorld:
    world = build_world()
    year = financial_year_of(timezone.localdate())
    LCGGrantRate.objects.filter(financial_year=year + 1).delete()
    return MoneyMatrixWorld(world=world, year=year, rate=rates_set(year).pk)


def _snapshot(w: MoneyMatrixWorld) -> tuple[Any, ...]:
    return (
        sorted(
            LCGGrantRate.objects.values_list(
                "financial_year", "grant_per_family", "reward_per_result", "source"
            )
        ),
        sorted(LCGTarget.objects.values_list("lcg_id", "financial_year", "families_taken_on")),
    )


def _winchester(w: MoneyMatrixWorld) -> int:
    return w.world.winchester.pk


def _rate_data(w: MoneyMatrixWorld) -> dict[str, Any]:
    return {
        "financial_year": w.year + 1,
        "grant_per_family": "360",
        "reward_per_result": "460",
        "source": "Matrix",
    }


def _target_data(w: MoneyMatrixWorld) -> dict[str, Any]:
    return {"families_taken_on": 10, "results": 5}


MONEY = Table(
    name="lcg money",
    build=_build,
    snapshot=_snapshot,
    cases=[
        RouteCase("lcg-money", "get", lambda w: reverse("lcgs:lcg-money"), STATEMENT),
        RouteCase(
            "lcg-money-lcg",
            "get",
            lambda w: reverse("lcgs:lcg-money-lcg", args=[_winchester(w)]),
            WINCHESTER,
        ),
        RouteCase(
            "lcg-money-export-summary",
            "get",
            lambda w: reverse("lcgs:lcg-money-export", args=["summary", "csv"]),
            STATEMENT,
        ),
        RouteCase(
            "lcg-money-export-families",
            "get",
            lambda w: reverse("lcgs:lcg-money-export", args=["families", "xlsx"])
            + f"?lcg={_winchester(w)}",
            WINCHESTER,
        ),
        RouteCase("lcg-money-rates", "get", lambda w: reverse("lcgs:lcg-money-rates"), PM_PAGE),
        RouteCase(
            "lcg-money-rate-new", "get", lambda w: reverse("lcgs:lcg-money-rate-new"), PM_PAGE
        ),
        RouteCase(
            "lcg-money-rate-new",
            "post",
            lambda w: reverse("lcgs:lcg-money-rate-new"),
            PM_POST,
            _rate_data,
        ),
        RouteCase(
            "lcg-money-rate-change",
            "get",
            lambda w: reverse("lcgs:lcg-money-rate-change", args=[w.rate]),
            PM_PAGE,
        ),
        RouteCase(
            "lcg-money-rate-change",
            "post",
            lambda w: reverse("lcgs:lcg-money-rate-change", args=[w.rate]),
            PM_POST,
            lambda w: {"grant_per_family": "1", "reward_per_result": "2", "source": "Matrix"},
        ),
        RouteCase("lcg-money-targets", "get", lambda w: reverse("lcgs:lcg-money-targets"), PM_PAGE),
        RouteCase(
            "lcg-money-target-set",
            "get",
            lambda w: reverse("lcgs:lcg-money-target-set", args=[_winchester(w), w.year]),
            PM_PAGE,
        ),
        RouteCase(
            "lcg-money-target-set",
            "post",
            lambda w: reverse("lcgs:lcg-money-target-set", args=[_winchester(w), w.year]),
            PM_POST,
            _target_data,
        ),
        RouteCase(
            "api-lcg-grant-statement",
            "get",
            lambda w: "/api/lcg-grant-statement/",
            _api(STATEMENT),
        ),
        RouteCase(
            "api-lcg-grant-statement-detail",
            "get",
            lambda w: f"/api/lcg-grant-statement/{_winchester(w)}/",
            _api(WINCHESTER),
        ),
        RouteCase("api-lcg-grant-rates", "get", lambda w: "/api/lcg-grant-rates/", _api(PM_PAGE)),
        RouteCase(
            "api-lcg-grant-rates",
            "post",
            lambda w: "/api/lcg-grant-rates/",
            _api(PM_PAGE, 201),
            _rate_data,
            json=True,
        ),
        RouteCase(
            "api-lcg-grant-rate",
            "get",
            lambda w: f"/api/lcg-grant-rates/{w.rate}/",
            _api(PM_PAGE),
        ),
        # Past the access check, a change without If-Match answers 428 and changes
        # nothing (the If-Match path is tested in test_money_config).
        RouteCase(
            "api-lcg-grant-rate",
            "patch",
            lambda w: f"/api/lcg-grant-rates/{w.rate}/",
            _api(PM_PAGE, 428),
            lambda w: {"grant_per_family": "1.00"},
            json=True,
        ),
        RouteCase("api-lcg-targets", "get", lambda w: "/api/lcg-targets/", _api(PM_PAGE)),
        RouteCase(
            "api-lcg-targets",
            "post",
            lambda w: "/api/lcg-targets/",
            _api(PM_PAGE),
            lambda w: {
                "lcg": _winchester(w),
                "financial_year": w.year,
                "families_taken_on": 10,
                "results": 5,
            },
            json=True,
        ),
    ],
)

TABLES = [MONEY]
