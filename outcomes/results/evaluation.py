"""The results evaluation (the nightly job, DOMAIN.md 4.4): every attached family's
results and claim readiness, stored, and the journey following them.

- Chunks of families, each in its own transaction with a transaction-level advisory lock
  per family in id order, so two workers sharing a run never evaluate a family at once
  and cannot deadlock; a chunk's work is kept if a later chunk fails (resumable).
- Idempotent: a family whose decision (what is met, on which evidence, the route and
  readiness) is unchanged keeps its current row, brought up to date in place (its
  reasons name the windows' dates, which move every day); a changed decision writes a
  new current row and keeps the old one as history.
- The journey follows the results: a family with a plan active whose result route is met
  moves to "outcomes met"; one at "outcomes met" whose route has lapsed before a claim
  goes back to "plan active". Nothing else moves a family there.

Each family's results come from ``results_compute``, the function the page, the API and
the command line use, so the stored results are the ones people see.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

import orjson
from django.db import connection, transaction
from django.utils import timezone

from agencies.models import User
from audit.history import actor_context
from families.models import Family
from families.services import family_transition
from families.states import FamilyStatus
from oneplan.errors import ApplicationError
from oneplan.locks import run_alone
from outcomes.models import EvaluationKind, EvaluationRun, Result, ResultQueue
from outcomes.results.services import FamilyResults, results_compute_many

logger = logging.getLogger(__name__)

# Namespaces of pg_advisory_*lock's two-key form (feeds 7401, assessment 7402 and 7403).
_FAMILY_LOCK: Final = 7404
RUN_ALL_LOCK: Final = 7405
CHUNK_SIZE: Final = 500


@dataclass
class EvaluationCounts:
    """What a run did: families evaluated, new results written, results brought up to
    date in place, families moved along the journey, and moves the journey refused."""

    families: int = 0
    written: int = 0
    refreshed: int = 0
    moved: int = 0
    held: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "families": self.families,
            "written": self.written,
            "refreshed": self.refreshed,
            "moved": self.moved,
            "held": self.held,
        }


def decision_fingerprint(computed: FamilyResults) -> str:
    """A hash of the decision: each check's answer (met, relevant, recorded, the
    evidence it rests on, the date it was met), the route, when it was achieved and the
    readiness. Not the words: they name the windows' dates, which move every day."""
    results = computed.results

    def known(day: date | None) -> str:
        # A rule that cannot tell when something was first met says "today": that is
        # not a change, and the stored row keeps the first day the evaluation saw it.
        return "" if day is None or day == results.as_of else day.isoformat()

    decision = {
        "version": computed.attachment.framework_version_id,
        "checks": {
            c.code: [c.met, c.relevant, c.recorded, list(c.evidence), known(c.met_on)]
            for c in results.checks
        },
        "route": results.route,
        "achieved_on": known(results.achieved_on),
        "readiness": computed.readiness.status,
    }
    return hashlib.sha256(json.dumps(decision, sort_keys=True).encode()).hexdigest()


def _checks_json(computed: FamilyResults) -> dict[str, Any]:
    return {
        c.code: {
            "label": c.label,
            "met": c.met,
            "relevant": c.relevant,
            "recorded": c.recorded,
            "reasons": list(c.reasons),
            "evidence": list(c.evidence),
            "met_on": c.met_on.isoformat() if c.met_on else None,
        }
        for c in computed.results.checks
    }


def _lock(family_ids: list[int]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_advisory_xact_lock(%s, id)) FROM unnest(%s::int[]) AS id",
            [_FAMILY_LOCK, sorted(family_ids)],
        )


def _follow_journey(actor: User, family: Family, computed: FamilyResults) -> bool | None:
    """Move the family as its results say (DOMAIN.md 4.4). True when it moved, None when
    the journey refused the move (a requirement missing), False when nothing was due."""
    route = computed.results.route
    if family.status == FamilyStatus.PLAN_ACTIVE and route is not None:
        target, reason = FamilyStatus.OUTCOMES_MET, f"Results: route {route} met"
    elif family.status == FamilyStatus.OUTCOMES_MET and route is None:
        target = FamilyStatus.PLAN_ACTIVE
        reason = "Results: no longer met before a claim"
    else:
        return False
    try:
        family_transition(actor=actor, family=family, to_status=target, reason=reason, chosen=False)
    except ApplicationError as exc:
        logger.info("Results of %s: not moved to %s (%s)", family.reference, target, exc)
        return None
    return True


_INSERT_SQL: Final = """
INSERT INTO outcomes_result (family_id, framework, framework_version_id, as_of, checks,
    route, achieved_on, readiness, readiness_reasons, fingerprint, is_current, evaluated_at,
    valid_until)
SELECT f, fw, v, %s, c::jsonb, r, a, rd, rr::jsonb, fp, true, %s, u
FROM unnest(%s::bigint[], %s::text[], %s::bigint[], %s::text[], %s::text[], %s::date[],
    %s::text[], %s::text[], %s::text[], %s::date[]) AS t(f, fw, v, c, r, a, rd, rr, fp, u)
"""
_REFRESH_SQL: Final = """
UPDATE outcomes_result AS r SET as_of = %s, evaluated_at = %s, checks = v.c::jsonb,
    readiness_reasons = v.rr::jsonb, valid_until = v.u
FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::date[]) AS v(id, c, rr, u)
WHERE r.id = v.id
"""


def _columns(rows: list[tuple[Any, ...]]) -> list[list[Any]]:
    return [list(column) for column in zip(*rows, strict=True)]


def _evaluate_chunk(
    actor: User, family_ids: list[int], as_of: date, *, follow_journey: bool = True
) -> EvaluationCounts:
    """Evaluate a chunk and write what changed, in a few statements (the decision
    compared by fingerprint; a changed decision retires the current row and writes a
    new one; an unchanged one brings the current row up to date in place)."""
    counts = EvaluationCounts()
    with transaction.atomic():
        _lock(family_ids)
        families = list(
            Family.objects.filter(pk__in=family_ids, attachment__isnull=False).order_by("pk")
        )
        current = {
            family_id: (pk, fingerprint, stored_as_of, valid_until)
            for pk, family_id, fingerprint, stored_as_of, valid_until in Result.objects.filter(
                family_id__in=family_ids, is_current=True
            ).values_list("pk", "family_id", "fingerprint", "as_of", "valid_until")
        }
        now = timezone.now()
        answers = results_compute_many(families, as_of=as_of)
        new_rows: list[tuple[Any, ...]] = []
        retired: list[int] = []
        refreshed: list[tuple[Any, ...]] = []
        judged: list[tuple[Family, FamilyResults]] = []
        for family in families:
            computed = answers[family.pk]
            if isinstance(computed, ApplicationError):
                # Before its attachment date, or rules that cannot be used: nothing to store.
                logger.info("Results of %s not evaluated: %s", family.reference, computed)
                continue
            counts.families += 1
            judged.append((family, computed))
            fingerprint = decision_fingerprint(computed)
            stored = current.get(family.pk)
            checks = orjson.dumps(_checks_json(computed)).decode()
            reasons = orjson.dumps(list(computed.readiness.reasons)).decode()
            if stored is not None and stored[1] == fingerprint:
                if (stored[2], stored[3]) != (as_of, computed.valid_until):
                    refreshed.append((stored[0], checks, reasons, computed.valid_until))
                continue
            if stored is not None:
                retired.append(stored[0])
            results = computed.results
            new_rows.append(
                (
                    family.pk,
                    results.framework,
                    computed.attachment.framework_version_id,
                    checks,
                    results.route or "",
                    results.achieved_on,
                    computed.readiness.status,
                    reasons,
                    fingerprint,
                    computed.valid_until,
                )
            )
        with connection.cursor() as cursor:
            if retired:
                cursor.execute(
                    "UPDATE outcomes_result SET is_current = false WHERE id = ANY(%s)", [retired]
                )
            if new_rows:
                cursor.execute(_INSERT_SQL, [as_of, now, *_columns(new_rows)])
            if refreshed:
                cursor.execute(_REFRESH_SQL, [as_of, now, *_columns(refreshed)])
        counts.written += len(new_rows)
        counts.refreshed += len(refreshed)
        for family, computed in judged if follow_journey else ():
            moved = _follow_journey(actor, family, computed)
            counts.moved += moved is True
            counts.held += moved is None
    return counts


def results_families_run(
    *,
    actor: User,
    family_ids: Iterable[int],
    as_of: date,
    chunk_size: int = CHUNK_SIZE,
    follow_journey: bool = True,
) -> EvaluationCounts:
    """Evaluate these families' results on ``as_of`` (those attached), storing what
    changed and moving them along the journey (``follow_journey=False``: results only,
    for demo data whose seeded histories stop short of it); each chunk commits on its
    own."""
    ids = sorted(set(family_ids))
    total = EvaluationCounts()
    with actor_context(actor):
        for start in range(0, len(ids), chunk_size):
            counts = _evaluate_chunk(
                actor, ids[start : start + chunk_size], as_of, follow_journey=follow_journey
            )
            for name, value in counts.as_dict().items():
                setattr(total, name, getattr(total, name) + value)
    logger.info("Evaluated results of %s families: %s", total.families, total.as_dict())
    return total


# Families the nightly run looks at: those whose stored results are missing, out of
# date (the day after ``valid_until``) or under another framework version, and, since the
# watermark (the start of the last finished run), those with anything new that the
# results read: evidence, people, the family record (status, key worker), any change to
# the plan (every save records a plan version), eligibility re-assessed after a household
# change, the attachment, or an outcome recorded by the lead practitioner.
_DUE_SQL: Final = """
INSERT INTO outcomes_resultqueue (family_id, as_of, queued_at)
SELECT a.family_id, %(day)s, now() FROM outcomes_attachment a
LEFT JOIN outcomes_result r ON r.family_id = a.family_id AND r.is_current
WHERE a.attached_on <= %(day)s AND (
    %(everyone)s OR r.id IS NULL OR r.valid_until IS NULL OR r.valid_until < %(day)s
    OR r.framework_version_id <> a.framework_version_id
    OR a.family_id IN (
        SELECT m.family_id FROM outcomes_evidence e
        JOIN families_householdmembership m ON m.person_id = e.person_id
        WHERE e.updated_at >= %(since)s
        UNION SELECT m.family_id FROM families_person p
        JOIN families_householdmembership m ON m.person_id = p.id
        WHERE p.updated_at >= %(since)s
        UNION SELECT id FROM families_family WHERE updated_at >= %(since)s
        UNION SELECT p.family_id FROM plans_planversion v JOIN plans_plan p ON p.id = v.plan_id
        WHERE v.created_at >= %(since)s
        UNION SELECT family_id FROM outcomes_assessment WHERE assessed_at >= %(since)s
        UNION SELECT family_id FROM outcomes_attachment WHERE created_at >= %(since)s
        UNION SELECT family_id FROM outcomes_recordedoutcome WHERE created_at >= %(since)s
    )
)
ON CONFLICT (family_id) DO UPDATE SET as_of = EXCLUDED.as_of
"""


def watermark(kind: str) -> datetime | None:
    """The start of the last finished run of ``kind``: anything changed since then has
    not been looked at by a finished run."""
    return (
        EvaluationRun.objects.filter(kind=kind, finished_at__isnull=False)
        .order_by("-started_at")
        .values_list("started_at", flat=True)
        .first()
    )


def results_queue_due(*, as_of: date, everyone: bool = False) -> tuple[EvaluationRun, int]:
    """Start a run: record it and queue the families it must look at (every attached
    family with ``everyone``, or when no run has finished yet). Returns the run and how
    many families were queued."""
    since = None if everyone else watermark(EvaluationKind.RESULTS)
    everyone = everyone or since is None
    run = EvaluationRun.objects.create(
        kind=EvaluationKind.RESULTS, as_of=as_of, everyone=everyone, started_at=timezone.now()
    )
    with connection.cursor() as cursor:
        cursor.execute(_DUE_SQL, {"day": as_of, "everyone": everyone, "since": since})
        queued: int = cursor.rowcount
    EvaluationRun.objects.filter(pk=run.pk).update(counts={"queued": queued})
    return run, queued


def _run_add(counts: EvaluationCounts) -> None:
    """Add a worker's counts to the latest run, and close it once the queue is empty:
    whichever worker finds it empty first closes it, and a worker finishing after that
    still adds its counts (closing twice changes nothing)."""
    if not any(counts.as_dict().values()) and ResultQueue.objects.exists():
        return
    with transaction.atomic():
        run = (
            EvaluationRun.objects.select_for_update()
            .filter(kind=EvaluationKind.RESULTS)
            .order_by("-started_at")
            .first()
        )
        if run is None:
            return
        for name, value in counts.as_dict().items():
            run.counts[name] = run.counts.get(name, 0) + value
        if run.finished_at is None and not ResultQueue.objects.exists():
            run.finished_at = timezone.now()
        run.save(update_fields=["counts", "finished_at"])


def results_queue_process(*, actor: User, chunk_size: int = CHUNK_SIZE) -> EvaluationCounts:
    """Evaluate queued families a chunk at a time until none are left. Any number of
    workers can run this at once: each takes rows nobody holds (``SKIP LOCKED``), and a
    chunk leaves the queue in the transaction that stores its results, so nothing is
    done twice and a killed worker's chunk goes back to the queue."""
    total = EvaluationCounts()
    with actor_context(actor):
        while True:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT family_id, as_of FROM outcomes_resultqueue ORDER BY family_id "
                        "LIMIT %s FOR UPDATE SKIP LOCKED",
                        [chunk_size],
                    )
                    rows = cursor.fetchall()
                if not rows:
                    break
                by_day: dict[date, list[int]] = {}
                for family_id, day in rows:
                    by_day.setdefault(day, []).append(family_id)
                for day, ids in sorted(by_day.items()):
                    counts = _evaluate_chunk(actor, ids, day)
                    for name, value in counts.as_dict().items():
                        setattr(total, name, getattr(total, name) + value)
                ResultQueue.objects.filter(family_id__in=[r[0] for r in rows]).delete()
    _run_add(total)
    logger.info("Evaluated results of %s queued families: %s", total.families, total.as_dict())
    return total


def results_all_run(
    *, actor: User, as_of: date | None = None, everyone: bool = False, helpers: int = 0
) -> EvaluationCounts | None:
    """The nightly run: queue the families due or changed (``everyone``: every attached
    family), ask ``helpers`` more workers to share the queue (``results_queue_process``,
    once the queue is committed), and evaluate here too. Returns None when another run
    is queueing already."""
    day = as_of or timezone.localdate()
    with run_alone(RUN_ALL_LOCK) as held:
        if not held:
            return None
        _, queued = results_queue_due(as_of=day, everyone=everyone)
    if queued and helpers:
        from outcomes.results.tasks import results_queue_process_task

        for _ in range(helpers):
            transaction.on_commit(results_queue_process_task.delay)
    return results_queue_process(actor=actor)
