"""The quarterly progress return (docs/quarterly-return.md): a CSV file with a row per
family on the programme, its problems at entry and at the quarter's end, its plan, its
results and its claim, in columns the programme manager chooses (``COLUMNS``; saved
layouts are ``QuarterlyReturnPreset``). Made by a background job (``oneplan.jobs``),
downloaded from the job's page by whoever started it.

- Which families: those the maker may see (``access.reporting_family_scope``) that were
  attached on or before the quarter's last day, less those that had left the journey
  (closed, declined, moved away) before the quarter began.
- Dates are as at the quarter's last day: a plan agreed, a claim accepted or an
  anniversary reached after it is left empty. The day each figure counts is the
  dashboard's (``outcomes.reporting.figures``).
- Restricted needs (domestic abuse, health, substance use: ``plans.restricted``) are
  named only for families whose restricted information the maker may see
  (``access.reporting_restricted_scope``); for every other family they are left out of
  every problems column, without a trace.
- Starting the return records an access event (``export``); the job records one more
  naming every family in the file, so each family's access log shows the return.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from django.db import transaction
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone

from agencies.models import User
from audit.services import access_event_record, access_events_record_many
from families.models import Family, FamilyStatusChange, Track
from families.states import TERMINAL_STATES, FamilyStatus
from oneplan.dates import file_stamp
from oneplan.errors import ApplicationError
from oneplan.jobs import JobOutcome, Progress, job_start
from oneplan.models import Job
from oneplan.spreadsheets import Cell, Column, table_csv
from outcomes.frameworks.registry import CRITERIA, criterion_label
from outcomes.models import Claim, ClaimBatchStatus, ClaimStatus, Framework, Readiness, Result
from outcomes.money.rules import FIRST_YEAR
from outcomes.reporting.access import (
    RETURN_DENIED,
    can_make_quarterly_return,
    reporting_family_scope,
    reporting_restricted_scope,
)
from outcomes.reporting.figures import (
    batch_accepted_on,
    identified_on,
    plan_agreed_on,
    sustained_on,
)
from outcomes.reporting.rules import QUARTERS, one_year_on, quarter_bounds, quarter_label
from plans.models import Need, Review
from plans.restricted import is_restricted_need

QUARTERLY_RETURN_JOB: Final = "quarterly_progress_return"
# Families read at a time.
CHUNK: Final = 500
KEY_MAX: Final = 120


@dataclass(frozen=True)
class ReturnColumn:
    """A column the return can hold: its key (the API's and the layouts'), heading,
    cell kind (``oneplan.spreadsheets.Column``) and what it means (the docs' words)."""

    key: str
    heading: str
    kind: str
    meaning: str


COLUMNS: Final[tuple[ReturnColumn, ...]] = (
    ReturnColumn("family_reference", "Family reference", "text", "OnePlan's reference"),
    ReturnColumn("lcg", "LCG", "text", "The LCG the family belongs to today"),
    ReturnColumn("track", "Track", "text", "Intensive or local, as the LCG allocated it today"),
    ReturnColumn("lead_agency", "Lead agency", "text", "The agency leading the work today"),
    ReturnColumn("status", "Status at quarter end", "text", "Where the family was on its journey"),
    ReturnColumn("framework", "Framework", "text", "The framework it was attached under"),
    ReturnColumn("identified_on", "Identified on", "date", "The day it was first identified"),
    ReturnColumn("attached_on", "Attached on", "date", "The day the programme took it on"),
    ReturnColumn(
        "eligible_at_entry", "Eligible at entry", "text", "Yes or No, from the entry assessment"
    ),
    ReturnColumn(
        "problems_at_entry",
        "Problems at entry",
        "text",
        "The criteria the entry assessment found met, separated by semicolons",
    ),
    ReturnColumn(
        "problems_now",
        "Problems at quarter end",
        "text",
        "The family's needs open on the quarter's last day, separated by semicolons",
    ),
    ReturnColumn(
        "problems_resolved",
        "Problems at entry no longer open",
        "text",
        "Problems at entry with no open need of the same kind on the quarter's last day",
    ),
    ReturnColumn(
        "plan_status",
        "Plan status at quarter end",
        "text",
        "Agreed (the family had agreed its plan), Not agreed yet, or No plan",
    ),
    ReturnColumn("plan_agreed_on", "Plan first agreed on", "date", "The plan's first agreement"),
    ReturnColumn("last_review_on", "Latest review", "date", "The latest review held by then"),
    ReturnColumn(
        "result_route",
        "Result route",
        "text",
        "The result route met, as the evaluation last found it by the quarter's end",
    ),
    ReturnColumn(
        "result_readiness", "Claim readiness", "text", "Claimable, At risk, Blocked or Not yet"
    ),
    ReturnColumn("result_achieved_on", "Result met on", "date", "The day the route was met"),
    ReturnColumn(
        "claim_status",
        "Claim",
        "text",
        "The family's latest claim made by the quarter's end and its state today",
    ),
    ReturnColumn("claim_route", "Claim route", "text", "The route the claim is paid for"),
    ReturnColumn("claim_date", "Claim date", "date", "The date the claim's route was met"),
    ReturnColumn(
        "claim_accepted_on", "Claim accepted on", "date", "When government accepted the claim"
    ),
    ReturnColumn(
        "sustained",
        "Sustaining outcomes one year on",
        "text",
        "Yes, No, Not yet due (the anniversary is after the quarter's end) or No claim",
    ),
    ReturnColumn(
        "sustained_on",
        "Sustained on",
        "date",
        "The claim date's first anniversary, when the results still met a route then",
    ),
)
COLUMNS_BY_KEY: Final = {column.key: column for column in COLUMNS}
COLUMN_KEYS: Final = tuple(column.key for column in COLUMNS)


def columns_checked(columns: Sequence[str]) -> list[str]:
    """The chosen column keys, once each in the order given; ``ApplicationError`` for
    none or an unknown one."""
    chosen = list(dict.fromkeys(columns))
    if not chosen:
        raise ApplicationError("Select at least one column", field="columns")
    unknown = [key for key in chosen if key not in COLUMNS_BY_KEY]
    if unknown:
        raise ApplicationError(f"There is no column {unknown[0]!r}", field="columns")
    return chosen


def return_quarters(today: datetime.date) -> list[tuple[int, int]]:
    """The quarters a return can be made for, newest first: every quarter that has
    begun, from the programme's first."""
    found = []
    for year in range(today.year, FIRST_YEAR - 1, -1):
        for quarter in reversed(QUARTERS):
            if quarter_bounds(year, quarter)[0] <= today:
                found.append((year, quarter))
    return found


def _quarter_checked(year: int, quarter: int, today: datetime.date) -> None:
    if (year, quarter) not in return_quarters(today):
        raise ApplicationError(
            "Choose a quarter that has begun, from the programme's first", field="quarter"
        )


# --- The families and their rows --------------------------------------------------------


def _moment(day: datetime.date) -> datetime.datetime:
    """The first moment of ``day`` in the service's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def return_families(user: User, year: int, quarter: int) -> QuerySet[Family]:
    """The families of the return for ``user`` (module docstring), by reference,
    annotated with their status at the quarter's end and each figure's day."""
    starts_on, ends_on = quarter_bounds(year, quarter)
    began, ended = _moment(starts_on), _moment(ends_on + datetime.timedelta(days=1))
    last_change = FamilyStatusChange.objects.filter(
        family_id=OuterRef("pk"), created_at__lt=ended
    ).order_by("-created_at", "-pk")
    return (
        Family.objects.filter(reporting_family_scope(user), attachment__attached_on__lte=ends_on)
        .annotate(
            status_at_end=Coalesce(Subquery(last_change.values("to_status")[:1]), F("status")),
            status_since=Subquery(last_change.values("created_at")[:1]),
        )
        .exclude(Q(status_at_end__in=sorted(TERMINAL_STATES)) & Q(status_since__lt=began))
        .order_by("reference")
    )


@dataclass
class _Facts:
    needs: dict[int, list[tuple[str, str]]]
    reviews: dict[int, datetime.date]
    results: dict[int, Result]
    claims: Mapping[int, Claim]
    restricted: set[int]


def _facts(user: User, ids: list[int], ends_on: datetime.date) -> _Facts:
    """What the rows of these families need beyond the family: five queries per chunk."""
    needs: dict[int, list[tuple[str, str]]] = defaultdict(list)
    open_needs = (
        Need.objects.filter(family_id__in=ids, identified_on__lte=ends_on)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=ends_on))
        .order_by("family_id", "identified_on", "pk")
        .values_list("family_id", "code", "label")
    )
    for family_id, code, label in open_needs:
        needs[family_id].append((code, label))
    reviews = dict(
        Review.objects.filter(plan__family_id__in=ids, held_on__lte=ends_on)
        .order_by("plan__family_id", "-held_on")
        .distinct("plan__family_id")
        .values_list("plan__family_id", "held_on")
    )
    results = {
        result.family_id: result
        for result in Result.objects.filter(family_id__in=ids, as_of__lte=ends_on)
        .order_by("family_id", "-as_of", "-evaluated_at", "-pk")
        .distinct("family_id")
    }
    claims = {
        claim.family_id: claim
        for claim in Claim.objects.filter(
            family_id__in=ids, created_at__lt=_moment(ends_on + datetime.timedelta(days=1))
        )
        .exclude(status=ClaimStatus.REMOVED)
        .select_related("batch")
        .annotate(accepted_on=batch_accepted_on())
        .order_by("family_id", "-created_at", "-pk")
        .distinct("family_id")
    }
    restricted = set(
        Family.objects.filter(reporting_restricted_scope(user), pk__in=ids).values_list(
            "pk", flat=True
        )
    )
    return _Facts(needs, reviews, results, claims, restricted)


def _by(day: datetime.date | None, ends_on: datetime.date) -> datetime.date | None:
    """A day, only when it came by the quarter's end."""
    return day if day is not None and day <= ends_on else None


def _claim_words(claim: Claim | None) -> str:
    if claim is None:
        return ""
    if claim.status == ClaimStatus.CLAWED_BACK:
        return "Clawed back"
    batch = ClaimBatchStatus(claim.batch.status)
    if batch == ClaimBatchStatus.ACCEPTED:
        return "Accepted"
    if batch == ClaimBatchStatus.REJECTED:
        return "Rejected"
    return f"In a claim batch: {batch.label.lower()}"


def _row_values(
    family: Family, facts: _Facts, ends_on: datetime.date
) -> dict[str, Callable[[], Cell]]:
    """Each column's cell of one family, worked out only when the column is chosen."""
    attachment = family.attachment
    sees_restricted = family.pk in facts.restricted

    def shown(codes_labels: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return [
            (code, label)
            for code, label in codes_labels
            if sees_restricted or not is_restricted_need(code)
        ]

    met = {
        code
        for code, found in (attachment.entry_criteria or {}).items()
        if isinstance(found, dict) and found.get("met")
    }
    # In the framework's own order of its criteria, then any it no longer names.
    order = [code for code, _ in CRITERIA.get(attachment.framework, [])]
    entry = shown(
        [
            (code, criterion_label(attachment.framework, code))
            for code in [*(c for c in order if c in met), *sorted(met - set(order))]
        ]
    )
    now = shown(facts.needs.get(family.pk, []))
    open_codes = {code for code, _ in now}
    plan = getattr(family, "plan", None) if hasattr(family, "plan") else None
    agreed = _by(getattr(family, "plan_agreed_on", None), ends_on)
    result = facts.results.get(family.pk)
    claim = facts.claims.get(family.pk)
    sustained = _by(getattr(family, "sustained_on", None), ends_on)

    def plan_status() -> str:
        if agreed is not None:
            return "Agreed"
        if plan is not None and timezone.localdate(plan.created_at) <= ends_on:
            return "Not agreed yet"
        return "No plan"

    def sustained_words() -> str:
        accepted = claim is not None and getattr(claim, "accepted_on", None) is not None
        if sustained is not None:
            return "Yes"
        if claim is None or not accepted or claim.status != ClaimStatus.PROPOSED:
            return "No claim"
        return "Not yet due" if one_year_on(claim.claim_date) > ends_on else "No"

    readiness = Readiness(result.readiness).label if result is not None else ""
    return {
        "family_reference": lambda: family.reference,
        "lcg": lambda: family.lcg.name if family.lcg else "Unassigned",
        "track": lambda: Track(family.track).label if family.track else "",
        "lead_agency": lambda: family.lead_agency.name if family.lead_agency else "",
        "status": lambda: FamilyStatus(getattr(family, "status_at_end", family.status)).label,
        "framework": lambda: str(Framework(attachment.framework).label),
        "identified_on": lambda: _by(getattr(family, "identified_on", None), ends_on),
        "attached_on": lambda: attachment.attached_on,
        "eligible_at_entry": lambda: "Yes" if attachment.eligible_at_entry else "No",
        "problems_at_entry": lambda: "; ".join(label for _, label in entry),
        "problems_now": lambda: "; ".join(label for _, label in now),
        "problems_resolved": lambda: "; ".join(
            label for code, label in entry if code not in open_codes
        ),
        "plan_status": plan_status,
        "plan_agreed_on": lambda: agreed,
        "last_review_on": lambda: facts.reviews.get(family.pk),
        "result_route": lambda: result.route if result is not None else "",
        "result_readiness": lambda: readiness,
        "result_achieved_on": lambda: result.achieved_on if result is not None else None,
        "claim_status": lambda: _claim_words(claim),
        "claim_route": lambda: claim.route if claim is not None else "",
        "claim_date": lambda: claim.claim_date if claim is not None else None,
        "claim_accepted_on": lambda: _by(getattr(claim, "accepted_on", None), ends_on),
        "sustained": sustained_words,
        "sustained_on": lambda: sustained,
    }


def quarterly_return_rows(
    user: User,
    *,
    year: int,
    quarter: int,
    columns: Sequence[str],
    progress: Progress | None = None,
) -> Iterator[tuple[int, list[Cell]]]:
    """Every family of the return as (its id, its cells in ``columns``' order), a chunk
    of ``CHUNK`` families at a time; progress after each chunk."""
    _, ends_on = quarter_bounds(year, quarter)
    families = return_families(user, year, quarter)
    ids = list(families.values_list("pk", flat=True))
    total = len(ids)
    if progress is not None:
        progress(0, total)
    for start in range(0, total, CHUNK):
        chunk = ids[start : start + CHUNK]
        facts = _facts(user, chunk, ends_on)
        rows = (
            families.filter(pk__in=chunk)
            .select_related("lcg", "lead_agency", "attachment", "plan")
            .annotate(
                identified_on=identified_on(),
                plan_agreed_on=plan_agreed_on(),
                sustained_on=sustained_on(ends_on),
            )
        )
        for family in rows:
            values = _row_values(family, facts, ends_on)
            yield family.pk, [values[key]() for key in columns]
        if progress is not None:
            progress(min(start + CHUNK, total), total)


# --- The job -----------------------------------------------------------------------------


def _key(actor: User, year: int, quarter: int, columns: Sequence[str], given: str) -> str:
    # Scoped to the person, the quarter and the layout: someone else's key never returns
    # their job, and another layout starts another return.
    if not given:
        return ""
    digest = hashlib.sha256(",".join(columns).encode()).hexdigest()[:16]
    return f"{actor.pk}:{year}q{quarter}:{digest}:{given[:KEY_MAX]}"


@transaction.atomic
def quarterly_return_start(
    *,
    actor: User,
    year: int,
    quarter: int,
    columns: Sequence[str],
    today: datetime.date,
    idempotency_key: str = "",
    request: HttpRequest | None = None,
) -> Job:
    """Start the background job that makes the quarterly return of ``quarter`` of
    financial ``year`` in ``columns``, and record it in the access log. The same
    ``idempotency_key`` again (a double-clicked button) returns the job already
    started."""
    if not can_make_quarterly_return(actor):
        raise ApplicationError(RETURN_DENIED)
    _quarter_checked(year, quarter, today)
    chosen = columns_checked(columns)
    parameters: dict[str, object] = {"year": year, "quarter": quarter, "columns": chosen}
    job = job_start(
        actor=actor,
        kind=QUARTERLY_RETURN_JOB,
        parameters=parameters,
        idempotency_key=_key(actor, year, quarter, chosen, idempotency_key),
    )
    access_event_record(
        user=actor,
        action="export",
        object_type="quarterly_return",
        object_id=str(job.pk),
        request=request,
        detail={"job": str(job.pk), "year": year, "quarter": quarter, "columns": chosen},
    )
    return job


def quarterly_return_job(job: Job, progress: Progress) -> JobOutcome:
    """The QUARTERLY_RETURN_JOB runner: the return for whoever started it. Access is
    asked again now: a role taken away since the click stops the return, and the
    families are those they may see now."""
    user = job.started_by
    if not can_make_quarterly_return(user):
        raise ApplicationError(RETURN_DENIED)
    parameters: dict[str, Any] = dict(job.parameters)
    year, quarter = int(parameters["year"]), int(parameters["quarter"])
    chosen = columns_checked([str(key) for key in parameters.get("columns") or []])
    family_ids: list[int] = []

    def rows() -> Iterator[list[Cell]]:
        for family_id, row in quarterly_return_rows(
            user, year=year, quarter=quarter, columns=chosen, progress=progress
        ):
            family_ids.append(family_id)
            yield row

    heads = [Column(COLUMNS_BY_KEY[key].heading, COLUMNS_BY_KEY[key].kind) for key in chosen]
    content, count = table_csv(heads, rows())
    access_events_record_many(
        user=user,
        family_ids=family_ids,
        object_type="quarterly_return_export",
        filters={"year": year, "quarter": quarter},
        detail={"job": str(job.pk), "columns": chosen, "quarter": quarter_label(year, quarter)},
    )
    return JobOutcome(
        counts={"families": count},
        file_name=f"quarterly-return-{year}-{year + 1}-q{quarter}-{file_stamp()}.csv",
        file_content=content,
    )
