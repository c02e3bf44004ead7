"""The records matching works with and the rows it writes, set-based: who a feed row
is about (``SourceIdentity``), what matching plans for each, and the bulk writes of
sources, decisions and review-queue entries that ``outcomes.matching.pipeline`` makes
under its lock."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models.base import ModelState

from agencies.models import Agency, User
from outcomes.matching.bulk import (
    column,
    copy_model_rows,
    copy_rows,
    deferred_checks_run,
    history_by_statement,
    history_write,
    json_text,
    next_ids,
)
from outcomes.matching.scoring import (
    MatchVerdict,
)
from outcomes.models import (
    FeedSubmission,
    MatchDecision,
    MatchMethod,
    MatchReview,
    SourcePerson,
)

IDENTIFIERS: tuple[tuple[str, MatchMethod], ...] = (
    ("upn", MatchMethod.UPN),
    ("nhs_number", MatchMethod.NHS_NUMBER),
    ("ni_number", MatchMethod.NI_NUMBER),
)
IDENTITY_FIELDS = (
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "address_line_1",
    "postcode",
    "uprn",
    "household_id",
    "upn",
    "nhs_number",
    "ni_number",
)


@dataclass(frozen=True)
class SourceIdentity:
    """Who one feed row is about, as the agency holds it: validated and normalised by
    ``families.identifiers`` already; optional values are ""."""

    source_person_id: str
    given_name: str
    family_name: str
    date_of_birth: datetime.date
    sex: str = ""
    address_line_1: str = ""
    postcode: str = ""
    uprn: str = ""
    household_id: str = ""
    upn: str = ""
    nhs_number: str = ""
    ni_number: str = ""


@dataclass
class MatchSummary:
    """What matching did: one source per identity given (by ``source_person_id``), the
    counts for the submission, and every family touched (before and after any move)."""

    sources: dict[str, SourcePerson]
    matched: int = 0
    sent_to_review: int = 0
    created: int = 0
    family_ids: set[int] = field(default_factory=set)


@dataclass
class ExistingSource:
    pk: int
    person_id: int | None
    identity: SourceIdentity
    match_method: str
    match_score: float | None
    match_fields: dict[str, Any]
    linked_at: datetime.datetime | None
    linked_by_id: int | None
    created_at: datetime.datetime


@dataclass
class RecordPlan:
    identity: SourceIdentity
    existing: ExistingSource | None
    kind: str = ""  # known, link, review, new
    person_id: int | None = None
    method: str = ""
    score: float | None = None
    fields: dict[str, str] = field(default_factory=dict)
    verdict: MatchVerdict | None = None


_SOURCE_FIELDS = [
    "agency",
    "source_person_id",
    "person",
    *IDENTITY_FIELDS,
    "match_method",
    "match_score",
    "match_fields",
    "linked_at",
    "linked_by",
    "last_submission",
    "created_at",
    "updated_at",
]
_SOURCE_TEMP = "matching_source_update"


def sources_upsert(
    agency: Agency,
    submission: FeedSubmission | None,
    plans: list[RecordPlan],
    now: datetime.datetime,
) -> dict[str, SourcePerson]:
    """Write every plan's SourcePerson: new ones copied in, known ones updated in one
    statement (the advisory lock means no one else adds this agency's records
    meanwhile). Builds the models without reading them back."""
    new_ids = iter(next_ids(SourcePerson, sum(1 for p in plans if p.existing is None)))
    inserted: list[list[Any]] = []
    updated: list[list[Any]] = []
    for plan in plans:
        ident, old = plan.identity, plan.existing
        if plan.kind == "known":
            assert old is not None
            match = [old.match_method, old.match_score, old.match_fields]
            linked = [old.linked_at, old.linked_by_id]
        elif plan.kind == "review":
            match, linked = ["", None, {}], [None, None]
        elif plan.kind == "new":
            match, linked = [MatchMethod.NEW_PERSON.value, None, {}], [now, None]
        else:
            match, linked = [plan.method, plan.score, plan.fields], [now, None]
        row = [
            old.pk if old else next(new_ids),
            agency.pk,
            ident.source_person_id,
            plan.person_id,
            *(getattr(ident, name) for name in IDENTITY_FIELDS),
            *match,
            *linked,
            submission.pk if submission else None,
            old.created_at if old else now,
            now,
        ]
        (updated if old else inserted).append(row)
    with history_by_statement(SourcePerson):
        copy_model_rows(
            SourcePerson, ["id", *_SOURCE_FIELDS], (json_fields(row) for row in inserted)
        )
        history_write(SourcePerson, "insert", [row[0] for row in inserted])
        if updated:
            sources_update(updated)
            history_write(SourcePerson, "update", [row[0] for row in updated])
    return sources_build(agency, inserted + updated)


def sources_build(agency: Agency, rows: list[list[Any]]) -> dict[str, SourcePerson]:
    """SourcePerson models from the rows just written, as if read back.

    Filled in directly rather than through ``Model.__init__``, which costs about 30 us
    a row in foreign key descriptors: 3 seconds of a 100,000-record import. The models
    are the same (``__init__`` of this model does nothing else: no signals listen).
    """
    concrete = SourcePerson._meta.concrete_fields
    attnames = [f.attname for f in concrete]
    position = {name: i for i, name in enumerate(["id", *_SOURCE_FIELDS])}
    order = [position[f.name] for f in concrete]
    sources: dict[str, SourcePerson] = {}
    new = SourcePerson.__new__
    for row in rows:
        source = new(SourcePerson)
        source.__dict__.update(zip(attnames, [row[i] for i in order], strict=True))
        state = ModelState()
        state.adding = False
        state.db = "default"
        state.fields_cache = {"agency": agency}
        source._state = state
        sources[source.source_person_id] = source
    return sources


_MATCH_FIELDS_AT = 3 + len(IDENTITY_FIELDS) + 3


_JSON_CACHE: dict[tuple[tuple[str, str], ...], str] = {}


def json_cached(fields: dict[str, str]) -> str:
    # A few hundred combinations of field outcomes cover a whole import.
    key = tuple(fields.items())
    text = _JSON_CACHE.get(key)
    if text is None:
        text = _JSON_CACHE[key] = json_text(fields)
    return text


def json_fields(row: list[Any]) -> list[Any]:
    encoded = list(row)
    encoded[_MATCH_FIELDS_AT] = json_cached(row[_MATCH_FIELDS_AT])
    return encoded


def sources_update(rows: list[list[Any]]) -> None:
    table = SourcePerson._meta.db_table
    columns = ["id", *(column(SourcePerson, name) for name in _SOURCE_FIELDS)]
    with connection.cursor() as cursor:
        # Same column types as the table, none of its constraints or defaults.
        cursor.execute(f"DROP TABLE IF EXISTS {_SOURCE_TEMP}")
        cursor.execute(
            f"CREATE TEMP TABLE {_SOURCE_TEMP} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {', '.join(columns)} FROM {table} WITH NO DATA"
        )
    not_null = ["id"] + [
        column(SourcePerson, name)
        for name in _SOURCE_FIELDS
        if not getattr(SourcePerson._meta.get_field(name), "null", False)
    ]
    copy_rows(_SOURCE_TEMP, columns, (json_fields(row) for row in rows), not_null=not_null)
    assignments = ", ".join(f"{c} = u.{c}" for c in columns if c not in ("id", "created_at"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} s SET {assignments} FROM {_SOURCE_TEMP} u WHERE s.id = u.id"  # noqa: S608
        )
    deferred_checks_run()


def decisions_write(
    actor: User,
    submission: FeedSubmission | None,
    rows: list[tuple[int, str, int | None, int | None, str, float | None, dict[str, Any], str]],
    now: datetime.datetime,
) -> None:
    copy_model_rows(
        MatchDecision,
        [
            "source",
            "kind",
            "person",
            "previous_person",
            "method",
            "score",
            "fields",
            "reason",
            "actor",
            "submission",
            "created_at",
        ],
        (
            (
                *row[:6],
                json_cached(row[6]),
                row[7],
                actor.pk,
                submission.pk if submission else None,
                now,
            )
            for row in rows
        ),
    )


def reviews_write(
    plans: list[RecordPlan],
    sources: dict[str, SourcePerson],
    submission: FeedSubmission | None,
    now: datetime.datetime,
) -> set[int]:
    """Pending reviews for each plan's candidates; returns the sources that got a new one
    (a source already waiting with the same candidates is left as it is)."""
    values: list[tuple[Any, ...]] = []
    for plan in plans:
        assert plan.verdict is not None
        source_id = sources[plan.identity.source_person_id].pk
        for candidate in plan.verdict.review:
            values.append(
                (
                    source_id,
                    candidate.person_id,
                    candidate.score,
                    candidate.comparison.levels,
                )
            )
    if not values:
        return set()
    table = MatchReview._meta.db_table
    with history_by_statement(MatchReview), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (source_id, candidate_id, score, field_agreement, status,"  # noqa: S608
            " submission_id, created_at, decision_note)"
            " SELECT s, c, sc, fa::jsonb, 'pending', %s, %s, ''"
            " FROM unnest(%s::bigint[], %s::bigint[], %s::float8[], %s::text[])"
            " AS v(s, c, sc, fa)"
            " ON CONFLICT (source_id, candidate_id) WHERE status = 'pending' DO NOTHING"
            " RETURNING id, source_id",
            [
                submission.pk if submission else None,
                now,
                [v[0] for v in values],
                [v[1] for v in values],
                [v[2] for v in values],
                [json_value(v[3]) for v in values],
            ],
        )
        returned = cursor.fetchall()
        history_write(MatchReview, "insert", [pk for pk, _ in returned])
        waiting = {source_id for _, source_id in returned}
    deferred_checks_run()
    return waiting


def json_value(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))
