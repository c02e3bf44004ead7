"""Matching what agencies tell OnePlan about people to people (FEEDS.md "What a
submission produces", steps 2 and 3), and the decisions people make about matches.

``sources_match`` is what an import calls for a file's people. In order, a record is:

1. the same agency's ``person_id`` seen before and linked: it keeps its link (its
   identity is updated, and its household may change);
2. otherwise linked exactly on UPN, NHS number or NI number (in that order) to the
   person holding it;
3. otherwise scored against the candidates blocking finds (``blocking``, ``scoring``):
   high scores link, middle scores wait in the review queue, low scores create a person.

Linked and created people are then grouped into households (``households``). Every link
writes a ``MatchDecision`` saying how and why; a link can be undone.

Matching runs under one transaction-level advisory lock: two imports matching at once
could otherwise both create the same new person, or both create a family for the same
new address.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models.base import ModelState
from django.utils import timezone

from agencies.models import Agency, User
from families.models import HouseholdMembership, Person
from oneplan.errors import ApplicationError
from outcomes.assessment.queue import assessment_queue_add
from outcomes.matching.blocking import (
    BlockingInput,
    BlockingResult,
    candidates_search,
    phonetic_codes,
)
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
from outcomes.matching.households import HouseholdMember, household_keys, households_group
from outcomes.matching.policy import can_review_matches
from outcomes.matching.scoring import (
    Candidate,
    MatchOutcome,
    MatchThresholds,
    MatchVerdict,
    compare,
    match_decide,
    match_record,
    match_thresholds,
)
from outcomes.models import (
    Evidence,
    FeedSubmission,
    MatchDecision,
    MatchDecisionKind,
    MatchMethod,
    MatchReview,
    MatchReviewStatus,
    SourcePerson,
)

IDENTIFIERS: tuple[tuple[str, MatchMethod], ...] = (
    ("upn", MatchMethod.UPN),
    ("nhs_number", MatchMethod.NHS_NUMBER),
    ("ni_number", MatchMethod.NI_NUMBER),
)
_IDENTITY_FIELDS = (
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
_LOCK_SQL = "SELECT pg_advisory_xact_lock(hashtext('outcomes.matching'))"
PROGRESS_EVERY = 5000


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
class _Existing:
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
class _Plan:
    identity: SourceIdentity
    existing: _Existing | None
    kind: str = ""  # known, link, review, new
    person_id: int | None = None
    method: str = ""
    score: float | None = None
    fields: dict[str, str] = field(default_factory=dict)
    verdict: MatchVerdict | None = None


def _lock() -> None:
    with connection.cursor() as cursor:
        cursor.execute(_LOCK_SQL)


_LIMITS = {
    name: limit
    for name in ("given_name", "family_name", *_IDENTITY_FIELDS[3:])
    if (limit := getattr(SourcePerson._meta.get_field(name), "max_length", None))
}


def _check_lengths(identity: SourceIdentity) -> None:
    for name, limit in _LIMITS.items():
        if len(getattr(identity, name)) > limit:
            raise ValueError(
                f"{identity.source_person_id}: {name} is longer than {limit} characters"
            )
    if len(identity.source_person_id) > 100 or not identity.source_person_id:
        raise ValueError(f"person_id must be 1 to 100 characters: {identity.source_person_id!r}")


def _existing_sources(agency_id: int, ids: list[str]) -> dict[str, _Existing]:
    columns = ["id", "source_person_id", "person_id", *_IDENTITY_FIELDS]
    columns += ["match_method", "match_score", "match_fields", "linked_at", "linked_by_id"]
    columns += ["created_at"]
    found: dict[str, _Existing] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(columns)} FROM {SourcePerson._meta.db_table}"  # noqa: S608
            " WHERE agency_id = %s AND source_person_id = ANY(%s)",
            [agency_id, ids],
        )
        for row in cursor.fetchall():
            values = dict(zip(columns, row, strict=True))
            identity = SourceIdentity(
                source_person_id=values["source_person_id"],
                **{name: values[name] for name in _IDENTITY_FIELDS},
            )
            match_fields = values["match_fields"]
            found[identity.source_person_id] = _Existing(
                pk=values["id"],
                person_id=values["person_id"],
                identity=identity,
                match_method=values["match_method"],
                match_score=values["match_score"],
                match_fields=json.loads(match_fields)
                if isinstance(match_fields, str)
                else match_fields,
                linked_at=values["linked_at"],
                linked_by_id=values["linked_by_id"],
                created_at=values["created_at"],
            )
    return found


def _exact_matches(plans: list[_Plan]) -> None:
    """Link plans whose UPN, NHS or NI number a person holds (first identifier wins)."""
    for name, method in IDENTIFIERS:
        values = sorted({getattr(p.identity, name) for p in plans if getattr(p.identity, name)})
        if not values:
            continue
        with connection.cursor() as cursor:
            # "<> ''" lets PostgreSQL use the partial unique index on the identifier.
            cursor.execute(
                f"SELECT {name}, id FROM {Person._meta.db_table}"  # noqa: S608
                f" WHERE {name} <> '' AND {name} = ANY(%s)",
                [values],
            )
            holders = dict(cursor.fetchall())
        for plan in plans:
            if plan.kind:
                continue
            person_id = holders.get(getattr(plan.identity, name))
            if person_id is not None:
                plan.kind, plan.person_id, plan.method = "link", person_id, method.value
                plan.score = 1.0
                plan.fields = {name: "agrees"}


def _score_found(
    inputs: Sequence[BlockingInput],
    found: BlockingResult,
    plans: list[_Plan],
    thresholds: MatchThresholds,
) -> None:
    """Score each of ``inputs`` against its candidates in ``found`` and decide."""
    for item in inputs:
        plan = plans[item.position]
        given_code, family_code = found.codes.get(item.position, ("", ""))
        ident = plan.identity
        record = match_record(
            given_name=ident.given_name,
            family_name=ident.family_name,
            date_of_birth=ident.date_of_birth,
            given_code=given_code,
            family_code=family_code,
            sex=ident.sex,
            address_line_1=ident.address_line_1,
            postcode=ident.postcode,
            uprn=ident.uprn,
            upn=ident.upn,
            nhs_number=ident.nhs_number,
            ni_number=ident.ni_number,
        )
        candidates = [
            Candidate(
                c.person_id,
                compare(record, c.record, other_record_from_agency=c.other_record_from_agency),
            )
            for c in found.candidates.get(item.position, ())
        ]
        verdict = match_decide(candidates, thresholds)
        plan.verdict = verdict
        plan.score = verdict.best.score if verdict.best else None
        if verdict.outcome == MatchOutcome.LINK and verdict.best is not None:
            plan.kind, plan.person_id = "link", verdict.best.person_id
            plan.method = MatchMethod.SCORE.value
            plan.fields = verdict.best.comparison.fields
        elif verdict.outcome == MatchOutcome.REVIEW:
            plan.kind = "review"
        else:
            plan.kind = "new"


def _persons_create(identities: Sequence[SourceIdentity], now: datetime.datetime) -> list[int]:
    ids = next_ids(Person, len(identities))
    with history_by_statement(Person):
        _persons_copy(ids, identities, now)
        history_write(Person, "insert", ids)
    return ids


def _persons_copy(
    ids: list[int], identities: Sequence[SourceIdentity], now: datetime.datetime
) -> None:
    copy_model_rows(
        Person,
        [
            "id",
            "given_name",
            "family_name",
            "date_of_birth",
            "sex",
            "upn",
            "nhs_number",
            "ni_number",
            "created_at",
            "updated_at",
        ],
        (
            (
                pk,
                i.given_name.strip(),
                i.family_name.strip(),
                i.date_of_birth,
                i.sex,
                i.upn,
                i.nhs_number,
                i.ni_number,
                now,
                now,
            )
            for pk, i in zip(ids, identities, strict=True)
        ),
    )


def _plan_new_people(plans: list[_Plan], now: datetime.datetime) -> None:
    """Create a person for each "new" plan. Two records in one file with the same
    identifier are one new person (the second links to the first exactly), which also
    keeps Person's unique identifiers unique."""
    creating: list[_Plan] = []
    by_identifier: dict[tuple[str, str], _Plan] = {}
    followers: list[tuple[_Plan, _Plan, str]] = []
    for plan in plans:
        if plan.kind != "new":
            continue
        first = None
        for name, method in IDENTIFIERS:
            value = getattr(plan.identity, name)
            if value and (name, value) in by_identifier:
                first = (by_identifier[(name, value)], method.value, name)
                break
        if first is not None:
            leader, method_value, name = first
            followers.append((plan, leader, method_value))
            plan.kind, plan.fields = "link", {name: "agrees"}
            continue
        for name, _ in IDENTIFIERS:
            value = getattr(plan.identity, name)
            if value:
                by_identifier[(name, value)] = plan
        creating.append(plan)
    for plan, person_id in zip(
        creating, _persons_create([p.identity for p in creating], now), strict=True
    ):
        plan.person_id = person_id
        plan.method = MatchMethod.NEW_PERSON.value
    for plan, leader, method_value in followers:
        plan.person_id, plan.method, plan.score = leader.person_id, method_value, 1.0


_SOURCE_FIELDS = [
    "agency",
    "source_person_id",
    "person",
    *_IDENTITY_FIELDS,
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


def _sources_upsert(
    agency: Agency, submission: FeedSubmission | None, plans: list[_Plan], now: datetime.datetime
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
            *(getattr(ident, name) for name in _IDENTITY_FIELDS),
            *match,
            *linked,
            submission.pk if submission else None,
            old.created_at if old else now,
            now,
        ]
        (updated if old else inserted).append(row)
    with history_by_statement(SourcePerson):
        copy_model_rows(
            SourcePerson, ["id", *_SOURCE_FIELDS], (_json_fields(row) for row in inserted)
        )
        history_write(SourcePerson, "insert", [row[0] for row in inserted])
        if updated:
            _sources_update(updated)
            history_write(SourcePerson, "update", [row[0] for row in updated])
    return _sources_build(agency, inserted + updated)


def _sources_build(agency: Agency, rows: list[list[Any]]) -> dict[str, SourcePerson]:
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


_MATCH_FIELDS_AT = 3 + len(_IDENTITY_FIELDS) + 3


_JSON_CACHE: dict[tuple[tuple[str, str], ...], str] = {}


def _json_cached(fields: dict[str, str]) -> str:
    # A few hundred combinations of field outcomes cover a whole import.
    key = tuple(fields.items())
    text = _JSON_CACHE.get(key)
    if text is None:
        text = _JSON_CACHE[key] = json_text(fields)
    return text


def _json_fields(row: list[Any]) -> list[Any]:
    encoded = list(row)
    encoded[_MATCH_FIELDS_AT] = _json_cached(row[_MATCH_FIELDS_AT])
    return encoded


def _sources_update(rows: list[list[Any]]) -> None:
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
    copy_rows(_SOURCE_TEMP, columns, (_json_fields(row) for row in rows), not_null=not_null)
    assignments = ", ".join(f"{c} = u.{c}" for c in columns if c not in ("id", "created_at"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} s SET {assignments} FROM {_SOURCE_TEMP} u WHERE s.id = u.id"  # noqa: S608
        )
    deferred_checks_run()


def _decisions_write(
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
                _json_cached(row[6]),
                row[7],
                actor.pk,
                submission.pk if submission else None,
                now,
            )
            for row in rows
        ),
    )


def _reviews_write(
    plans: list[_Plan],
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
                [_json(v[3]) for v in values],
            ],
        )
        returned = cursor.fetchall()
        history_write(MatchReview, "insert", [pk for pk, _ in returned])
        waiting = {source_id for _, source_id in returned}
    deferred_checks_run()
    return waiting


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _current_families(person_ids: Sequence[int]) -> set[int]:
    if not person_ids:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT family_id FROM {HouseholdMembership._meta.db_table}"  # noqa: S608
            " WHERE end_date IS NULL AND person_id = ANY(%s)",
            [sorted(set(person_ids))],
        )
        return {family_id for (family_id,) in cursor.fetchall()}


def _member(plan_identity: SourceIdentity, agency_id: int, person_id: int) -> HouseholdMember:
    return HouseholdMember(
        person_id=person_id,
        date_of_birth=plan_identity.date_of_birth,
        keys=_keys(plan_identity, agency_id),
        address_line_1=plan_identity.address_line_1,
        postcode=plan_identity.postcode,
        uprn=plan_identity.uprn,
    )


def _keys(identity: SourceIdentity, agency_id: int) -> tuple[str, ...]:
    return household_keys(
        agency_id=agency_id,
        uprn=identity.uprn,
        household_id=identity.household_id,
        address_line_1=identity.address_line_1,
        postcode=identity.postcode,
    )


def sources_match(
    *,
    actor: User,
    agency: Agency,
    submission: FeedSubmission | None,
    identities: Sequence[SourceIdentity],
    as_of: datetime.date,
    progress: Callable[[int, int], None] | None = None,
) -> MatchSummary:
    """Match an agency's records to people and group them into households.

    Runs inside the caller's transaction (a failure leaves nothing half-written).
    ``as_of`` is the date of the data (the extract date): household moves start then.
    A ``source_person_id`` given twice counts once, with its last identity.
    ``progress(done, total)`` is called as chunks of records are matched.
    """
    unique = {identity.source_person_id: identity for identity in identities}
    for identity in unique.values():
        _check_lengths(identity)
    total = len(unique)
    summary = MatchSummary(sources={})
    if not total:
        return summary
    with transaction.atomic():
        _lock()
        deferred_checks_run()
        now = timezone.now()
        existing = _existing_sources(agency.pk, list(unique))
        plans = [_Plan(identity, existing.get(spid)) for spid, identity in unique.items()]
        for plan in plans:
            if plan.existing is not None and plan.existing.person_id is not None:
                plan.kind, plan.person_id = "known", plan.existing.person_id
        to_match = [p for p in plans if not p.kind]
        _exact_matches(to_match)
        to_score = [p for p in to_match if not p.kind]
        done = total - len(to_score)
        thresholds = match_thresholds()
        inputs = [
            BlockingInput(
                position=i,
                given_name=p.identity.given_name,
                family_name=p.identity.family_name,
                date_of_birth=p.identity.date_of_birth,
                postcode=p.identity.postcode,
            )
            for i, p in enumerate(to_score)
        ]
        for found in candidates_search(agency_id=agency.pk, inputs=inputs):
            for start in range(0, len(found.inputs), PROGRESS_EVERY):
                part = found.inputs[start : start + PROGRESS_EVERY]
                _score_found(part, found, to_score, thresholds)
                done += len(part)
                if progress is not None:
                    progress(done, total)
        _plan_new_people(plans, now)
        summary.sources = _sources_upsert(agency, submission, plans, now)

        decisions: list[
            tuple[int, str, int | None, int | None, str, float | None, dict[str, Any], str]
        ] = []
        reviews = [p for p in plans if p.kind == "review"]
        newly_waiting = _reviews_write(reviews, summary.sources, submission, now)
        settled: list[int] = []
        members: list[HouseholdMember] = []
        for plan in plans:
            source = summary.sources[plan.identity.source_person_id]
            if plan.kind == "known":
                summary.matched += 1
                assert plan.existing is not None and plan.person_id is not None
                if _keys(plan.existing.identity, agency.pk) != _keys(plan.identity, agency.pk):
                    members.append(_member(plan.identity, agency.pk, plan.person_id))
                continue
            if plan.kind == "review":
                summary.sent_to_review += 1
                if source.pk in newly_waiting:
                    assert plan.verdict is not None
                    best = plan.verdict.review[0]
                    decisions.append(
                        (
                            source.pk,
                            MatchDecisionKind.SENT_TO_REVIEW.value,
                            None,
                            None,
                            MatchMethod.SCORE.value,
                            best.score,
                            best.comparison.fields,
                            f"{len(plan.verdict.review)} possible matches wait for a decision",
                        )
                    )
                continue
            assert plan.person_id is not None
            if plan.existing is not None:
                settled.append(source.pk)
            members.append(_member(plan.identity, agency.pk, plan.person_id))
            if plan.kind == "new":
                summary.created += 1
                nearest = plan.score
                reason = (
                    f"No likely match (nearest score {nearest:.2f})"
                    if nearest is not None
                    else "No one like this was found"
                )
                decisions.append(
                    (
                        source.pk,
                        MatchDecisionKind.CREATED.value,
                        plan.person_id,
                        None,
                        MatchMethod.NEW_PERSON.value,
                        nearest,
                        {},
                        reason,
                    )
                )
            else:
                summary.matched += 1
                decisions.append(
                    (
                        source.pk,
                        MatchDecisionKind.LINKED.value,
                        plan.person_id,
                        None,
                        plan.method,
                        plan.score,
                        plan.fields,
                        "",
                    )
                )
        _decisions_write(actor, submission, decisions, now)
        if settled:
            # A record that waited in the review queue was settled by this file (an
            # identifier arrived, say): its waiting reviews go, its evidence follows.
            MatchReview.objects.filter(
                source_id__in=settled, status=MatchReviewStatus.PENDING
            ).delete()
            _evidence_follow(settled)
        summary.family_ids = households_group(
            actor=actor,
            members=members,
            as_of=as_of,
            reason=f"Identified from {agency.name} records",
        )
        summary.family_ids |= _current_families(
            [p.person_id for p in plans if p.person_id is not None]
        )
    if progress is not None:
        progress(total, total)
    return summary


def _evidence_follow(source_ids: Sequence[int]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Evidence._meta.db_table} e SET person_id = s.person_id, updated_at = now()"  # noqa: S608
            f" FROM {SourcePerson._meta.db_table} s"
            " WHERE e.source_id = s.id AND s.id = ANY(%s)"
            " AND e.person_id IS DISTINCT FROM s.person_id",
            [list(source_ids)],
        )


# ---------------------------------------------------------------------------------------
# Decisions by people: the review queue and undoing a link
# ---------------------------------------------------------------------------------------


def _identity_of(source: SourcePerson) -> SourceIdentity:
    return SourceIdentity(
        source_person_id=source.source_person_id,
        **{name: getattr(source, name) for name in _IDENTITY_FIELDS},
    )


def _person_from_source(source: SourcePerson) -> tuple[Person, list[str]]:
    """A new person with the source's identity. An identifier another person already
    holds stays with them (Person's identifiers are unique); returns which were left."""
    person = Person(
        given_name=source.given_name.strip(),
        family_name=source.family_name.strip(),
        date_of_birth=source.date_of_birth,
        sex=source.sex,
    )
    withheld: list[str] = []
    for name, _ in IDENTIFIERS:
        value = getattr(source, name)
        if not value:
            continue
        if Person.objects.filter(**{name: value}).exists():
            withheld.append(name)
        else:
            setattr(person, name, value)
    person.save()
    return person, withheld


def _regroup(actor: User, source: SourcePerson, person: Person, reason: str) -> set[int]:
    member = _member(_identity_of(source), source.agency_id, person.pk)
    return households_group(
        actor=actor, members=[member], as_of=timezone.localdate(), reason=reason
    )


@transaction.atomic
def match_review_decide(
    *, actor: User, review: MatchReview, same_person: bool, note: str = ""
) -> SourcePerson:
    """Settle a doubtful match from the review queue.

    ``same_person``: the source is ``review.candidate``; it links to them, and the
    source's other candidates are recorded as different people. Otherwise the source is
    none of its candidates and becomes a new person. Either way the source's evidence
    follows it, its household is grouped, and the families touched are re-assessed.
    """
    if not can_review_matches(actor):
        raise PermissionDenied("Only programme managers decide matches")
    _lock()
    source = SourcePerson.objects.select_for_update().get(pk=review.source_id)
    pending = list(
        MatchReview.objects.select_for_update(of=("self",))
        .filter(source=source, status=MatchReviewStatus.PENDING)
        .select_related("candidate")
    )
    chosen = next((r for r in pending if r.pk == review.pk), None)
    if chosen is None or source.person_id is not None:
        raise ApplicationError("This match has already been decided")
    note = note.strip()
    now = timezone.now()
    touched = _current_families([r.candidate_id for r in pending])
    if same_person:
        person = chosen.candidate
        fields = _fields_now(source, person)
        withheld: list[str] = []
        kind = MatchDecisionKind.LINKED
        source.match_score = chosen.score
        source.match_fields = fields
    else:
        person, withheld = _person_from_source(source)
        kind, fields = MatchDecisionKind.CREATED, {}
        source.match_score = None
        source.match_fields = {}
    for item in pending:
        item.status = (
            MatchReviewStatus.LINKED
            if same_person and item.pk == chosen.pk
            else MatchReviewStatus.NEW_PERSON
        )
        item.decided_by = actor
        item.decided_at = now
        item.decision_note = note
        item.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    source.person = person
    source.match_method = MatchMethod.REVIEW
    source.linked_at = now
    source.linked_by = actor
    source.save()
    reason = note
    if withheld:
        reason = (reason + "\n" if reason else "") + (
            "Kept with the person who already holds them: " + ", ".join(withheld)
        )
    MatchDecision.objects.create(
        source=source,
        kind=kind,
        person=person,
        method=MatchMethod.REVIEW,
        score=chosen.score if same_person else None,
        fields=fields,
        reason=reason,
        actor=actor,
        created_at=now,
    )
    Evidence.objects.filter(source=source).update(person=person, updated_at=now)
    touched |= _regroup(actor, source, person, f"Identified from {source.agency} records")
    touched |= _current_families([person.pk])
    assessment_queue_add(touched)
    return source


def _fields_now(source: SourcePerson, person: Person) -> dict[str, str]:
    """How the source and the person compare today (for the log of a reviewed link)."""
    from outcomes.matching.selectors import person_match_record, source_match_record

    codes = phonetic_codes(
        [source.given_name, source.family_name, person.given_name, person.family_name]
    )
    return compare(source_match_record(source, codes), person_match_record(person, codes)).fields


@transaction.atomic
def source_link_undo(*, actor: User, source: SourcePerson, reason: str) -> SourcePerson:
    """Undo a wrong link: the source becomes a new person of its own, its evidence
    moves with it, households are grouped again, and both families are re-assessed.

    A source that is its person's only record has nothing to be separated from.
    """
    if not can_review_matches(actor):
        raise PermissionDenied("Only programme managers undo links")
    if not reason.strip():
        raise ApplicationError("Enter why the link is wrong", field="reason")
    _lock()
    locked = (
        SourcePerson.objects.select_for_update(of=("self",))
        .select_related("agency")
        .get(pk=source.pk)
    )
    if locked.person_id is None:
        raise ApplicationError("This record is not linked to anyone")
    previous = Person.objects.get(pk=locked.person_id)
    if not SourcePerson.objects.filter(person=previous).exclude(pk=locked.pk).exists():
        raise ApplicationError(
            f"This is the only record of {previous.full_name}: there is nothing to separate it from"
        )
    now = timezone.now()
    touched = _current_families([previous.pk])
    person, withheld = _person_from_source(locked)
    locked.person = person
    locked.match_method = MatchMethod.UNLINKED
    locked.match_score = None
    locked.match_fields = {}
    locked.linked_at = now
    locked.linked_by = actor
    locked.save()
    text = reason.strip()
    if withheld:
        text += "\nKept with the person who already holds them: " + ", ".join(withheld)
    MatchDecision.objects.create(
        source=locked,
        kind=MatchDecisionKind.UNLINKED,
        person=person,
        previous_person=previous,
        method=MatchMethod.UNLINKED,
        reason=text,
        actor=actor,
        created_at=now,
    )
    Evidence.objects.filter(source=locked).update(person=person, updated_at=now)
    touched |= _regroup(actor, locked, person, f"Separated from {previous.full_name}'s records")
    touched |= _current_families([person.pk])
    assessment_queue_add(touched)
    return locked
