"""Costs avoided and the evaluation extract's authorisation tables, asked by
tests/test_permission_matrix.py.

Costs avoided (``outcomes.costs.access``): programme managers, senior officers and
internal auditors read the pages and API; programme managers change the unit costs and
the spend; everyone else signed in gets 403, signed-out visitors sign in (the API: 403).
Evaluation extracts (``outcomes.extracts.access.extract_permissions``): programme
managers make and download them; the data protection officer reads the log. Every
denied request changes nothing (``_snapshot``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import timezone

from conftest import World, build_world
from oneplan.models import Job
from outcomes.assessment.services import framework_versions_ensure
from outcomes.costs.models import ProgrammeSpend, UnitCost
from outcomes.extracts.models import ExtractLog
from outcomes.extracts.services import evaluation_extract_start
from outcomes.models import Attachment, FrameworkVersion
from tests.matrix import PERSONAS, RouteCase, Table

SIGN_IN = 302
YEAR = 2024


def _answers(ok: dict[str, int], *, anonymous: int = SIGN_IN) -> dict[str, int]:
    return {persona: ok.get(persona, 403) for persona in PERSONAS} | {"anonymous": anonymous}


READERS = {"programme_manager": 200, "senior_officer": 200, "auditor": 200}
SEE = _answers(READERS)
SEE_API = _answers(READERS, anonymous=403)
PM_PAGE = _answers({"programme_manager": 200})
PM_POST = _answers({"programme_manager": 302})
PM_API = _answers({"programme_manager": 200}, anonymous=403)
LOG = _answers({"programme_manager": 200, "dpo": 200})
LOG_API = _answers({"programme_manager": 200, "dpo": 200}, anonymous=403)


@dataclass
class CostsMatrixWorld:
    world: World
    line: int
    log: int


def _build() -> CostsMatrixWorld:
    world = build_world()
    framework_versions_ensure()
    Attachment.objects.create(
        family=world.own_family,
        framework="tf2",
        framework_version=FrameworkVersion.objects.filter(framework="tf2").order_by("version")[0],
        attached_on=datetime.date(YEAR, 9, 2),
        eligible_at_entry=True,
        created_by=world.programme_manager.user,
        created_at=timezone.now(),
    )
    # Seeded by a data migration (ensured here: a transactional test may have emptied it).
    from outcomes.tests.test_costs import unit_costs_ensure

    unit_costs_ensure()
    line = UnitCost.objects.get(name="Police call-out")
    log = evaluation_extract_start(
        actor=world.programme_manager.user,
        partner="Matrix Evaluators",
        fields=["family", "age_band"],
        reference_date=datetime.date(YEAR + 1, 3, 31),
    )
    return CostsMatrixWorld(world, line.pk, log.pk)


def _snapshot(w: CostsMatrixWorld) -> tuple[Any, ...]:
    return (
        sorted(UnitCost.objects.values_list("pk", "name", "price_pence", "categories", "in_use")),
        sorted(ProgrammeSpend.objects.values_list("financial_year", "amount_pence", "source")),
        ExtractLog.objects.count(),
        Job.objects.count(),
    )


def _line_data(w: CostsMatrixWorld) -> dict[str, Any]:
    return {
        "name": "Matrix line",
        "agency": "police",
        "unit": "event",
        "price": "10",
        "price_year": "2024",
        "source": "Matrix",
    }


def _ref(w: CostsMatrixWorld) -> str:
    return w.world.own_family.reference


COSTS = Table(
    name="costs avoided",
    build=_build,
    snapshot=_snapshot,
    cases=[
        RouteCase("costs-avoided", "get", lambda w: reverse("outcomes:costs-avoided"), SEE),
        RouteCase(
            "costs-avoided-csv",
            "get",
            lambda w: reverse("outcomes:costs-avoided-csv") + f"?year={YEAR}",
            SEE,
        ),
        RouteCase(
            "costs-avoided-families",
            "get",
            lambda w: reverse("outcomes:costs-avoided-families") + f"?year={YEAR}",
            SEE,
        ),
        RouteCase(
            "costs-avoided-family",
            "get",
            lambda w: reverse("outcomes:costs-avoided-family", args=[_ref(w)]),
            SEE,
        ),
        RouteCase("unit-costs", "get", lambda w: reverse("outcomes:unit-costs"), SEE),
        RouteCase("unit-cost-new", "get", lambda w: reverse("outcomes:unit-cost-new"), PM_PAGE),
        RouteCase(
            "unit-cost-new-post",
            "post",
            lambda w: reverse("outcomes:unit-cost-new"),
            PM_POST,
            _line_data,
        ),
        RouteCase(
            "unit-cost-change",
            "get",
            lambda w: reverse("outcomes:unit-cost-change", args=[w.line]),
            PM_PAGE,
        ),
        RouteCase(
            "unit-cost-change-post",
            "post",
            lambda w: reverse("outcomes:unit-cost-change", args=[w.line]),
            PM_POST,
            lambda w: {**_line_data(w), "categories": ["police_callout"], "in_use": "on"},
        ),
        RouteCase(
            "programme-spend-set",
            "get",
            lambda w: reverse("outcomes:programme-spend-set", args=[YEAR]),
            PM_PAGE,
        ),
        RouteCase(
            "programme-spend-set-post",
            "post",
            lambda w: reverse("outcomes:programme-spend-set", args=[YEAR]),
            PM_POST,
            lambda w: {"amount": "1000000", "source": "Matrix"},
        ),
        RouteCase("api-costs-avoided", "get", lambda w: "/api/costs-avoided/", SEE_API),
        RouteCase(
            "api-costs-avoided-families",
            "get",
            lambda w: f"/api/costs-avoided-families/?year={YEAR}",
            SEE_API,
        ),
        RouteCase(
            "api-costs-avoided-family",
            "get",
            lambda w: f"/api/costs-avoided-families/{_ref(w)}/",
            SEE_API,
        ),
        RouteCase("api-unit-costs", "get", lambda w: "/api/unit-costs/", SEE_API),
        RouteCase(
            "api-unit-costs-post",
            "post",
            lambda w: "/api/unit-costs/",
            _answers({"programme_manager": 201}, anonymous=403),
            lambda w: {
                "name": "Matrix line",
                "agency": "police",
                "unit": "event",
                "price_pence": 100,
                "price_year": 2024,
                "source": "Matrix",
            },
            json=True,
        ),
        RouteCase("api-unit-cost", "get", lambda w: f"/api/unit-costs/{w.line}/", SEE_API),
        # Past the access check, a change without If-Match answers 428 and changes
        # nothing (the If-Match path is tested in test_costs).
        RouteCase(
            "api-unit-cost-patch",
            "patch",
            lambda w: f"/api/unit-costs/{w.line}/",
            _answers({"programme_manager": 428}, anonymous=403),
            lambda w: {"price_pence": 1},
            json=True,
        ),
        RouteCase("api-programme-spend", "get", lambda w: "/api/programme-spend/", PM_API),
        RouteCase(
            "api-programme-spend-post",
            "post",
            lambda w: "/api/programme-spend/",
            PM_API,
            lambda w: {"financial_year": YEAR, "amount_pence": 100, "source": "Matrix"},
            json=True,
        ),
    ],
)

EXTRACTS = Table(
    name="evaluation extracts",
    build=_build,
    snapshot=_snapshot,
    cases=[
        RouteCase(
            "evaluation-extracts", "get", lambda w: reverse("outcomes:evaluation-extracts"), LOG
        ),
        RouteCase(
            "evaluation-extract",
            "get",
            lambda w: reverse("outcomes:evaluation-extract", args=[w.log]),
            LOG,
        ),
        RouteCase(
            "evaluation-extract-new",
            "get",
            lambda w: reverse("outcomes:evaluation-extract-new"),
            PM_PAGE,
        ),
        RouteCase(
            "evaluation-extract-new-post",
            "post",
            lambda w: reverse("outcomes:evaluation-extract-new"),
            PM_POST,
            lambda w: {
                "partner": "Matrix Evaluators",
                "reference_date_day": "31",
                "reference_date_month": "3",
                "reference_date_year": "2025",
                "columns": ["family"],
            },
        ),
        # The job has not run in the matrix's world: the file is not ready (404) for
        # the one role who may download it.
        RouteCase(
            "evaluation-extract-download",
            "get",
            lambda w: reverse("outcomes:evaluation-extract-download", args=[w.log]),
            _answers({"programme_manager": 404}),
        ),
        RouteCase("api-evaluation-extracts", "get", lambda w: "/api/evaluation-extracts/", LOG_API),
        RouteCase(
            "api-evaluation-extract",
            "get",
            lambda w: f"/api/evaluation-extracts/{w.log}/",
            LOG_API,
        ),
        RouteCase(
            "api-evaluation-extracts-post",
            "post",
            lambda w: "/api/evaluation-extracts/",
            _answers({"programme_manager": 201}, anonymous=403),
            lambda w: {"partner": "Matrix", "columns": ["family"], "reference_date": "2025-03-31"},
            json=True,
        ),
    ],
)

TABLES = [COSTS, EXTRACTS]
