"""The LCG grant statement (docs/lcg-money.md), the rates and targets it uses, and the
targets' progress for the LCG dashboard.

**Taken on** (the grant): a family is taken on on the local track at the start of its
first lead assignment on the local track (``families.LeadAssignment``, written by the
LCG's allocation or a handover onto the local track, ``lcgs.allocation``; its start is
kept on the family as ``Family.first_local_lead_at``). It earns
the grant once, in the financial year of that day, whatever happens later (a handover,
a move to the intensive track, leaving the journey).

**Result** (the reward): a family earns the reward in the financial year its claim was
accepted (the day its batch moved from submitted to accepted,
``outcomes.ClaimBatchChange``), when at that moment its lead was on the local track
and the claim still stands. A claim since clawed back earns nothing: it is counted in
"clawed back" in the year it was accepted.

Families count in the LCG they belong to today, as on the Money page. Every figure is
counted in the database, grouped by LCG: a constant number of queries whatever the
number of families.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from agencies.models import LCG, AnyUser, User
from families.models import Family, LeadAssignment, Track
from lcgs.money.access import (
    DENIED,
    can_change_lcg_money,
    can_see_lcg_money,
    lcgs_for_money,
)
from lcgs.money.models import LCGGrantRate, LCGTarget
from lcgs.money.rules import Rates, StatementRow, statement_row, statement_total
from lcgs.screening.access import lcg_work_scope
from outcomes.models import Claim, ClaimBatchStatus, ClaimStatus
from outcomes.money.rules import (
    FIRST_YEAR,
    financial_year_bounds,
    financial_year_label,
    financial_year_of,
)
from outcomes.reporting.figures import batch_accepted_at

# --- The families behind each line ---------------------------------------------------


def year_moments(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    """The first moment of financial year ``year`` and of the next, in the service's
    time zone: a family allocated at 23:30 on 31 March is in the year that ends then."""
    starts_on, ends_on = financial_year_bounds(year)
    start = datetime.datetime.combine(starts_on, datetime.time.min)
    end = datetime.datetime.combine(ends_on + datetime.timedelta(days=1), datetime.time.min)
    return timezone.make_aware(start), timezone.make_aware(end)


def taken_on_q(year: int) -> Q:
    """Families taken on on the local track in ``year``, as a filter on ``Family``: their
    first lead assignment on the local track started in the year. The statement's grant
    line, its families and the LCG dashboard's progress against targets all count with
    it. That start is kept on the family (``Family.first_local_lead_at``, by
    ``families.services.family_set_lead``, which writes every lead assignment), so the
    count reads a column and its index, not each family's history."""
    start, end = year_moments(year)
    return Q(first_local_lead_at__gte=start, first_local_lead_at__lt=end)


def _accepted_claims(year: int) -> QuerySet[Claim]:
    """Claims whose batch was accepted in ``year``, standing or clawed back since, of
    families whose lead was on the local track when the batch was accepted; annotated
    with the moment of acceptance (``accepted_at``)."""
    start, end = year_moments(year)
    accepted_at = batch_accepted_at()
    local_then = LeadAssignment.objects.filter(
        family_id=OuterRef("family_id"),
        track=Track.LOCAL,
        started_at__lte=OuterRef("accepted_at"),
    ).filter(Q(ended_at__isnull=True) | Q(ended_at__gt=OuterRef("accepted_at")))
    return (
        Claim.objects.filter(
            batch__status=ClaimBatchStatus.ACCEPTED,
            status__in=[ClaimStatus.PROPOSED, ClaimStatus.CLAWED_BACK],
        )
        .annotate(accepted_at=accepted_at)
        .filter(accepted_at__gte=start, accepted_at__lt=end)
        .filter(Exists(local_then))
    )


def _counts(lcg_ids: Collection[int], year: int) -> dict[int, tuple[int, int, int]]:
    """``{lcg id: (families taken on, results, clawed back)}`` for ``year``: two grouped
    queries."""
    ids = list(lcg_ids)
    found: dict[int, list[int]] = {lcg_id: [0, 0, 0] for lcg_id in ids}
    taken = (
        Family.objects.filter(taken_on_q(year), lcg_id__in=ids)
        .order_by()
        .values("lcg_id")
        .annotate(n=Count("*"))  # from the index alone (family_first_local_lead)
    )
    for row in taken:
        found[row["lcg_id"]][0] = row["n"]
    claims = (
        _accepted_claims(year)
        .filter(family__lcg_id__in=ids)
        .order_by()
        .values("family__lcg_id")
        .annotate(
            results=Count("family_id", distinct=True, filter=Q(status=ClaimStatus.PROPOSED)),
            clawed=Count("family_id", distinct=True, filter=Q(status=ClaimStatus.CLAWED_BACK)),
        )
    )
    for row in claims:
        found[row["family__lcg_id"]][1:] = [row["results"], row["clawed"]]
    return {lcg_id: (a, b, c) for lcg_id, (a, b, c) in found.items()}


# --- Rates and targets -----------------------------------------------------------------


def rates_for_year(year: int) -> Rates | None:
    """The rates set for ``year``, or ``None`` when none are."""
    rate = LCGGrantRate.objects.filter(financial_year=year).first()
    if rate is None:
        return None
    return Rates(rate.grant_per_family, rate.reward_per_result)


def _targets(lcg_ids: Collection[int], year: int) -> dict[int, tuple[int, int]]:
    return {
        lcg_id: (taken_on, results)
        for lcg_id, taken_on, results in LCGTarget.objects.filter(
            lcg_id__in=list(lcg_ids), financial_year=year
        ).values_list("lcg_id", "families_taken_on", "results")
    }


@dataclass(frozen=True)
class TargetProgress:
    """An LCG's targets for a financial year (``None`` where not set) and how far it
    has come: families taken on on the local track, and results, as the grant
    statement counts them."""

    lcg_id: int
    year: int
    target_taken_on: int | None
    target_results: int | None
    families_taken_on: int
    results: int

    @property
    def has_targets(self) -> bool:
        return self.target_taken_on is not None

    @property
    def taken_on_percent(self) -> int | None:
        from lcgs.money.rules import percent_of_target

        return percent_of_target(self.families_taken_on, self.target_taken_on)

    @property
    def results_percent(self) -> int | None:
        from lcgs.money.rules import percent_of_target

        return percent_of_target(self.results, self.target_results)


def lcg_targets(lcg_ids: Collection[int], year: int) -> dict[int, TargetProgress]:
    """Each LCG's targets for financial ``year`` and its progress against them, for the
    LCG dashboard: three queries whatever the number of LCGs and families.

    The caller passes the LCGs the viewer may see (the dashboard's own scope): the
    figures are counts, no family is named."""
    targets = _targets(lcg_ids, year)
    counts = _counts(lcg_ids, year)
    return {
        lcg_id: TargetProgress(
            lcg_id=lcg_id,
            year=year,
            target_taken_on=targets[lcg_id][0] if lcg_id in targets else None,
            target_results=targets[lcg_id][1] if lcg_id in targets else None,
            families_taken_on=counts[lcg_id][0],
            results=counts[lcg_id][1],
        )
        for lcg_id in lcg_ids
    }


# --- The statement ---------------------------------------------------------------------


def statement_years(today: datetime.date) -> list[int]:
    """The financial years a statement can be shown for, newest first."""
    return list(range(financial_year_of(today), FIRST_YEAR - 1, -1))


@dataclass(frozen=True)
class GrantStatement:
    year: int
    rates: Rates | None
    rows: tuple[StatementRow, ...]
    total: StatementRow

    @property
    def label(self) -> str:
        return financial_year_label(self.year)

    @property
    def starts_on(self) -> datetime.date:
        return financial_year_bounds(self.year)[0]

    @property
    def ends_on(self) -> datetime.date:
        return financial_year_bounds(self.year)[1]

    @property
    def rates_missing(self) -> bool:
        return self.rates is None


def _require(user: AnyUser) -> None:
    if not can_see_lcg_money(user):
        raise PermissionDenied(DENIED)


def grant_statement(user: AnyUser, *, year: int, lcgs: list[LCG] | None = None) -> GrantStatement:
    """The grant statement of financial ``year`` for the LCGs ``user`` sees (every LCG
    for a programme manager, their own for a coordinator), or for ``lcgs`` among them;
    a row per LCG and the total. Five queries whatever the number of families."""
    _require(user)
    chosen = lcgs if lcgs is not None else lcgs_for_money(user)
    ids = [lcg.pk for lcg in chosen]
    rates = rates_for_year(year)
    counts = _counts(ids, year)
    targets = _targets(ids, year)
    rows = tuple(
        statement_row(
            lcg.pk,
            lcg.name,
            families_taken_on=counts[lcg.pk][0],
            results=counts[lcg.pk][1],
            clawed_back=counts[lcg.pk][2],
            rates=rates,
            targets=targets.get(lcg.pk),
        )
        for lcg in chosen
    )
    return GrantStatement(year=year, rates=rates, rows=rows, total=statement_total(rows))


def lcg_for_money_or_404(user: AnyUser, lcg_id: int) -> LCG:
    """An LCG whose statement ``user`` sees; 404 for one they do not (another LCG's
    coordinator), the same as for one that does not exist."""
    _require(user)
    lcg = LCG.objects.filter(lcg_work_scope(user), pk=lcg_id).first()
    if lcg is None:
        raise Http404("No such LCG")
    return lcg


# Lines of the statement, as the families behind them are labelled.
GRANT, REWARD, CLAWED_BACK = "grant", "reward", "clawed_back"
LINE_LABELS = {
    GRANT: "Grant: taken on on the local track",
    REWARD: "Reward: result claim accepted",
    CLAWED_BACK: "Clawed back: no reward",
}


@dataclass(frozen=True)
class FamilyLine:
    """A family behind a line of an LCG's statement: which line, the day that put it
    there (taken on, or its claim accepted), and what it earns."""

    lcg: str
    line: str
    reference: str
    on: datetime.date
    amount: Decimal
    detail: str

    @property
    def line_label(self) -> str:
        return LINE_LABELS[self.line]


def statement_families(
    user: AnyUser, *, year: int, lcgs: list[LCG], rates: Rates | None
) -> list[FamilyLine]:
    """The families behind each line of ``lcgs``' statements for ``year`` (among those
    ``user`` sees), by LCG, line and date: two queries."""
    _require(user)
    names = {lcg.pk: lcg.name for lcg in lcgs}
    allowed = set(
        LCG.objects.filter(lcg_work_scope(user), pk__in=list(names)).values_list("pk", flat=True)
    )
    ids = [lcg_id for lcg_id in names if lcg_id in allowed]
    grant = rates.grant_per_family if rates else Decimal("0.00")
    reward = rates.reward_per_result if rates else Decimal("0.00")
    lines: list[FamilyLine] = []
    taken = Family.objects.filter(taken_on_q(year), lcg_id__in=ids).values(
        "reference", "lcg_id", "track", "first_local_lead_at"
    )
    for row in taken:
        track = row["track"]
        moved = track and track != Track.LOCAL
        lines.append(
            FamilyLine(
                lcg=names[row["lcg_id"]],
                line=GRANT,
                reference=row["reference"],
                on=timezone.localdate(row["first_local_lead_at"]),
                amount=grant,
                detail=f"Now on the {Track(track).label.lower()} track" if moved else "",
            )
        )
    claims = (
        _accepted_claims(year)
        .filter(family__lcg_id__in=ids)
        .values_list(
            "family__reference", "family__lcg_id", "accepted_at", "status", "route", "status_reason"
        )  # type: ignore[misc]  # accepted_at is an annotation the stubs cannot see
        .order_by("accepted_at", "family__reference")
    )
    rewarded: set[str] = set()
    for reference, lcg_id, accepted_at, status, route, reason in claims:
        if status == ClaimStatus.PROPOSED:
            if reference in rewarded:
                continue
            rewarded.add(reference)
            line, amount, detail = REWARD, reward, f"Route {route}"
        else:
            line, amount = CLAWED_BACK, Decimal("0.00")
            detail = f"Route {route}, clawed back: {reason}" if reason else f"Route {route}"
        lines.append(
            FamilyLine(
                lcg=names[lcg_id],
                line=line,
                reference=reference,
                on=timezone.localdate(accepted_at),
                amount=amount,
                detail=detail,
            )
        )
    order = {GRANT: 0, REWARD: 1, CLAWED_BACK: 2}
    lines.sort(key=lambda fl: (fl.lcg, order[fl.line], fl.on, fl.reference))
    return lines


# --- The rates and targets pages -------------------------------------------------------


def _require_change(user: AnyUser) -> None:
    if not can_change_lcg_money(user):
        raise PermissionDenied("Only programme managers see the LCG grant rates and targets")


def grant_rate_list(user: AnyUser) -> QuerySet[LCGGrantRate]:
    _require_change(user)
    return LCGGrantRate.objects.select_related("updated_by").order_by("-financial_year")


@dataclass(frozen=True)
class Change:
    """One change to the rates or targets, from the history triggers."""

    at: datetime.datetime
    what: str
    subject: str
    figures: str
    by: str


WHAT = {"insert": "Added", "update": "Changed", "delete": "Removed"}


def _changes(model: str, limit: int) -> tuple[list[Any], dict[int, str]]:
    events = apps.get_model("lcgs", model)
    found = list(
        events.objects.select_related("pgh_context").order_by("-pgh_created_at", "-pgh_id")[:limit]
    )
    ids = {
        (event.pgh_context.metadata or {}).get("user")
        for event in found
        if event.pgh_context is not None
    }
    names = {
        u.pk: u.get_full_name() or u.username for u in User.objects.filter(pk__in=ids - {None})
    }
    return found, names


def _by(event: Any, names: dict[int, str]) -> str:
    context = getattr(event, "pgh_context", None)
    user_id = (context.metadata or {}).get("user") if context is not None else None
    # Seeded by the data migration, outside any request: OnePlan's own figures.
    return names.get(user_id, "") if user_id else "OnePlan"


def grant_rate_history(user: AnyUser, *, limit: int = 50) -> list[Change]:
    """The latest changes to the rates, newest first, with who made them."""
    _require_change(user)
    found, names = _changes("LCGGrantRateEvent", limit)
    return [
        Change(
            at=event.pgh_created_at,
            what=str(WHAT.get(event.pgh_label, event.pgh_label)),
            subject=financial_year_label(event.financial_year),
            figures=f"£{event.grant_per_family:,.2f} grant, "
            f"£{event.reward_per_result:,.2f} reward; {event.source}",
            by=_by(event, names),
        )
        for event in found
    ]


@dataclass(frozen=True)
class TargetLine:
    lcg: LCG
    target: LCGTarget | None


def target_lines(user: AnyUser, *, year: int) -> list[TargetLine]:
    """Every LCG with its targets for ``year`` (``None`` where not set): two queries."""
    _require_change(user)
    targets = {
        target.lcg_id: target
        for target in LCGTarget.objects.filter(financial_year=year).select_related("updated_by")
    }
    return [TargetLine(lcg, targets.get(lcg.pk)) for lcg in LCG.objects.order_by("name")]


def target_history(user: AnyUser, *, limit: int = 50) -> list[Change]:
    """The latest changes to the targets, newest first, with who made them."""
    _require_change(user)
    found, names = _changes("LCGTargetEvent", limit)
    lcgs = dict(
        LCG.objects.filter(pk__in={event.lcg_id for event in found}).values_list("pk", "name")
    )
    return [
        Change(
            at=event.pgh_created_at,
            what=str(WHAT.get(event.pgh_label, event.pgh_label)),
            subject=f"{lcgs.get(event.lcg_id, 'An LCG')}, "
            f"{financial_year_label(event.financial_year)}",
            figures=f"{event.families_taken_on} families taken on, {event.results} results",
            by=_by(event, names),
        )
        for event in found
    ]
