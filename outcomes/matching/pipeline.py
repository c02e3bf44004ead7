"""Matching what agencies tell OnePlan about people to people (FEEDS.md "What a
submission produces", steps 2 and 3): the set-based pipeline an import runs. The
decisions people make about matches are in ``outcomes.matching.services``.

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
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from agencies.models import Agency, User
from audit.history import records_actor
from families.models import HouseholdMembership, Person
from outcomes.matching.blocking import (
    BlockingInput,
    BlockingResult,
    candidates_search,
)
from outcomes.matching.bulk import (
    copy_model_rows,
    deferred_checks_run,
    history_by_statement,
    history_write,
    next_ids,
)
from outcomes.matching.households import HouseholdMember, household_keys, households_group
from outcomes.matching.records import (
    IDENTIFIERS,
    IDENTITY_FIELDS,
    ExistingSource,
    MatchSummary,
    RecordPlan,
    SourceIdentity,
    decisions_write,
    reviews_write,
    sources_upsert,
)
from outcomes.matching.scoring import (
    Candidate,
    MatchOutcome,
    MatchThresholds,
    compare,
    match_decide,
    match_record,
    match_thresholds,
)
from outcomes.models import (
    Evidence,
    FeedSubmission,
    MatchDecisionKind,
    MatchMethod,
    MatchReview,
    MatchReviewStatus,
    SourcePerson,
)

_LOCK_SQL = "SELECT pg_advisory_xact_lock(hashtext('outcomes.matching'))"
PROGRESS_EVERY = 5000


def matching_lock() -> None:
    with connection.cursor() as cursor:
        cursor.execute(_LOCK_SQL)


_LIMITS = {
    name: limit
    for name in ("given_name", "family_name", *IDENTITY_FIELDS[3:])
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


def _existing_sources(agency_id: int, ids: list[str]) -> dict[str, ExistingSource]:
    columns = ["id", "source_person_id", "person_id", *IDENTITY_FIELDS]
    columns += ["match_method", "match_score", "match_fields", "linked_at", "linked_by_id"]
    columns += ["created_at"]
    found: dict[str, ExistingSource] = {}
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
                **{name: values[name] for name in IDENTITY_FIELDS},
            )
            match_fields = values["match_fields"]
            found[identity.source_person_id] = ExistingSource(
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


def _exact_matches(plans: list[RecordPlan]) -> None:
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
    plans: list[RecordPlan],
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


def _plan_new_people(plans: list[RecordPlan], now: datetime.datetime) -> None:
    """Create a person for each "new" plan. Two records in one file with the same
    identifier are one new person (the second links to the first exactly), which also
    keeps Person's unique identifiers unique."""
    creating: list[RecordPlan] = []
    by_identifier: dict[tuple[str, str], RecordPlan] = {}
    followers: list[tuple[RecordPlan, RecordPlan, str]] = []
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


def current_families(person_ids: Sequence[int]) -> set[int]:
    if not person_ids:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT family_id FROM {HouseholdMembership._meta.db_table}"  # noqa: S608
            " WHERE end_date IS NULL AND person_id = ANY(%s)",
            [sorted(set(person_ids))],
        )
        return {family_id for (family_id,) in cursor.fetchall()}


def household_member(
    plan_identity: SourceIdentity, agency_id: int, person_id: int
) -> HouseholdMember:
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


@records_actor
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
        matching_lock()
        deferred_checks_run()
        now = timezone.now()
        existing = _existing_sources(agency.pk, list(unique))
        plans = [RecordPlan(identity, existing.get(spid)) for spid, identity in unique.items()]
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
        summary.sources = sources_upsert(agency, submission, plans, now)

        decisions: list[
            tuple[int, str, int | None, int | None, str, float | None, dict[str, Any], str]
        ] = []
        reviews = [p for p in plans if p.kind == "review"]
        newly_waiting = reviews_write(reviews, summary.sources, submission, now)
        settled: list[int] = []
        members: list[HouseholdMember] = []
        for plan in plans:
            source = summary.sources[plan.identity.source_person_id]
            if plan.kind == "known":
                summary.matched += 1
                assert plan.existing is not None and plan.person_id is not None
                if _keys(plan.existing.identity, agency.pk) != _keys(plan.identity, agency.pk):
                    members.append(household_member(plan.identity, agency.pk, plan.person_id))
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
            members.append(household_member(plan.identity, agency.pk, plan.person_id))
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
        decisions_write(actor, submission, decisions, now)
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
        summary.family_ids |= current_families(
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
