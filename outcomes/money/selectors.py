"""The programme's money for one financial year, per LCG and in total (docs/money.md):
what it has earned (attachment fees, result payments less claw-backs) and, for the year
in progress, what is still to come (claims not yet paid, claimable and at-risk families).

Every figure is summed in the database, grouped by LCG (and by framework version and
route where a payment has to be priced): a handful of queries whatever the number of
families. Amounts are priced by the same functions as claims
(``outcomes.frameworks.payments.result_payment``).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum

from agencies.models import LCG, AnyUser, User
from outcomes.claims.access import can_see_money
from outcomes.frameworks.payments import full_result, result_payment
from outcomes.frameworks.types import ParameterError
from outcomes.models import (
    Attachment,
    AttachmentFee,
    Claim,
    ClaimBatch,
    ClaimBatchStatus,
    ClaimStatus,
    Framework,
    FrameworkVersion,
    Readiness,
    Result,
)
from outcomes.money.rules import (
    FIRST_YEAR,
    financial_year_bounds,
    financial_year_label,
    financial_year_of,
)

ZERO = Decimal("0.00")
NO_LCG = "No LCG (unassigned)"
# Money follows the family's LCG today (a family that moved counts where it lives now).
_LCG = F("family__lcg_id")
TOTAL = "Total"


@dataclass(frozen=True)
class MoneyRow:
    """One LCG's money (or the total). Counts are families or claims; amounts pounds.
    The last six fields are the forecast: as things stand today, for the year in
    progress only."""

    lcg: str
    families_attached: int = 0
    attachment_fees: Decimal = ZERO
    families_without_fee: int = 0
    claims_paid: int = 0
    result_payments: Decimal = ZERO
    claims_clawed_back: int = 0
    clawed_back: Decimal = ZERO
    claims_awaiting_payment: int = 0
    awaiting_payment: Decimal = ZERO
    families_claimable: int = 0
    claimable: Decimal = ZERO
    families_at_risk: int = 0
    at_risk: Decimal = ZERO

    @property
    def income(self) -> Decimal:
        """Income to date: attachment fees and result payments, less claw-backs."""
        return self.attachment_fees + self.result_payments - self.clawed_back

    @property
    def forecast(self) -> Decimal:
        """Still to come: claims not yet paid, claimable families, at-risk families (not
        weighted: each at-risk family counts in full)."""
        return self.awaiting_payment + self.claimable + self.at_risk

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self) if f.name != "lcg")

    def plus(self, other: MoneyRow) -> MoneyRow:
        return replace(
            self,
            **{
                f.name: getattr(self, f.name) + getattr(other, f.name)
                for f in fields(self)
                if f.name != "lcg"
            },
        )


@dataclass(frozen=True)
class MoneySummary:
    year: int
    label: str
    starts_on: datetime.date
    ends_on: datetime.date
    # The year in progress has a forecast; a year that has ended does not.
    has_forecast: bool
    rows: tuple[MoneyRow, ...]
    total: MoneyRow
    # What government paid for the batches paid in the year, as recorded on them (the
    # claims' own amounts are what the rows add up).
    government_paid: Decimal
    # Frameworks with families attached in the year but no attachment fee set for it.
    fees_missing: tuple[str, ...] = ()
    # Families whose result payment cannot be priced (a framework version's payments
    # parameters are wrong); left out of the forecast.
    families_unpriced: int = 0
    fees: Mapping[str, Decimal] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return self.total.is_empty


def _require(user: AnyUser) -> None:
    if not can_see_money(user):
        raise PermissionDenied("Only programme managers see the programme's money")


def money_years(today: datetime.date) -> list[int]:
    """The financial years the Money page offers, newest first: from the programme's
    first to the year in progress."""
    return list(range(financial_year_of(today), FIRST_YEAR - 1, -1))


def _by_lcg(rows: Iterable[Mapping[str, Any]], **names: str) -> dict[int | None, dict[str, Any]]:
    """``{lcg id: {field: value}}`` from grouped rows, renaming columns per ``names``."""
    found: dict[int | None, dict[str, Any]] = defaultdict(dict)
    for row in rows:
        for column, name in names.items():
            found[row["lcg"]][name] = row[column] if row[column] is not None else ZERO
    return found


def _standing_claim() -> Exists:
    return Exists(
        Claim.objects.filter(
            family_id=OuterRef("family_id"),
            framework=OuterRef("framework"),
            status=ClaimStatus.PROPOSED,
        )
    )


def _pipeline(
    parts: dict[int | None, dict[str, Any]],
) -> int:
    """Claims not yet paid, and families claimable or at risk today (current results,
    without a standing claim), into ``parts``; the number of families left unpriced."""
    awaiting = (
        Claim.objects.filter(status=ClaimStatus.PROPOSED)
        .filter(
            Q(
                batch__status__in=[
                    ClaimBatchStatus.DRAFT,
                    ClaimBatchStatus.IN_AUDIT,
                    ClaimBatchStatus.SUBMITTED,
                ]
            )
            | Q(batch__status=ClaimBatchStatus.ACCEPTED, batch__paid_on__isnull=True)
        )
        .values(lcg=_LCG)
        .annotate(n=Count("pk"), total=Sum("amount"))
    )
    for lcg, values in _by_lcg(
        awaiting, n="claims_awaiting_payment", total="awaiting_payment"
    ).items():
        parts[lcg].update(values)

    current: QuerySet[Result] = Result.objects.filter(is_current=True).exclude(_standing_claim())
    claimable = list(
        current.filter(readiness=Readiness.CLAIMABLE)
        .values("framework", "framework_version_id", "route", lcg=_LCG)
        .annotate(n=Count("pk"))
    )
    at_risk = list(
        current.filter(readiness=Readiness.AT_RISK)
        .values("framework", "framework_version_id", lcg=_LCG)
        .annotate(n=Count("pk"))
    )
    versions = dict(
        FrameworkVersion.objects.filter(
            pk__in={row["framework_version_id"] for row in [*claimable, *at_risk]}
        ).values_list("pk", "parameters")
    )
    unpriced = 0
    for row in claimable:
        try:
            each = result_payment(
                row["framework"], row["route"], versions[row["framework_version_id"]]
            )
        except ParameterError:
            unpriced += row["n"]
            continue
        into = parts[row["lcg"]]
        into["families_claimable"] = into.get("families_claimable", 0) + row["n"]
        into["claimable"] = into.get("claimable", ZERO) + each * row["n"]
    for row in at_risk:
        try:
            each = full_result(row["framework"], versions[row["framework_version_id"]])[1]
        except ParameterError:
            unpriced += row["n"]
            continue
        into = parts[row["lcg"]]
        into["families_at_risk"] = into.get("families_at_risk", 0) + row["n"]
        into["at_risk"] = into.get("at_risk", ZERO) + each * row["n"]
    return unpriced


def money_summary(user: AnyUser, *, year: int, today: datetime.date) -> MoneySummary:
    """The money of financial ``year`` for ``user`` (programme managers only):

    - **attachment fees**: each family attached in the year and eligible at entry, at the
      fee set for its framework and that year (none when no fee is set: counted in
      ``families_without_fee`` and named in ``fees_missing``);
    - **result payments**: the amounts of the claims of accepted batches paid in the year
      (by the day the payment was recorded), each claim that was in the batch;
    - **clawed back**: those of them since clawed back, taken off the same year;
    - for the year in progress only, the **forecast**: standing claims in batches not yet
      paid, families claimable today without a standing claim (priced for their route)
      and families at risk today (priced at their framework's full result, not weighted).
    """
    _require(user)
    starts_on, ends_on = financial_year_bounds(year)
    has_forecast = year == financial_year_of(today)
    parts: dict[int | None, dict[str, Any]] = defaultdict(dict)

    fees = dict(
        AttachmentFee.objects.filter(financial_year=year).values_list("framework", "amount")
    )
    attached = (
        Attachment.objects.filter(attached_on__range=(starts_on, ends_on), eligible_at_entry=True)
        .values("framework", lcg=_LCG)
        .annotate(n=Count("pk"))
    )
    missing: set[str] = set()
    for row in attached:
        into = parts[row["lcg"]]
        into["families_attached"] = into.get("families_attached", 0) + row["n"]
        fee = fees.get(row["framework"])
        if fee is None:
            missing.add(row["framework"])
            into["families_without_fee"] = into.get("families_without_fee", 0) + row["n"]
        else:
            into["attachment_fees"] = into.get("attachment_fees", ZERO) + fee * row["n"]

    paid_batches = ClaimBatch.objects.filter(
        status=ClaimBatchStatus.ACCEPTED, paid_on__range=(starts_on, ends_on)
    )
    clawed = Q(status=ClaimStatus.CLAWED_BACK)
    paid = (
        Claim.objects.filter(
            batch__in=paid_batches, status__in=[ClaimStatus.PROPOSED, ClaimStatus.CLAWED_BACK]
        )
        .values(lcg=_LCG)
        .annotate(
            n=Count("pk"),
            total=Sum("amount"),
            clawed_n=Count("pk", filter=clawed),
            clawed_total=Sum("amount", filter=clawed),
        )
    )
    for lcg, values in _by_lcg(
        paid,
        n="claims_paid",
        total="result_payments",
        clawed_n="claims_clawed_back",
        clawed_total="clawed_back",
    ).items():
        parts[lcg].update(values)
    government_paid = paid_batches.aggregate(total=Sum("paid_amount"))["total"] or ZERO

    unpriced = _pipeline(parts) if has_forecast else 0

    rows = [
        MoneyRow(lcg=name, **parts.get(pk, {}))
        for pk, name in LCG.objects.order_by("name").values_list("pk", "name")
    ]
    if None in parts:
        rows.append(MoneyRow(lcg=NO_LCG, **parts[None]))
    total = MoneyRow(lcg=TOTAL)
    for line in rows:
        total = total.plus(line)
    labels = dict(Framework.choices)
    return MoneySummary(
        year=year,
        label=financial_year_label(year),
        starts_on=starts_on,
        ends_on=ends_on,
        has_forecast=has_forecast,
        rows=tuple(rows),
        total=total,
        government_paid=government_paid,
        fees_missing=tuple(str(labels[code]) for code in sorted(missing)),
        families_unpriced=unpriced,
        fees=fees,
    )


# --- The payment rates ------------------------------------------------------------------


@dataclass(frozen=True)
class ResultPaymentLine:
    framework: str
    framework_label: str
    version: int
    route: str
    amount: Decimal | None


def attachment_fee_list(user: AnyUser) -> QuerySet[AttachmentFee]:
    _require(user)
    return AttachmentFee.objects.select_related("updated_by").order_by(
        "-financial_year", "framework"
    )


def result_payment_lines(user: AnyUser) -> list[ResultPaymentLine]:
    """Each framework's result payments under its latest version (what a claim made
    today for a family attached under that version is paid); ``None`` where the
    version's payments cannot be read."""
    _require(user)
    from outcomes.frameworks.payments import DEFAULT_RESULT_PAYMENTS

    lines = []
    # The latest version of each framework (PostgreSQL's DISTINCT ON).
    versions = FrameworkVersion.objects.order_by("framework", "-version").distinct("framework")
    for version in versions:
        for route in DEFAULT_RESULT_PAYMENTS.get(version.framework, {}):
            try:
                amount: Decimal | None = result_payment(
                    version.framework, route, version.parameters
                )
            except ParameterError:
                amount = None
            lines.append(
                ResultPaymentLine(
                    version.framework,
                    version.get_framework_display(),
                    version.version,
                    route,
                    amount,
                )
            )
    return lines


@dataclass(frozen=True)
class FeeChange:
    at: datetime.datetime
    what: str
    framework: str
    framework_label: str
    financial_year: int
    amount: Decimal
    source: str
    by: str


def attachment_fee_history(user: AnyUser, *, limit: int = 50) -> list[FeeChange]:
    """The latest changes to the attachment fees, newest first, with who made them
    (the seeded national defaults were made by OnePlan itself)."""
    _require(user)
    events = apps.get_model("outcomes", "AttachmentFeeEvent")
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
    what = {"insert": "Added", "update": "Changed", "delete": "Removed"}
    labels = dict(Framework.choices)
    changes = []
    for event in found:
        metadata = (event.pgh_context.metadata or {}) if event.pgh_context is not None else {}
        user_id = metadata.get("user")
        changes.append(
            FeeChange(
                at=event.pgh_created_at,
                what=what.get(event.pgh_label, event.pgh_label),
                framework=event.framework,
                framework_label=str(labels.get(event.framework, event.framework)),
                financial_year=event.financial_year,
                amount=event.amount,
                source=event.source,
                by=names.get(user_id, "") if user_id else "OnePlan",
            )
        )
    return changes
