"""Attaching a family to the programme, and working out its results and claim readiness
(DOMAIN.md 4.0-4.4; FEEDS.md ``attach`` and ``results``).

- ``family_attach`` records the attachment: the date, the framework version in force
  then, and the entry assessment (eligibility on that date), frozen on the attachment.
- ``results_compute`` judges a family's results on a date under its attachment's
  framework version, against the criteria met at entry, with the pure rules of
  ``outcomes.frameworks`` (the same evidence loader as eligibility), and its claim
  readiness with ``outcomes.frameworks.results.readiness``: one rule for every page, API,
  export and job.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

import orjson
from django.db import connection, transaction
from django.utils import timezone

from agencies.models import User
from audit.history import actor_context, records_actor
from families.models import Family
from oneplan.dates import govuk_date
from oneplan.errors import ApplicationError
from outcomes.assessment.selectors import FrameworkChooser
from outcomes.assessment.services import SPELL_KINDS, families_load
from outcomes.frameworks.base import CriteriaParameters
from outcomes.frameworks.dates import months_before
from outcomes.frameworks.results import Entry, Programme, Readiness, Results, readiness
from outcomes.frameworks.rules import result_rules_for, rules_for
from outcomes.frameworks.stability import Horizon, Spans, spans_from, stable_until
from outcomes.frameworks.types import Household, ParameterError
from outcomes.models import Attachment, Framework, FrameworkVersion
from outcomes.results.selectors import programme_conditions_many

# How far before attachment the result rules can look ("the N months before
# attachment"; the longest any framework uses is 12).
BASELINE_MONTHS = 12


def framework_version_on(framework: str, day: date) -> FrameworkVersion:
    """The version of ``framework`` in force on ``day``: the latest one made on or
    before that day, or the first version for a day before any was made (version 1 is
    the national guidance, in force from the start)."""
    from outcomes.assessment.services import framework_versions_ensure

    framework_versions_ensure()
    versions = FrameworkVersion.objects.filter(framework=framework)
    end_of_day = timezone.make_aware(datetime.combine(day, time.max))
    version = versions.filter(created_at__lte=end_of_day).order_by("-version").first()
    return version or versions.order_by("version").first()  # type: ignore[return-value]


@transaction.atomic
@records_actor
def family_attach(
    *, actor: User, family: Family, framework: str, attached_on: date
) -> tuple[Attachment, bool]:
    """Take ``family`` onto the programme on ``attached_on`` under ``framework``: record
    the attachment and its entry assessment. Returns the attachment and whether it was
    made now. The same call again changes nothing; another date or framework for an
    attached family is refused (``ApplicationError``)."""
    if framework not in Framework.values:
        raise ApplicationError(f"There is no framework {framework!r}", field="framework")
    locked = Family.objects.select_for_update().get(pk=family.pk)
    existing = Attachment.objects.filter(family=locked).first()
    if existing is not None:
        if existing.attached_on == attached_on and existing.framework == framework:
            return existing, False
        raise ApplicationError(
            f"{locked.reference} was attached on {govuk_date(existing.attached_on)} under "
            f"{existing.framework}: it cannot be attached again "
            f"on {govuk_date(attached_on)} under {framework}",
            field="attached_on",
        )
    if locked.attached_on is not None and locked.attached_on != attached_on:
        raise ApplicationError(
            f"{locked.reference} was taken on on {govuk_date(locked.attached_on)}: it "
            f"cannot be attached on {govuk_date(attached_on)}",
            field="attached_on",
        )
    (attachment,) = _attachments_made(actor, [locked.pk], framework, attached_on)
    attachment.save()
    if locked.attached_on is None:
        locked.attached_on = attached_on
        locked.save(update_fields=["attached_on", "updated_at"])
    return attachment, True


def _attachments_made(
    actor: User, family_ids: list[int], framework: str, attached_on: date
) -> list[Attachment]:
    """The attachments (not saved) of these families on ``attached_on`` under the
    version of ``framework`` in force then, each with its entry assessment: their
    eligibility on that day, judged together in a few queries."""
    version = framework_version_on(framework, attached_on)
    rules = rules_for(framework)
    try:
        parameters = rules.parse_parameters(version.parameters)
    except ParameterError as exc:
        raise ApplicationError(f"{version} cannot be used: {exc}") from exc
    loaded = families_load(
        family_ids, as_of=attached_on, lookback_start=parameters.lookback_start(attached_on)
    )
    now = timezone.now()
    made = []
    for family_id in family_ids:
        entry = rules.assess(loaded[family_id].household, parameters, attached_on)
        made.append(
            Attachment(
                family_id=family_id,
                framework=framework,
                framework_version=version,
                attached_on=attached_on,
                eligible_at_entry=entry.eligible,
                entry_criteria=entry.criteria_json(),
                entry_summary=entry.summary,
                created_by=actor,
                created_at=now,
            )
        )
    return made


def attachments_record(*, actor: User, family_ids: Iterable[int]) -> int:
    """Record the attachment, with its entry assessment, of each of these families that
    has a date it was taken on (``Family.attached_on``) but no attachment yet, under the
    framework in force on that date: what ``family_attach`` does for one family, for
    thousands in a few queries a date (demo data; families taken on before attachments
    were recorded). Returns how many were recorded."""
    chooser = FrameworkChooser.load()
    by_day: dict[date, list[int]] = {}
    for family_id, day in (
        Family.objects.filter(
            pk__in=list(family_ids), attached_on__isnull=False, attachment__isnull=True
        )
        .order_by("pk")
        .values_list("pk", "attached_on")
    ):
        if day is not None:
            by_day.setdefault(day, []).append(family_id)
    made = 0
    with transaction.atomic(), actor_context(actor):
        for day, ids in sorted(by_day.items()):
            attachments = _attachments_made(actor, ids, chooser.on(day), day)
            Attachment.objects.bulk_create(attachments)
            made += len(attachments)
    return made


@dataclass(frozen=True)
class FamilyResults:
    attachment: Attachment
    results: Results
    readiness: Readiness
    # What the rules read, for a claim's evidence snapshot.
    household: Household
    entry: Entry
    programme: Programme
    # The last day these results are sure to hold if nothing about the family changes.
    valid_until: date


@dataclass(frozen=True)
class _Version:
    criteria: CriteriaParameters
    results: Any
    spans: Spans


def _version_parse(version: FrameworkVersion, results_override: Any = None) -> _Version:
    criteria_rules = rules_for(version.framework)
    result_rules = result_rules_for(version.framework)
    results_data = (
        version.parameters.get("results") if results_override is None else results_override
    )
    try:
        criteria = criteria_rules.parse_parameters(version.parameters)
        results = result_rules.parse_parameters(results_data)
    except ParameterError as exc:
        raise ApplicationError(f"{version} cannot be used: {exc}") from exc
    # Parameters left out take the defaults: their windows count too.
    spans = (
        spans_from(version.parameters)
        | spans_from(results_data)
        | spans_from(criteria_rules.default_parameters())
        | spans_from(result_rules.default_parameters())
    )
    return _Version(criteria, results, spans)


def _not_before_lookback(household: Household, lookback: date) -> Household:
    """The household as a load from ``lookback`` gives it (a chunk loads from the
    earliest lookback of its families): every family's rules see the same rows whichever
    families it is judged with."""
    facts = tuple(
        f
        for f in household.facts
        if f.date >= lookback
        or (f.kind in SPELL_KINDS and (f.end_date is None or f.end_date >= lookback))
    )
    if len(facts) == len(household.facts):
        return household
    return Household(members=household.members, facts=facts)


def _attachments_read(family_ids: list[int]) -> dict[int, Attachment]:
    """These families' attachments, by family id, with the entry criteria read as text
    and decoded with orjson (the JSON field's own decoding cost more than the rules of a
    small family)."""
    attachments = {
        a.family_id: a
        for a in Attachment.objects.filter(family_id__in=family_ids).defer(
            "entry_summary", "entry_criteria"
        )
    }
    if attachments:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT family_id, entry_criteria::text FROM outcomes_attachment "
                "WHERE family_id = ANY(%s)",
                [list(attachments)],
            )
            for family_id, criteria in cursor.fetchall():
                attachments[family_id].entry_criteria = orjson.loads(criteria)
    return attachments


def results_compute_many(
    families: Sequence[Family],
    *,
    as_of: date,
    results_parameters: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[int, FamilyResults | ApplicationError]:
    """Each family's results and claim readiness on ``as_of``, computed, not stored, in a
    handful of queries whatever the number of families: the one function the family
    page, the API, the command line, claims and the nightly evaluation use. A family
    that is not attached, or attached after ``as_of``, gets an ``ApplicationError``
    saying so instead.

    ``results_parameters``: by framework code, ``results`` parameters to judge with
    instead of those of each family's attachment version (the preview of a change to the
    Outcome Plan's outcome measures); nothing is stored either way."""
    overrides = results_parameters or {}
    answers: dict[int, FamilyResults | ApplicationError] = {}
    attachments = _attachments_read([f.pk for f in families])
    # A few versions for any number of families: read each once, not once a family.
    version_rows = {
        v.pk: v
        for v in FrameworkVersion.objects.filter(
            pk__in={a.framework_version_id for a in attachments.values()}
        )
    }
    for held in attachments.values():
        held.framework_version = version_rows[held.framework_version_id]
    judged: list[Family] = []
    for family in families:
        attachment = attachments.get(family.pk)
        if attachment is None:
            answers[family.pk] = ApplicationError(
                f"{family.reference} is not attached to the programme: attach it first"
            )
        elif as_of < attachment.attached_on:
            answers[family.pk] = ApplicationError(
                f"{family.reference} was attached on {govuk_date(attachment.attached_on)}: "
                f"there are no results on {govuk_date(as_of)}"
            )
        else:
            judged.append(family)
    if not judged:
        return answers
    versions: dict[int, _Version] = {}
    for family in judged:
        version = attachments[family.pk].framework_version
        if version.pk not in versions:
            versions[version.pk] = _version_parse(version, overrides.get(version.framework))
    entries = {
        f.pk: Entry.from_criteria(
            attachments[f.pk].eligible_at_entry, attachments[f.pk].entry_criteria
        )
        for f in judged
    }
    programmes = programme_conditions_many(
        judged, attachments=attachments, entries=entries, as_of=as_of
    )
    # Evidence back to the months before attachment, and to the windows the rules look
    # at on the results date and, for a closed case, on its closure date.
    lookbacks: dict[int, date] = {}
    for family in judged:
        attachment = attachments[family.pk]
        parsed = versions[attachment.framework_version_id]
        result_rules = result_rules_for(attachment.framework)
        closed_on = programmes[family.pk].closed_on
        lookbacks[family.pk] = min(
            months_before(attachment.attached_on, BASELINE_MONTHS),
            parsed.criteria.lookback_start(as_of),
            result_rules.lookback_start(parsed.results, as_of),
            *([result_rules.lookback_start(parsed.results, closed_on)] if closed_on else []),
        )
    ids = [f.pk for f in judged]
    loaded = families_load(ids, as_of=as_of, lookback_start=min(lookbacks.values()))
    horizons: dict[int, Horizon] = {}
    for family in judged:
        attachment = attachments[family.pk]
        parsed = versions[attachment.framework_version_id]
        programme = programmes[family.pk]
        household = _not_before_lookback(loaded[family.pk].household, lookbacks[family.pk])
        results = result_rules_for(attachment.framework).results(
            household,
            parsed.criteria,
            parsed.results,
            entry=entries[family.pk],
            programme=programme,
            attached_on=attachment.attached_on,
            as_of=as_of,
        )
        horizon = horizons.get(attachment.framework_version_id)
        if horizon is None:
            horizon = horizons[attachment.framework_version_id] = Horizon.on(as_of, parsed.spans)
        anchors = [
            attachment.attached_on,
            programme.closed_on,
            loaded[family.pk].next_evidence_on,
            *(r.recorded_on for r in programme.recorded.values()),
        ]
        answers[family.pk] = FamilyResults(
            attachment,
            results,
            readiness(results),
            household,
            entries[family.pk],
            programme,
            stable_until(household, horizon, anchors),
        )
    return answers


def results_compute(*, family: Family, as_of: date) -> FamilyResults:
    """A family's results and claim readiness on ``as_of`` (``results_compute_many``).
    ``ApplicationError`` when it is not attached, or ``as_of`` is before attachment."""
    answer = results_compute_many([family], as_of=as_of)[family.pk]
    if isinstance(answer, ApplicationError):
        raise answer
    return answer
