"""Outcomes recorded by the lead practitioner (sf2022, DOMAIN.md 4.3): what the results
read, and what the pages and the API show.

- ``recorded_outcomes_for``: the outcomes the result rules read for many families at
  once, in one query (``Programme.recorded``); the evaluation calls it per chunk.
- ``recordable_needs``: the needs of a family an outcome can be recorded for: those met
  at its entry assessment and those found during the work (identified after
  attachment), the same needs the results judge.
- ``recorded_outcome_list_for_user``: a family's recorded outcomes, current and
  corrected, as one user may see them: the reason of a restricted need (domestic abuse,
  health, substance use) is withheld from someone without the family's
  restricted-information permission, as the results panel withholds its reasons.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from families.access.perms import VIEW_RESTRICTED
from families.models import Family
from outcomes.frameworks import results as rules
from outcomes.frameworks.registry import CRITERIA, criterion_label
from outcomes.models import Attachment, Framework, RecordedOutcome
from plans.models import Need
from plans.restricted import is_restricted_need

# The frameworks whose result rules read recorded outcomes.
RECORDING_FRAMEWORKS = frozenset({Framework.SF2022.value})
REASON_WITHHELD = "Reason withheld: it is about restricted information"


def recorded_outcomes_for(
    family_ids: Iterable[int], *, as_of: date | None = None
) -> dict[int, dict[str, rules.RecordedOutcome]]:
    """Each family's recorded outcome per need code, in one query whatever the number
    of families; every family asked for is in the answer (with ``{}`` when none).

    Without ``as_of``: the current record of each need. With it: the record that was
    current at the end of that day (the last one recorded on or before it), so results
    judged on a past date read what was known then; a correction recorded later does
    not reach back."""
    ids = sorted(set(family_ids))
    found: dict[int, dict[str, rules.RecordedOutcome]] = {pk: {} for pk in ids}
    if not ids:
        return found
    rows = RecordedOutcome.objects.filter(family_id__in=ids)
    if as_of is None:
        rows = rows.filter(is_current=True)
    else:
        # The latest record per (family, need) up to the day: PostgreSQL's DISTINCT ON.
        rows = (
            rows.filter(recorded_on__lte=as_of)
            .order_by("family_id", "need_code", "-created_at", "-pk")
            .distinct("family_id", "need_code")
        )
    for family_id, code, positive, recorded_on, reason in rows.values_list(
        "family_id", "need_code", "positive", "recorded_on", "reason"
    ):
        found[family_id][code] = rules.RecordedOutcome(code, positive, recorded_on, reason)
    return found


@dataclass(frozen=True)
class RecordableNeed:
    code: str
    label: str
    # Found during the work (identified after attachment), not met at entry.
    added: bool


def recordable_needs(family: Family, attachment: Attachment | None) -> list[RecordableNeed]:
    """The needs an outcome can be recorded for: under a framework whose results read
    recorded outcomes, the criteria met at the entry assessment and the needs found
    since attachment, in the framework's order. None for a family not attached."""
    if attachment is None or attachment.framework not in RECORDING_FRAMEWORKS:
        return []
    at_entry = {code for code, c in attachment.entry_criteria.items() if c.get("met")}
    added = (
        set(
            Need.objects.filter(
                family=family, identified_on__gt=attachment.attached_on
            ).values_list("code", flat=True)
        )
        - at_entry
    )
    order = [code for code, _ in CRITERIA[attachment.framework]]
    codes = sorted(
        at_entry | added, key=lambda c: (order.index(c) if c in order else len(order), c)
    )
    return [
        RecordableNeed(code, criterion_label(attachment.framework, code), code in added)
        for code in codes
    ]


@dataclass(frozen=True)
class RecordedOutcomeView:
    id: int
    need_code: str
    need_label: str
    positive: bool
    # Empty when withheld (``reason_withheld``).
    reason: str
    reason_withheld: bool
    restricted: bool
    recorded_on: date
    recorded_by: str
    created_at: datetime
    is_current: bool
    superseded_by: int | None


def recorded_outcome_list_for_user(
    family: Family, permissions: frozenset[str]
) -> list[RecordedOutcomeView]:
    """Every outcome recorded for the family, current first then newest first, as the
    holder of ``permissions`` on it may see them. The caller has checked that the user
    may see the family."""
    attachment = Attachment.objects.filter(family=family).first()
    framework = attachment.framework if attachment is not None else Framework.SF2022.value
    sees_restricted = VIEW_RESTRICTED in permissions
    rows = (
        RecordedOutcome.objects.filter(family=family)
        .select_related("recorded_by")
        .order_by("-is_current", "need_code", "-created_at", "-pk")
    )
    views = []
    for row in rows:
        restricted = is_restricted_need(row.need_code)
        withheld = restricted and not sees_restricted
        views.append(
            RecordedOutcomeView(
                id=row.pk,
                need_code=row.need_code,
                need_label=criterion_label(framework, row.need_code),
                positive=row.positive,
                reason="" if withheld else row.reason,
                reason_withheld=withheld,
                restricted=restricted,
                recorded_on=row.recorded_on,
                recorded_by=row.recorded_by.get_full_name() or row.recorded_by.get_username(),
                created_at=row.created_at,
                is_current=row.is_current,
                superseded_by=row.superseded_by_id,
            )
        )
    return views
