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

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db import transaction
from django.utils import timezone

from agencies.models import User
from audit.history import records_actor
from families.models import Family
from oneplan.dates import govuk_date
from oneplan.errors import ApplicationError
from outcomes.assessment.services import families_load
from outcomes.frameworks.dates import months_before
from outcomes.frameworks.results import Entry, Programme, Readiness, Results, readiness
from outcomes.frameworks.rules import result_rules_for, rules_for
from outcomes.frameworks.types import Household, ParameterError
from outcomes.models import Attachment, Framework, FrameworkVersion
from outcomes.results.selectors import programme_conditions

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
    version = framework_version_on(framework, attached_on)
    rules = rules_for(framework)
    try:
        parameters = rules.parse_parameters(version.parameters)
    except ParameterError as exc:
        raise ApplicationError(f"{version} cannot be used: {exc}") from exc
    loaded = families_load(
        [locked.pk],
        as_of=attached_on,
        lookback_start=parameters.lookback_start(attached_on),
    )[locked.pk]
    entry = rules.assess(loaded.household, parameters, attached_on)
    attachment = Attachment.objects.create(
        family=locked,
        framework=framework,
        framework_version=version,
        attached_on=attached_on,
        eligible_at_entry=entry.eligible,
        entry_criteria=entry.criteria_json(),
        entry_summary=entry.summary,
        created_by=actor,
        created_at=timezone.now(),
    )
    if locked.attached_on is None:
        locked.attached_on = attached_on
        locked.save(update_fields=["attached_on", "updated_at"])
    return attachment, True


@dataclass(frozen=True)
class FamilyResults:
    attachment: Attachment
    results: Results
    readiness: Readiness
    # What the rules read, for a claim's evidence snapshot.
    household: Household
    entry: Entry
    programme: Programme


def results_compute(*, family: Family, as_of: date) -> FamilyResults:
    """A family's results and claim readiness on ``as_of``, computed, not stored.
    ``ApplicationError`` when it is not attached, or ``as_of`` is before attachment."""
    attachment = (
        Attachment.objects.select_related("framework_version").filter(family=family).first()
    )
    if attachment is None:
        raise ApplicationError(
            f"{family.reference} is not attached to the programme: attach it first"
        )
    if as_of < attachment.attached_on:
        raise ApplicationError(
            f"{family.reference} was attached on {govuk_date(attachment.attached_on)}: "
            f"there are no results on {govuk_date(as_of)}"
        )
    version = attachment.framework_version
    criteria_rules = rules_for(attachment.framework)
    result_rules = result_rules_for(attachment.framework)
    try:
        parameters = criteria_rules.parse_parameters(version.parameters)
        result_parameters = result_rules.parse_parameters(version.parameters.get("results"))
    except ParameterError as exc:
        raise ApplicationError(f"{version} cannot be used: {exc}") from exc
    entry = Entry.from_criteria(attachment.eligible_at_entry, attachment.entry_criteria)
    programme = programme_conditions(family, attachment=attachment, entry=entry, as_of=as_of)
    # Evidence back to the months before attachment, and to the windows the rules look
    # at on the results date and, for a closed case, on its closure date.
    lookback = min(
        months_before(attachment.attached_on, BASELINE_MONTHS),
        parameters.lookback_start(as_of),
        result_rules.lookback_start(result_parameters, as_of),
        *(
            [result_rules.lookback_start(result_parameters, programme.closed_on)]
            if programme.closed_on is not None
            else []
        ),
    )
    loaded = families_load([family.pk], as_of=as_of, lookback_start=lookback)[family.pk]
    results = result_rules.results(
        loaded.household,
        parameters,
        result_parameters,
        entry=entry,
        programme=programme,
        attached_on=attachment.attached_on,
        as_of=as_of,
    )
    return FamilyResults(
        attachment, results, readiness(results), loaded.household, entry, programme
    )
