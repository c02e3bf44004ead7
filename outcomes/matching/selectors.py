"""Reads for the review queue and a person's sources. Each takes the viewing user and
returns only what they may see: programme managers see all of it, others nothing."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import Count, Max, Min, Q, QuerySet
from django.http import Http404

from agencies.models import AnyUser
from families.access.address import address_for_viewer
from families.models import Family, HouseholdMembership, Person, Sex
from oneplan.dates import govuk_date
from outcomes.matching.access import can_review_matches
from outcomes.matching.blocking import phonetic_codes
from outcomes.matching.scoring import (
    FIELD_LABELS,
    OUTCOME_LABELS,
    Comparison,
    Level,
    MatchRecord,
    compare,
    match_record,
    outcome_level,
)
from outcomes.models import MatchDecision, MatchReview, MatchReviewStatus, SourcePerson

_PENDING = Q(reviews__status=MatchReviewStatus.PENDING)


def match_review_list_for_user(user: AnyUser) -> QuerySet[SourcePerson]:
    """Records waiting for a decision, longest waiting first, with their best score and
    how many candidates each has. One query however many there are."""
    if not can_review_matches(user):
        return SourcePerson.objects.none()
    return (
        SourcePerson.objects.filter(_PENDING, person__isnull=True)
        .select_related("agency")
        .annotate(
            best_score=Max("reviews__score", filter=_PENDING),
            candidate_count=Count("reviews", filter=_PENDING),
            waiting_since=Min("reviews__created_at", filter=_PENDING),
        )
        .order_by("waiting_since", "pk")
    )


def match_review_source_get_for_user_or_404(user: AnyUser, source_id: int) -> SourcePerson:
    """A record that is, or was, in the review queue; 404 for anyone else or anything else."""
    if not can_review_matches(user):
        raise Http404("No record found")
    source = (
        SourcePerson.objects.filter(pk=source_id, reviews__isnull=False)
        .select_related("agency", "person", "linked_by")
        .distinct()
        .first()
    )
    if source is None:
        raise Http404("No record found")
    return source


def person_get_for_user_or_404(user: AnyUser, person_id: int) -> Person:
    if not can_review_matches(user):
        raise Http404("No person found")
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise Http404("No person found")
    return person


def linked_source_get_for_user_or_404(user: AnyUser, source_id: int) -> SourcePerson:
    """A record linked to a person (one that could be unlinked); 404 otherwise."""
    if not can_review_matches(user):
        raise Http404("No record found")
    source = (
        SourcePerson.objects.select_related("agency", "person")
        .filter(pk=source_id, person__isnull=False)
        .first()
    )
    if source is None:
        raise Http404("No record found")
    return source


def candidate_family_ids(source_ids: list[int]) -> list[int]:
    """The current families of the pending candidates of these sources (for the access
    log of a list page)."""
    candidates = MatchReview.objects.filter(
        source_id__in=source_ids, status=MatchReviewStatus.PENDING
    ).values("candidate_id")
    return sorted(
        set(
            HouseholdMembership.objects.filter(
                person_id__in=candidates, end_date__isnull=True
            ).values_list("family_id", flat=True)
        )
    )


def current_family(person_id: int) -> Family | None:
    membership = (
        HouseholdMembership.objects.filter(person_id=person_id, end_date__isnull=True)
        .select_related("family__address")
        .first()
    )
    return membership.family if membership else None


def source_match_record(source: SourcePerson, codes: Mapping[str, str]) -> MatchRecord:
    return match_record(
        given_name=source.given_name,
        family_name=source.family_name,
        date_of_birth=source.date_of_birth,
        given_code=codes.get(source.given_name, ""),
        family_code=codes.get(source.family_name, ""),
        sex=source.sex,
        address_line_1=source.address_line_1,
        postcode=source.postcode,
        uprn=source.uprn,
        upn=source.upn,
        nhs_number=source.nhs_number,
        ni_number=source.ni_number,
    )


def person_match_record(
    person: Person, codes: Mapping[str, str], family: Family | None = None
) -> MatchRecord:
    family = family if family is not None else current_family(person.pk)
    address = family.address if family is not None else None
    return match_record(
        given_name=person.given_name,
        family_name=person.family_name,
        date_of_birth=person.date_of_birth,
        given_code=codes.get(person.given_name, ""),
        family_code=codes.get(person.family_name, ""),
        sex=person.sex,
        address_line_1=address.line_1 if address else "",
        postcode=address.postcode if address else "",
        uprn=address.uprn if address else "",
        upn=person.upn,
        nhs_number=person.nhs_number,
        ni_number=person.ni_number,
    )


_TAG_CLASSES = {
    Level.AGREES: "govuk-tag--green",
    Level.CLOSE: "govuk-tag--yellow",
    Level.DIFFERS: "govuk-tag--red",
    Level.MISSING: "govuk-tag--grey",
}


@dataclass(frozen=True)
class Agreement:
    """One field's outcome as the pages show it: "Close: nickname" on a yellow tag."""

    outcome: str

    @property
    def label(self) -> str:
        return OUTCOME_LABELS.get(self.outcome, self.outcome.replace("_", " ").capitalize())

    @property
    def tag_class(self) -> str:
        return _TAG_CLASSES[outcome_level(self.outcome)]


@dataclass(frozen=True)
class Cell:
    value: str
    agreement: Agreement | None


@dataclass(frozen=True)
class ComparisonRow:
    label: str
    source_value: str
    cells: list[Cell]


@dataclass(frozen=True)
class CandidateView:
    review: MatchReview
    person: Person
    family: Family | None
    comparison: Comparison
    address_text: str


@dataclass(frozen=True)
class ReviewComparison:
    source: SourcePerson
    candidates: list[CandidateView]
    rows: list[ComparisonRow]
    pending: bool
    source_address_text: str


WITHHELD = "Withheld: protected address"


def _address_text(line: str, postcode: str) -> str:
    return ", ".join(part for part in (line, postcode) if part) or "Not known"


def _sex_text(value: str) -> str:
    return Sex(value).label if value in Sex.values else "Not known"


def _date_text(value: object) -> str:
    return govuk_date(value) if isinstance(value, datetime.date) else "Not known"


def review_comparison(source: SourcePerson, viewer: AnyUser) -> ReviewComparison:
    """The source and each candidate side by side, with how every field compares.

    Shows the pending candidates, or (once decided) the candidates of the last
    decision. A candidate's protected address (a refuge) is withheld from a ``viewer``
    who may not see it (families.access.address: programme managers may not), and so is
    the source's address when it matches one."""
    reviews = list(
        MatchReview.objects.filter(source=source, status=MatchReviewStatus.PENDING)
        .select_related("candidate")
        .order_by("-score", "pk")
    )
    pending = bool(reviews)
    if not pending:
        latest = MatchReview.objects.filter(source=source).aggregate(at=Max("decided_at"))["at"]
        reviews = list(
            MatchReview.objects.filter(source=source, decided_at=latest)
            .select_related("candidate", "decided_by")
            .order_by("-score", "pk")
        )
    names = [source.given_name, source.family_name]
    for review in reviews:
        names += [review.candidate.given_name, review.candidate.family_name]
    codes = phonetic_codes(names)
    ours = source_match_record(source, codes)
    candidates: list[CandidateView] = []
    source_address = _address_text(source.address_line_1, source.postcode)
    for review in reviews:
        family = current_family(review.candidate_id)
        theirs = person_match_record(review.candidate, codes, family)
        comparison = compare(ours, theirs)
        shown = address_for_viewer(viewer, family) if family is not None else None
        if shown is not None and shown.withheld:
            address_text = WITHHELD
            # The record's own address would give the protected one away.
            if outcome_level(comparison.fields["address"]) != Level.DIFFERS:
                source_address = WITHHELD
        else:
            address_text = _address_text(
                shown.line_1 if shown else "", shown.postcode if shown else ""
            )
        candidates.append(CandidateView(review, review.candidate, family, comparison, address_text))

    def cell(view: CandidateView, name: str, value: str) -> Cell:
        outcome = view.comparison.fields.get(name)
        return Cell(value, Agreement(outcome) if outcome else None)

    rows = [
        ComparisonRow(
            FIELD_LABELS["given_name"],
            source.given_name,
            [cell(c, "given_name", c.person.given_name) for c in candidates],
        ),
        ComparisonRow(
            FIELD_LABELS["family_name"],
            source.family_name,
            [cell(c, "family_name", c.person.family_name) for c in candidates],
        ),
        ComparisonRow(
            FIELD_LABELS["date_of_birth"],
            _date_text(source.date_of_birth),
            [cell(c, "date_of_birth", _date_text(c.person.date_of_birth)) for c in candidates],
        ),
        ComparisonRow(
            FIELD_LABELS["sex"],
            _sex_text(source.sex),
            [cell(c, "sex", _sex_text(c.person.sex)) for c in candidates],
        ),
        ComparisonRow(
            FIELD_LABELS["address"],
            source_address,
            [cell(c, "address", c.address_text) for c in candidates],
        ),
    ]
    for name in ("upn", "nhs_number", "ni_number"):
        if getattr(source, name) or any(getattr(c.person, name) for c in candidates):
            rows.append(
                ComparisonRow(
                    FIELD_LABELS[name],
                    getattr(source, name) or "Not known",
                    [cell(c, name, getattr(c.person, name) or "Not known") for c in candidates],
                )
            )
    if any("agency_record" in c.comparison.fields for c in candidates):
        rows.append(
            ComparisonRow(
                FIELD_LABELS["agency_record"],
                f"{source.agency.name} record {source.source_person_id}",
                [
                    cell(
                        c,
                        "agency_record",
                        "Has another" if "agency_record" in c.comparison.fields else "None other",
                    )
                    for c in candidates
                ],
            )
        )
    return ReviewComparison(
        source=source,
        candidates=candidates,
        rows=rows,
        pending=pending,
        source_address_text=source_address,
    )


@dataclass(frozen=True)
class SourceView:
    source: SourcePerson
    agreements: list[tuple[str, Agreement]]
    decisions: list[MatchDecision]
    can_undo: bool


def person_sources(person: Person) -> list[SourceView]:
    """Every agency record linked to ``person``, how and why, with its decision log."""
    sources = list(
        SourcePerson.objects.filter(person=person)
        .select_related("agency", "linked_by")
        .order_by("linked_at", "pk")
    )
    decisions: dict[int, list[MatchDecision]] = {}
    for decision in (
        MatchDecision.objects.filter(source__in=sources)
        .select_related("actor", "person", "previous_person")
        .order_by("-created_at", "-pk")
    ):
        decisions.setdefault(decision.source_id, []).append(decision)
    several = len(sources) > 1
    return [
        SourceView(
            source=source,
            agreements=[
                (FIELD_LABELS.get(name, name), Agreement(outcome))
                for name, outcome in (source.match_fields or {}).items()
            ],
            decisions=decisions.get(source.pk, []),
            can_undo=several,
        )
        for source in sources
    ]
