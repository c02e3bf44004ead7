"""Assessing families' eligibility, set-based (ARCHITECTURE.md "Jobs"; DOMAIN.md 4).

A chunk of families is assessed in a handful of queries: their household members, their
evidence (only what the framework's longest window can see), their current assessments.
The pure rule runs in memory; results are written in bulk, and only where something
changed:

- the **fingerprint** (evidence rows and their update times, members, framework
  version, assessment date) equals the current assessment's: nothing to do, the rule
  is not even run;
- the inputs changed but the result did not (typically the next day): the current row
  is brought up to date in place (date, fingerprint, time);
- the result changed: the current row stops being current and a new row is written,
  so the history of what a family was assessed as, and when, is kept.

Two workers never assess the same family at once: each chunk takes a transaction-level
advisory lock per family, in id order (so two chunks cannot deadlock), before it reads.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any, Final

import orjson
from django.db import connection, transaction
from django.utils import timezone

from agencies.models import User
from audit.history import actor_context
from families.models import Family, HouseholdMembership, Person
from oneplan.errors import ApplicationError
from oneplan.locks import run_alone
from outcomes.assessment.needs import identified_needs_open
from outcomes.assessment.selectors import FrameworkChooser
from outcomes.frameworks.base import CriteriaParameters
from outcomes.frameworks.registry import FRAMEWORK_CODES
from outcomes.frameworks.rules import rules_for
from outcomes.frameworks.stability import Horizon, Spans, spans_from, stable_until
from outcomes.frameworks.types import Fact, Household, Member, ParameterError, RuleResult
from outcomes.models import (
    Assessment,
    AssessmentQueue,
    EvaluationKind,
    EvaluationRun,
    Evidence,
    FrameworkVersion,
)

logger = logging.getLogger(__name__)

# Namespaces of pg_advisory_*lock's two-key form (feeds use 7401).
_FAMILY_LOCK: Final = 7402
_RUN_ALL_LOCK: Final = 7403
CHUNK_SIZE: Final = 1000
VERSION_1_NOTE: Final = "Version 1: the national guidance's rules and OnePlan's defaults"

# Kinds whose evidence is a spell (start and end): an old start can still be open.
SPELL_KINDS: Final = ("benefits", "employment", "social_care", "health", "neet")

Progress = Callable[[int, int], None]

# The kind of background job that runs an assessment or an Outcome Plan preview
# (``outcome_plan.outcome_plan_preview``).
ASSESSMENT_RUN_JOB = "assessment_run"


@dataclass
class RunCounts:
    """What a run did: families looked at, new results written, results brought up to
    date in place, and families whose inputs had not changed at all."""

    families: int = 0
    written: int = 0
    refreshed: int = 0
    unchanged: int = 0

    def add(self, other: RunCounts) -> None:
        self.families += other.families
        self.written += other.written
        self.refreshed += other.refreshed
        self.unchanged += other.unchanged

    def as_dict(self) -> dict[str, int]:
        return {
            "families": self.families,
            "written": self.written,
            "refreshed": self.refreshed,
            "unchanged": self.unchanged,
        }


@dataclass(frozen=True)
class LoadedVersion:
    version: FrameworkVersion
    parameters: CriteriaParameters

    @cached_property
    def spans(self) -> Spans:
        # Parameters left out take the defaults: their windows count too.
        defaults = rules_for(self.version.framework).default_parameters()
        return spans_from(self.version.parameters) | spans_from(defaults)


@dataclass
class LoadedFamily:
    family_id: int
    attached_on: date | None
    members: list[Member] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    # (evidence id, updated_at in microseconds), for the fingerprint.
    stamps: list[tuple[int, int]] = field(default_factory=list)
    # The first evidence dated after the day loaded: a window gains it that day.
    next_evidence_on: date | None = None

    @property
    def household(self) -> Household:
        return Household(members=tuple(self.members), facts=tuple(self.facts))


# ---------------------------------------------------------------------------
# Reference data: framework periods and versions (a few rows, read once per run)
# ---------------------------------------------------------------------------


def framework_versions_ensure() -> None:
    """Give every framework a version 1 from its default parameters if it has none (the
    data migration seeds them; an emptied table must not stop assessment)."""
    have = set(FrameworkVersion.objects.values_list("framework", flat=True).distinct())
    for code in FRAMEWORK_CODES:
        if code not in have:
            FrameworkVersion.objects.get_or_create(
                framework=code,
                version=1,
                defaults={
                    "parameters": rules_for(code).default_parameters(),
                    "change_note": VERSION_1_NOTE,
                    "created_at": timezone.now(),
                },
            )


def framework_versions_current() -> dict[str, LoadedVersion]:
    """The latest version of each framework, parsed. A version that cannot be parsed is
    a configuration error worth failing loudly on, not a family left unassessed."""
    framework_versions_ensure()
    latest: dict[str, FrameworkVersion] = {}
    for version in FrameworkVersion.objects.order_by("framework", "-version").distinct("framework"):
        latest[version.framework] = version
    loaded: dict[str, LoadedVersion] = {}
    for code, version in latest.items():
        try:
            parameters = rules_for(code).parse_parameters(version.parameters)
        except ParameterError as exc:
            raise ApplicationError(f"{version} cannot be used: {exc}") from exc
        loaded[code] = LoadedVersion(version, parameters)
    return loaded


# ---------------------------------------------------------------------------
# Loading a chunk of families in three queries
# ---------------------------------------------------------------------------


def families_load(
    family_ids: Sequence[int], *, as_of: date, lookback_start: date
) -> dict[int, LoadedFamily]:
    """Members on ``as_of`` and the evidence about them that a rule looking back to
    ``lookback_start`` can see, for these families; and the date of the first evidence
    dated after ``as_of`` (in the fingerprint too: its arrival moves the day the answer
    holds until)."""
    families: dict[int, LoadedFamily] = {}
    by_person: dict[int, list[LoadedFamily]] = defaultdict(list)
    family_table = Family._meta.db_table
    membership_table = HouseholdMembership._meta.db_table
    person_table = Person._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, attached_on FROM {family_table} WHERE id = ANY(%s)",  # noqa: S608
            [list(family_ids)],
        )
        for family_id, attached_on in cursor.fetchall():
            families[family_id] = LoadedFamily(family_id, attached_on)
        cursor.execute(
            f"SELECT m.family_id, m.person_id, p.given_name, p.date_of_birth, m.start_date, "  # noqa: S608
            f"m.end_date FROM {membership_table} m JOIN {person_table} p ON p.id = m.person_id "
            "WHERE m.family_id = ANY(%s) AND (m.end_date IS NULL OR m.end_date >= %s) "
            "ORDER BY m.family_id, m.person_id, m.id",
            [list(family_ids), as_of],
        )
        for family_id, person_id, given_name, born, start, end in cursor.fetchall():
            loaded = families[family_id]
            loaded.members.append(Member(person_id, given_name, born, start, end))
            by_person[person_id].append(loaded)
        if not by_person:
            return families
        cursor.execute(
            f"SELECT id, person_id, kind, date, end_date, data::text, "  # noqa: S608
            "(extract(epoch FROM updated_at) * 1000000)::bigint "
            f"FROM {Evidence._meta.db_table} WHERE person_id = ANY(%s) "
            "AND (date >= %s OR (kind = ANY(%s) AND (end_date IS NULL OR end_date >= %s))) "
            "ORDER BY id",
            [list(by_person), lookback_start, list(SPELL_KINDS), lookback_start],
        )
        for ev_id, person_id, kind, day, end, data, stamp in cursor.fetchall():
            if day > as_of:
                for loaded in by_person[person_id]:
                    loaded.stamps.append((ev_id, stamp))
                    if loaded.next_evidence_on is None or day < loaded.next_evidence_on:
                        loaded.next_evidence_on = day
                continue
            # Read as text and decoded here: psycopg2's jsonb typecaster costs a Python
            # call a row before any decoding.
            fact = Fact(ev_id, person_id, kind, day, end, orjson.loads(data))
            for loaded in by_person[person_id]:
                loaded.facts.append(fact)
                loaded.stamps.append((ev_id, stamp))
    return families


def fingerprint(loaded: LoadedFamily, *, framework: str, version_id: int, as_of: date) -> str:
    """A hash of everything the rule sees; equal fingerprints mean equal results."""
    digest = hashlib.sha256(f"{framework}|{version_id}|{as_of.isoformat()}".encode())
    for m in loaded.members:
        digest.update(
            f"|m{m.person_id},{m.given_name},{m.date_of_birth},{m.start_date},{m.end_date}".encode()
        )
    for ev_id, stamp in loaded.stamps:
        digest.update(f"|e{ev_id},{stamp}".encode())
    return digest.hexdigest()


# ---------------------------------------------------------------------------
# Assessing a chunk
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Current:
    id: int
    framework: str
    fingerprint: str


def _lock_families(family_ids: Sequence[int]) -> None:
    # Array order is lock order; ids are sorted, so two chunks never wait on each other
    # in a cycle.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_advisory_xact_lock(%s, id)) FROM unnest(%s::int[]) AS id",
            [_FAMILY_LOCK, sorted(family_ids)],
        )


def _assess_chunk(
    family_ids: Sequence[int],
    *,
    actor: User,
    as_of: date,
    versions: Mapping[str, LoadedVersion],
    chooser: FrameworkChooser,
    framework: str | None = None,
    open_needs: bool = True,
) -> RunCounts:
    """Assess these families and write what changed. Runs inside the caller's
    transaction, after taking each family's lock."""
    _lock_families(family_ids)
    lookback = min(v.parameters.lookback_start(as_of) for v in versions.values())
    loaded = families_load(family_ids, as_of=as_of, lookback_start=lookback)
    table = Assessment._meta.db_table
    current: dict[tuple[int, str], _Current] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, family_id, framework, fingerprint FROM {table} "  # noqa: S608
            "WHERE is_current AND family_id = ANY(%s)",
            [list(loaded)],
        )
        for row_id, family_id, fw, fp in cursor.fetchall():
            current[(family_id, fw)] = _Current(row_id, fw, fp)

    counts = RunCounts()
    pending: list[tuple[LoadedFamily, str, LoadedVersion, str, _Current | None]] = []
    for family in loaded.values():
        counts.families += 1
        code = framework or chooser.for_family(family.attached_on, as_of)
        version = versions[code]
        fp = fingerprint(family, framework=code, version_id=version.version.pk, as_of=as_of)
        existing = current.get((family.family_id, code))
        if existing is not None and existing.fingerprint == fp:
            counts.unchanged += 1
            continue
        pending.append((family, code, version, fp, existing))
    if not pending:
        return counts

    # Only now read the stored results, and only of the families that need comparing.
    stored: dict[int, tuple[int, bool, Any]] = {}
    compare = [p[4].id for p in pending if p[4] is not None]
    if compare:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, framework_version_id, eligible, criteria FROM {table} "  # noqa: S608
                "WHERE id = ANY(%s)",
                [compare],
            )
            for row_id, version_id, eligible, criteria in cursor.fetchall():
                if isinstance(criteria, str):
                    criteria = orjson.loads(criteria)
                stored[row_id] = (version_id, eligible, criteria)
    now = timezone.now()
    new_rows: list[tuple[int, int, str, bool, str, int, str, date]] = []
    retired: list[int] = []
    refreshed: list[tuple[int, str, date]] = []
    horizons: dict[int, Horizon] = {}
    for family, code, version, fp, existing in pending:
        result = rules_for(code).assess(family.household, version.parameters, as_of)
        criteria = result.criteria_json()
        # A period boundary changes which framework an unattached family is judged by.
        anchors = [family.attached_on, family.next_evidence_on, *chooser.starts]
        horizon = horizons.get(version.version.pk)
        if horizon is None:
            horizon = horizons[version.version.pk] = Horizon.on(as_of, version.spans)
        valid_until = stable_until(family.household, horizon, anchors)
        if existing is not None:
            version_id, eligible, old_criteria = stored[existing.id]
            same = (version_id, eligible, old_criteria) == (
                version.version.pk,
                result.eligible,
                criteria,
            )
            if same:
                refreshed.append((existing.id, fp, valid_until))
                continue
            retired.append(existing.id)
        new_rows.append(
            (
                family.family_id,
                version.version.pk,
                code,
                result.eligible,
                orjson.dumps(criteria).decode(),
                result.met_count,
                fp,
                valid_until,
            )
        )
    with connection.cursor() as cursor:
        if retired:
            cursor.execute(
                f"UPDATE {table} SET is_current = false WHERE id = ANY(%s)",  # noqa: S608
                [retired],
            )
        if refreshed:
            cursor.execute(
                f"UPDATE {table} AS a SET as_of = %s, assessed_at = %s, fingerprint = v.fp, "  # noqa: S608
                "valid_until = v.until FROM unnest(%s::bigint[], %s::text[], %s::date[]) "
                "AS v(id, fp, until) WHERE a.id = v.id",
                [
                    as_of,
                    now,
                    [r[0] for r in refreshed],
                    [r[1] for r in refreshed],
                    [r[2] for r in refreshed],
                ],
            )
        if new_rows:
            # One statement per chunk: Django's bulk_create spent more time building
            # the SQL than PostgreSQL spent inserting.
            columns = list(zip(*new_rows, strict=True))
            cursor.execute(
                f"INSERT INTO {table} (family_id, framework_version_id, framework, as_of, "  # noqa: S608
                "eligible, criteria, met_count, fingerprint, is_current, assessed_at, "
                "valid_until) SELECT f, v, fw, %s, e, c::jsonb, m, fp, true, %s, u "
                "FROM unnest(%s::bigint[], %s::bigint[], %s::text[], %s::boolean[], "
                "%s::text[], %s::int[], %s::text[], %s::date[]) AS t(f, v, fw, e, c, m, fp, u)",
                [as_of, now, *[list(column) for column in columns]],
            )
    counts.written += len(new_rows)
    counts.refreshed += len(refreshed)
    if new_rows and open_needs:
        # A changed result may name a new problem: it becomes one of the family's needs.
        identified_needs_open((row[0] for row in new_rows), actor=actor)
    return counts


def assessment_families_run(
    *,
    actor: User,
    family_ids: Iterable[int],
    as_of: date,
    framework: str | None = None,
    chunk_size: int = CHUNK_SIZE,
    progress: Progress | None = None,
    open_needs: bool = True,
) -> RunCounts:
    """Assess these families on ``as_of``, each under the framework that applies to it
    (or ``framework``), writing only what changed. Each chunk commits on its own, so a
    long run keeps what it has done if it stops. The criteria a new result meets are
    opened as the family's needs (``open_needs=False`` leaves needs alone)."""
    ids = sorted(set(family_ids))
    versions = framework_versions_current()
    chooser = FrameworkChooser.load()
    counts = RunCounts()
    for start in range(0, len(ids), chunk_size):
        chunk = ids[start : start + chunk_size]
        with transaction.atomic(), actor_context(actor):
            counts.add(
                _assess_chunk(
                    chunk,
                    actor=actor,
                    as_of=as_of,
                    versions=versions,
                    chooser=chooser,
                    framework=framework,
                    open_needs=open_needs,
                )
            )
        if progress is not None:
            progress(min(start + chunk_size, len(ids)), len(ids))
    logger.info("Assessed %s families for %s: %s", len(ids), actor, counts.as_dict())
    return counts


def assessment_queue_process(
    *,
    actor: User,
    as_of: date | None = None,
    chunk_size: int = CHUNK_SIZE,
    progress: Progress | None = None,
    total: int = 0,
) -> RunCounts:
    """Assess the families waiting in the queue, then remove them from it.

    Each round takes queue rows nobody else holds (``SKIP LOCKED``), so several workers
    share the queue; the rows stay locked until the round commits, so a family queued
    again meanwhile (a new import) waits and is queued afresh after it."""
    day = as_of or timezone.localdate()
    versions = framework_versions_current()
    chooser = FrameworkChooser.load()
    counts = RunCounts()
    queue_table = AssessmentQueue._meta.db_table
    while True:
        with transaction.atomic(), actor_context(actor):
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT family_id FROM {queue_table} ORDER BY queued_at, family_id "  # noqa: S608
                    "LIMIT %s FOR UPDATE SKIP LOCKED",
                    [chunk_size],
                )
                ids = [row[0] for row in cursor.fetchall()]
            if not ids:
                break
            counts.add(
                _assess_chunk(ids, actor=actor, as_of=day, versions=versions, chooser=chooser)
            )
            with connection.cursor() as cursor:
                cursor.execute(
                    f"DELETE FROM {queue_table} WHERE family_id = ANY(%s)",  # noqa: S608
                    [ids],
                )
        if progress is not None:
            progress(counts.families, max(total, counts.families))
    if counts.families:
        logger.info(
            "Assessed %s queued families for %s: %s", counts.families, actor, counts.as_dict()
        )
    return counts


# Families the nightly run looks at: those with no current assessment under a current
# framework version that holds on the day (``valid_until``), and, since the watermark
# (the start of the last finished run), those with new or changed evidence, people or
# family record. (Imports and match decisions queue the families they touch at once.)
_DUE_SQL: Final = """
INSERT INTO outcomes_assessmentqueue (family_id, queued_at)
SELECT f.id, now() FROM families_family f
WHERE %(everyone)s
    OR NOT EXISTS (
        SELECT 1 FROM outcomes_assessment a
        WHERE a.family_id = f.id AND a.is_current AND a.valid_until >= %(day)s
        AND a.as_of <= %(day)s AND a.framework_version_id = ANY(%(versions)s)
    )
    OR f.id IN (
        SELECT m.family_id FROM outcomes_evidence e
        JOIN families_householdmembership m ON m.person_id = e.person_id
        WHERE e.updated_at >= %(since)s
        UNION SELECT m.family_id FROM families_person p
        JOIN families_householdmembership m ON m.person_id = p.id
        WHERE p.updated_at >= %(since)s
        UNION SELECT id FROM families_family WHERE updated_at >= %(since)s
    )
ON CONFLICT (family_id) DO UPDATE SET queued_at = EXCLUDED.queued_at
"""


def _last_finished_start() -> datetime | None:
    return (
        EvaluationRun.objects.filter(kind=EvaluationKind.ELIGIBILITY, finished_at__isnull=False)
        .order_by("-started_at")
        .values_list("started_at", flat=True)
        .first()
    )


def assessment_all_run(
    *,
    actor: User,
    as_of: date | None = None,
    chunk_size: int = CHUNK_SIZE,
    progress: Progress | None = None,
    everyone: bool = False,
) -> RunCounts | None:
    """The nightly run: assess the families whose answer may have changed since it was
    given (the day after its ``valid_until``, a new framework version, anything new
    about them since the last finished run); ``everyone`` (or no finished run yet):
    every family. Families already waiting in the queue are assessed with them. Returns
    None when another run holds the lock already."""
    day = as_of or timezone.localdate()
    with run_alone(_RUN_ALL_LOCK) as held:
        if not held:
            return None
        since = None if everyone else _last_finished_start()
        everyone = everyone or since is None
        run = EvaluationRun.objects.create(
            kind=EvaluationKind.ELIGIBILITY,
            as_of=day,
            everyone=everyone,
            started_at=timezone.now(),
        )
        versions = [v.version.pk for v in framework_versions_current().values()]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                _DUE_SQL, {"day": day, "everyone": everyone, "since": since, "versions": versions}
            )
            queued = cursor.rowcount
        counts = assessment_queue_process(
            actor=actor, as_of=day, chunk_size=chunk_size, progress=progress, total=queued
        )
        run.counts = {"queued": queued, **counts.as_dict()}
        run.finished_at = timezone.now()
        run.save(update_fields=["counts", "finished_at"])
        return counts


# ---------------------------------------------------------------------------
# Assessing without writing: the command line (the Outcome Plan's preview, which
# compares two versions over every family, is in outcome_plan.py)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FamilyAssessment:
    framework: str
    version: FrameworkVersion
    result: RuleResult


def assessment_compute(
    *, family: Family, as_of: date, framework: str | None = None
) -> FamilyAssessment:
    """One family's assessment, computed and not stored."""
    versions = framework_versions_current()
    code = framework or FrameworkChooser.load().for_family(family.attached_on, as_of)
    if code not in versions:
        raise ApplicationError(f"Framework {code} has no version to assess with")
    version = versions[code]
    loaded = families_load(
        [family.pk], as_of=as_of, lookback_start=version.parameters.lookback_start(as_of)
    )[family.pk]
    result = rules_for(code).assess(loaded.household, version.parameters, as_of)
    return FamilyAssessment(code, version.version, result)
