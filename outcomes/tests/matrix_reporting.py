"""Programme reporting's authorisation table, asked by tests/test_permission_matrix.py.

The dashboard, its CSV files, the families behind a figure and the targets are read by
programme managers, senior officers and internal auditors; everyone else signed in gets
403, signed-out visitors are sent to sign in (the API answers 403). Targets are set and
changed by programme managers only, and the quarterly return is theirs. Every denied
request changes nothing (``_snapshot``: the targets, the saved layouts, the jobs).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from conftest import World, build_world
from oneplan.models import Job
from outcomes.money.rules import financial_year_of
from outcomes.reporting.models import ProgrammeTarget, QuarterlyReturnPreset
from outcomes.reporting.rules import latest_ended_quarter
from outcomes.reporting.services import programme_target_set
from tests.matrix import PERSONAS, RouteCase, Table

SIGN_IN = 302


def _answers(ok: dict[str, int], *, anonymous: int) -> dict[str, int]:
    return {persona: ok.get(persona, 403) for persona in PERSONAS} | {"anonymous": anonymous}


READERS = {"programme_manager": 200, "auditor": 200, "senior_officer": 200}
READ = _answers(READERS, anonymous=SIGN_IN)
PM_PAGE = _answers({"programme_manager": 200}, anonymous=SIGN_IN)
PM_POST = _answers({"programme_manager": 302}, anonymous=SIGN_IN)


def _api(expect: dict[str, int], ok: int | None = None) -> dict[str, int]:
    answers = {
        p: (ok if ok is not None and code in (200, 302) else code) for p, code in expect.items()
    }
    return answers | {"anonymous": 403}


@dataclass
class ReportingMatrixWorld:
    world: World
    year: int
    target: int


def _build() -> ReportingMatrixWorld:
    world = build_world()
    today = timezone.localdate()
    year = financial_year_of(today)
    target = programme_target_set(
        actor=world.programme_manager.user,
        financial_year=year,
        targets={"attached": 100},
        source="Matrix",
        today=today,
    )
    return ReportingMatrixWorld(world=world, year=year, target=target.pk)


def _snapshot(w: ReportingMatrixWorld) -> tuple[Any, ...]:
    return (
        sorted(ProgrammeTarget.objects.values_list("financial_year", "attached", "source")),
        sorted(QuarterlyReturnPreset.objects.values_list("name", "columns")),
        Job.objects.count(),
    )


def _return_data(w: ReportingMatrixWorld) -> dict[str, Any]:
    year, quarter = latest_ended_quarter(timezone.localdate())
    return {
        "period": f"{year}-{quarter}",
        "columns": ["family_reference", "problems_at_entry"],
        "preset_name": "Matrix layout",
    }


REPORTING = Table(
    name="programme reporting",
    build=_build,
    snapshot=_snapshot,
    cases=[
        RouteCase("programme-dashboard", "get", lambda w: "/programme/", READ),
        RouteCase("programme-table-csv", "get", lambda w: "/programme/csv/lcg/", READ),
        RouteCase(
            "programme-families",
            "get",
            lambda w: f"/programme/families/?year={w.year}&figure=identified",
            READ,
        ),
        RouteCase("programme-targets", "get", lambda w: "/programme/targets/", READ),
        RouteCase(
            "programme-target-set", "get", lambda w: f"/programme/targets/{w.year}/", PM_PAGE
        ),
        RouteCase(
            "programme-target-set",
            "post",
            lambda w: f"/programme/targets/{w.year}/",
            PM_POST,
            lambda w: {"attached": "120", "source": "Matrix change"},
        ),
        RouteCase("quarterly-return", "get", lambda w: "/programme/quarterly-return/", PM_PAGE),
        RouteCase(
            "quarterly-return",
            "post",
            lambda w: "/programme/quarterly-return/",
            PM_POST,
            _return_data,
        ),
        RouteCase(
            "api-programme-dashboard", "get", lambda w: "/api/programme-dashboard/", _api(READ)
        ),
        RouteCase(
            "api-programme-dashboard-families",
            "get",
            lambda w: f"/api/programme-dashboard/families/?year={w.year}&figure=attached",
            _api(READ),
        ),
        RouteCase("api-programme-targets", "get", lambda w: "/api/programme-targets/", _api(READ)),
        RouteCase(
            "api-programme-targets",
            "post",
            lambda w: "/api/programme-targets/",
            _api(PM_PAGE, 201),
            lambda w: {"financial_year": w.year + 1, "attached": 10, "source": "Matrix"},
            json=True,
        ),
        RouteCase(
            "api-programme-target",
            "get",
            lambda w: f"/api/programme-targets/{w.target}/",
            _api(READ),
        ),
        # Past the access check, a change without If-Match answers 428 and changes
        # nothing (the If-Match path is tested in test_reporting_pages).
        RouteCase(
            "api-programme-target",
            "patch",
            lambda w: f"/api/programme-targets/{w.target}/",
            _api(PM_PAGE, 428),
            lambda w: {"attached": 1},
            json=True,
        ),
        RouteCase(
            "api-quarterly-returns",
            "post",
            lambda w: "/api/quarterly-returns/",
            _api(PM_PAGE, 202),
            lambda w: dict(
                zip(("year", "quarter"), latest_ended_quarter(timezone.localdate()), strict=True)
            ),
            json=True,
        ),
    ],
)

TABLES = [REPORTING]
