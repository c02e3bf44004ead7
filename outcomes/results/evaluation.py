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
from datetime import date
from typing import Any, Final

from django.db import connection, transaction
from django.utils import timezone

from agencies.models import User
from audit.history import actor_context
from families.models import Family
from families.services import family_transition
from families.states import FamilyStatus
from oneplan.errors import ApplicationError
from oneplan.locks import run_alone
from outcomes.models import Attachment, Result
from outcomes.results.services import FamilyResults, results_compute

logger = logging.getLogger(__name__)

# Namespaces of pg_advisory_*lock's two-key form (feeds 7401, assessment 7402 and 7403).
_FAMILY_LOCK: Final = 7404
_RUN_ALL_LOCK: Final = 7405
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


def _evaluate_chunk(actor: User, family_ids: list[int], as_of: date) -> EvaluationCounts:
    counts = EvaluationCounts()
    with transaction.atomic():
        _lock(family_ids)
        families = list(
            Family.objects.filter(pk__in=family_ids, attachment__isnull=False).order_by("pk")
        )
        current = {
            r.family_id: r for r in Result.objects.filter(family_id__in=family_ids, is_current=True)
        }
        now = timezone.now()
        for family in families:
            try:
                computed = results_compute(family=family, as_of=as_of)
            except ApplicationError as exc:
                # Before its attachment date, or rules that cannot be used: nothing to store.
                logger.info("Results of %s not evaluated: %s", family.reference, exc)
                continue
            counts.families += 1
            fingerprint = decision_fingerprint(computed)
            stored = current.get(family.pk)
            if stored is not None and stored.fingerprint == fingerprint:
                if stored.as_of != as_of:
                    stored.as_of, stored.evaluated_at = as_of, now
                    stored.checks = _checks_json(computed)
                    stored.readiness_reasons = list(computed.readiness.reasons)
                    stored.save(
                        update_fields=["as_of", "evaluated_at", "checks", "readiness_reasons"]
                    )
                    counts.refreshed += 1
            else:
                if stored is not None:
                    stored.is_current = False
                    stored.save(update_fields=["is_current"])
                results, readiness = computed.results, computed.readiness
                Result.objects.create(
                    family=family,
                    framework=results.framework,
                    framework_version_id=computed.attachment.framework_version_id,
                    as_of=as_of,
                    checks=_checks_json(computed),
                    route=results.route or "",
                    achieved_on=results.achieved_on,
                    readiness=readiness.status,
                    readiness_reasons=list(readiness.reasons),
                    fingerprint=fingerprint,
                    is_current=True,
                    evaluated_at=now,
                )
                counts.written += 1
            moved = _follow_journey(actor, family, computed)
            counts.moved += moved is True
            counts.held += moved is None
    return counts


def results_families_run(
    *, actor: User, family_ids: Iterable[int], as_of: date, chunk_size: int = CHUNK_SIZE
) -> EvaluationCounts:
    """Evaluate these families' results on ``as_of`` (those attached), storing what
    changed and moving them along the journey; each chunk commits on its own."""
    ids = sorted(set(family_ids))
    total = EvaluationCounts()
    with actor_context(actor):
        for start in range(0, len(ids), chunk_size):
            counts = _evaluate_chunk(actor, ids[start : start + chunk_size], as_of)
            for name, value in counts.as_dict().items():
                setattr(total, name, getattr(total, name) + value)
    logger.info("Evaluated results of %s families: %s", total.families, total.as_dict())
    return total


def results_all_run(*, actor: User, as_of: date | None = None) -> EvaluationCounts | None:
    """Every attached family (the nightly run): results move with the date. Returns None
    when another run holds the lock already."""
    day = as_of or timezone.localdate()
    with run_alone(_RUN_ALL_LOCK) as held:
        if not held:
            return None
        ids = list(Attachment.objects.order_by("family_id").values_list("family_id", flat=True))
        return results_families_run(actor=actor, family_ids=ids, as_of=day)
