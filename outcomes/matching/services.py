"""Decisions people make about matches (FEEDS.md "What a submission produces", step 3):
deciding a record waiting in the review queue, and undoing a link made in error. The
set-based matching an import runs is ``outcomes.matching.pipeline``; these decisions take
the same advisory lock, so they never interleave with an import's matching.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from agencies.models import User
from audit.history import records_actor
from families.models import Person
from oneplan.errors import ApplicationError
from outcomes.assessment.queue import assessment_queue_add
from outcomes.matching.access import can_review_matches
from outcomes.matching.blocking import (
    phonetic_codes,
)
from outcomes.matching.households import households_group
from outcomes.matching.pipeline import current_families, household_member, matching_lock
from outcomes.matching.records import IDENTIFIERS, IDENTITY_FIELDS, SourceIdentity
from outcomes.matching.scoring import (
    compare,
)
from outcomes.models import (
    Evidence,
    MatchDecision,
    MatchDecisionKind,
    MatchMethod,
    MatchReview,
    MatchReviewStatus,
    SourcePerson,
)


def _identity_of(source: SourcePerson) -> SourceIdentity:
    return SourceIdentity(
        source_person_id=source.source_person_id,
        **{name: getattr(source, name) for name in IDENTITY_FIELDS},
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
    member = household_member(_identity_of(source), source.agency_id, person.pk)
    return households_group(
        actor=actor, members=[member], as_of=timezone.localdate(), reason=reason
    )


@records_actor
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
    matching_lock()
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
    touched = current_families([r.candidate_id for r in pending])
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
    touched |= current_families([person.pk])
    assessment_queue_add(touched)
    return source


def _fields_now(source: SourcePerson, person: Person) -> dict[str, str]:
    """How the source and the person compare today (for the log of a reviewed link)."""
    from outcomes.matching.selectors import person_match_record, source_match_record

    codes = phonetic_codes(
        [source.given_name, source.family_name, person.given_name, person.family_name]
    )
    return compare(source_match_record(source, codes), person_match_record(person, codes)).fields


@records_actor
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
    matching_lock()
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
    touched = current_families([previous.pk])
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
    touched |= current_families([person.pk])
    assessment_queue_add(touched)
    return locked
