"""Retention's authorisation table, asked by tests/test_permission_matrix.py.

Every page and API route is the data protection officer's alone: everyone else signed in
gets 403, signed out the sign-in page (the API: 403), and a refused request changes
nothing (``_snapshot``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import timezone

from agencies.services import system_actor
from conftest import World, build_world
from lcgs.retention import services
from lcgs.retention.models import LegalHold, RetentionBatch, RetentionPolicy, RetentionReview
from lcgs.retention.rules import RecordClass
from lcgs.tests.retention_support import family_ended, policies_seeded
from tests.matrix import PERSONAS, RouteCase, Table

SIGN_IN = 302


def _only_dpo(ok: int) -> dict[str, int]:
    return dict.fromkeys(PERSONAS, 403) | {"anonymous": SIGN_IN, "dpo": ok}


PAGE = _only_dpo(200)
POST = _only_dpo(302)


def _api(ok: int) -> dict[str, int]:
    """An API route: the DPO gets ``ok``; everyone else, signed out too, 403."""
    return _only_dpo(ok) | {"anonymous": 403}


@dataclass
class RetentionMatrixWorld:
    world: World
    batch: int
    review: int
    hold: int
    policy: int
    reference: str


def _build() -> RetentionMatrixWorld:
    world = build_world()
    policies_seeded()
    today = timezone.localdate()
    dpo = world.dpo.user
    for day in (1, 2, 3):
        family_ended(world, closed_on=datetime.date(2018, 5, day))
    services.retention_reviews_list(actor=system_actor(), today=today)
    batch = services.retention_batch_create(
        actor=dpo, record_class=RecordClass.CLOSED_CASE, today=today
    )
    # One more due after the batch, so starting another batch has something to gather.
    family_ended(world, closed_on=datetime.date(2018, 5, 4))
    services.retention_reviews_list(actor=system_actor(), today=today)
    hold = services.legal_hold_place(
        actor=dpo, family=world.other_lcg_family, reason="Claim against the council"
    )
    return RetentionMatrixWorld(
        world=world,
        batch=batch.pk,
        review=batch.items.order_by("pk")[0].pk,
        hold=hold.pk,
        policy=RetentionPolicy.objects.get(record_class="closed_case").pk,
        reference=world.unassigned_family.reference,
    )


def _snapshot(w: RetentionMatrixWorld) -> tuple[Any, ...]:
    return (
        sorted(RetentionReview.objects.values_list("pk", "status", "batch_id", "excluded_reason")),
        sorted(RetentionBatch.objects.values_list("pk", "status", "job_id")),
        sorted(LegalHold.objects.values_list("pk", "family_id", "person_id", "lifted_at")),
        sorted(RetentionPolicy.objects.values_list("pk", "years", "action", "source")),
    )


RETENTION = Table(
    name="retention",
    build=_build,
    snapshot=_snapshot,
    cases=[
        RouteCase("retention", "get", lambda w: reverse("lcgs:retention"), PAGE),
        RouteCase(
            "retention-batch-start",
            "post",
            lambda w: reverse("lcgs:retention-batch-start"),
            POST,
            lambda w: {"record_class": "closed_case"},
        ),
        RouteCase(
            "retention-batch",
            "get",
            lambda w: reverse("lcgs:retention-batch", args=[w.batch]),
            PAGE,
        ),
        RouteCase(
            "retention-batch",
            "post",
            lambda w: reverse("lcgs:retention-batch", args=[w.batch]),
            POST,
            lambda w: {"confirm": "on"},
        ),
        RouteCase(
            "retention-batch-cancel",
            "post",
            lambda w: reverse("lcgs:retention-batch-cancel", args=[w.batch]),
            POST,
        ),
        RouteCase(
            "retention-review-exclude",
            "get",
            lambda w: reverse("lcgs:retention-review-exclude", args=[w.review]),
            PAGE,
        ),
        RouteCase(
            "retention-review-exclude",
            "post",
            lambda w: reverse("lcgs:retention-review-exclude", args=[w.review]),
            POST,
            lambda w: {"reason": "An open complaint"},
        ),
        RouteCase("retention-holds", "get", lambda w: reverse("lcgs:retention-holds"), PAGE),
        RouteCase(
            "retention-hold-find", "get", lambda w: reverse("lcgs:retention-hold-find"), PAGE
        ),
        RouteCase(
            "retention-hold-find",
            "post",
            lambda w: reverse("lcgs:retention-hold-find"),
            POST,
            lambda w: {"reference": w.reference},
        ),
        RouteCase(
            "retention-hold-new",
            "get",
            lambda w: reverse("lcgs:retention-hold-new", args=[w.reference]),
            PAGE,
        ),
        RouteCase(
            "retention-hold-new",
            "post",
            lambda w: reverse("lcgs:retention-hold-new", args=[w.reference]),
            POST,
            lambda w: {
                "on": "family",
                "reason": "Claim",
                "until_day": "",
                "until_month": "",
                "until_year": "",
            },
        ),
        RouteCase(
            "retention-hold-lift",
            "get",
            lambda w: reverse("lcgs:retention-hold-lift", args=[w.hold]),
            PAGE,
        ),
        RouteCase(
            "retention-hold-lift",
            "post",
            lambda w: reverse("lcgs:retention-hold-lift", args=[w.hold]),
            POST,
            lambda w: {"lift_reason": "Claim settled"},
        ),
        RouteCase("retention-periods", "get", lambda w: reverse("lcgs:retention-periods"), PAGE),
        RouteCase(
            "retention-period-change",
            "get",
            lambda w: reverse("lcgs:retention-period-change", args=[w.policy]),
            PAGE,
        ),
        RouteCase(
            "retention-period-change",
            "post",
            lambda w: reverse("lcgs:retention-period-change", args=[w.policy]),
            POST,
            lambda w: {"years": "7", "action": "anonymise", "source": "Schedule line 14"},
        ),
        RouteCase("api-retention-reviews", "get", lambda w: "/api/retention-reviews/", _api(200)),
        RouteCase(
            "api-retention-review-keep",
            "post",
            lambda w: f"/api/retention-reviews/{w.review}/keep/",
            _api(200),
            lambda w: {"reason": "An open complaint"},
            json=True,
        ),
        RouteCase(
            "api-retention-legal-holds", "get", lambda w: "/api/retention-legal-holds/", _api(200)
        ),
        RouteCase(
            "api-retention-legal-holds",
            "post",
            lambda w: "/api/retention-legal-holds/",
            _api(201),
            lambda w: {"family": w.reference, "reason": "Claim"},
            json=True,
        ),
        RouteCase(
            "api-retention-legal-hold-lift",
            "post",
            lambda w: f"/api/retention-legal-holds/{w.hold}/lift/",
            _api(200),
            lambda w: {"lift_reason": "Claim settled"},
            json=True,
        ),
        RouteCase("api-retention-batches", "get", lambda w: "/api/retention-batches/", _api(200)),
        RouteCase(
            "api-retention-batches",
            "post",
            lambda w: "/api/retention-batches/",
            _api(201),
            lambda w: {"record_class": "closed_case"},
            json=True,
        ),
        RouteCase(
            "api-retention-batch",
            "get",
            lambda w: f"/api/retention-batches/{w.batch}/",
            _api(200),
        ),
        RouteCase(
            "api-retention-batch-approve",
            "post",
            lambda w: f"/api/retention-batches/{w.batch}/approve/",
            _api(200),
            lambda w: {"confirm": True},
            json=True,
        ),
        RouteCase(
            "api-retention-batch-cancel",
            "post",
            lambda w: f"/api/retention-batches/{w.batch}/cancel/",
            _api(200),
            json=True,
        ),
        RouteCase("api-retention-periods", "get", lambda w: "/api/retention-periods/", _api(200)),
        RouteCase(
            "api-retention-period",
            "get",
            lambda w: f"/api/retention-periods/{w.policy}/",
            _api(200),
        ),
        # Past the access check, a change without If-Match answers 428 and changes
        # nothing (the If-Match path is tested in test_retention_api).
        RouteCase(
            "api-retention-period",
            "patch",
            lambda w: f"/api/retention-periods/{w.policy}/",
            _api(428),
            lambda w: {"years": 7},
            json=True,
        ),
    ],
)

TABLES = [RETENTION]
