"""The Money pages (docs/money.md): the programme's income and forecast for a financial
year, per LCG and in total, as a chart beside its table and as CSV; and the payment
rates, which programme managers set. Parse, check, call, render."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from agencies.models import User
from audit.services import access_event_record
from oneplan.access_rules import access_rule
from oneplan.errors import ApplicationError
from oneplan.spreadsheets import spreadsheet_text
from outcomes.claims.access import can_change_payment_rates, can_see_money
from outcomes.models import AttachmentFee
from outcomes.money import selectors, services
from outcomes.money.forms import AttachmentFeeChangeForm, AttachmentFeeForm, MoneyYearForm
from outcomes.money.rules import (
    AT_RISK,
    EXPECTED,
    INCOME,
    SEGMENT_COLOURS,
    SEGMENT_LABELS,
    chart_bars,
    financial_year_of,
)
from outcomes.money.selectors import MoneyRow, MoneySummary

SEE = "programme managers"


def _viewer(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if not can_see_money(user):
        raise PermissionDenied("Only programme managers see the programme's money")
    return user


def _changer(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if not can_change_payment_rates(user):
        raise PermissionDenied("Only programme managers change the payment rates")
    return user


def _year(request: HttpRequest) -> tuple[MoneyYearForm, int, bool]:
    """The year asked for (``?year=2025``), or the year in progress; and whether the
    request named a year that cannot be shown (the page says so, and shows this year)."""
    today = timezone.localdate()
    years = selectors.money_years(today)
    current = financial_year_of(today)
    if "year" not in request.GET:
        return MoneyYearForm(initial={"year": str(current)}, years=years), current, True
    form = MoneyYearForm(request.GET, years=years)
    if form.is_valid():
        return form, form.cleaned_data["year"], True
    return form, current, False


@login_required
@access_rule(SEE)
def money_summary(request: HttpRequest) -> HttpResponse:
    user = _viewer(request)
    form, year, valid = _year(request)
    summary = selectors.money_summary(user, year=year, today=timezone.localdate())
    chart = chart_bars(
        [
            (
                row.lcg,
                {
                    INCOME: row.income,
                    EXPECTED: row.awaiting_payment + row.claimable,
                    AT_RISK: row.at_risk,
                },
            )
            for row in summary.rows
        ]
    )
    kinds = [INCOME, EXPECTED, AT_RISK] if summary.has_forecast else [INCOME]
    return render(
        request,
        "outcomes/money/money_summary.html",
        {
            "form": form,
            "summary": summary,
            "chart": chart,
            "key": [(SEGMENT_LABELS[k], SEGMENT_COLOURS[k]) for k in kinds],
            "can_change_rates": can_change_payment_rates(user),
        },
        status=200 if valid else 400,
    )


def csv_cell(value: object) -> object:
    """A cell as written to CSV: numbers as they are; text through the claim export's
    ``spreadsheet_text``, so a spreadsheet never runs it as a formula."""
    if isinstance(value, int | Decimal):
        return value
    return spreadsheet_text(str(value))


HEADER = [
    "LCG",
    "Families attached",
    "Attachment fees (£)",
    "Families attached with no fee set",
    "Claims paid",
    "Result payments (£)",
    "Claims clawed back",
    "Clawed back (£)",
    "Income to date (£)",
]
FORECAST_HEADER = [
    "Claims awaiting payment",
    "Awaiting payment (£)",
    "Families claimable",
    "Claimable (£)",
    "Families at risk",
    "At risk (£)",
    "Forecast still to come (£)",
]


def money_csv_rows(summary: MoneySummary) -> list[list[object]]:
    """The table of the Money page, a row per LCG and the total, as CSV rows."""

    def line(row: MoneyRow) -> list[object]:
        cells: list[object] = [
            row.lcg,
            row.families_attached,
            row.attachment_fees,
            row.families_without_fee,
            row.claims_paid,
            row.result_payments,
            row.claims_clawed_back,
            row.clawed_back,
            row.income,
        ]
        if summary.has_forecast:
            cells += [
                row.claims_awaiting_payment,
                row.awaiting_payment,
                row.families_claimable,
                row.claimable,
                row.families_at_risk,
                row.at_risk,
                row.forecast,
            ]
        return [csv_cell(cell) for cell in cells]

    header: list[object] = [*HEADER, *(FORECAST_HEADER if summary.has_forecast else [])]
    return [header, *(line(row) for row in summary.rows), line(summary.total)]


@login_required
@access_rule(SEE)
def money_csv(request: HttpRequest) -> HttpResponse:
    user = _viewer(request)
    _form, year, valid = _year(request)
    if not valid:
        return HttpResponse(
            "Select a financial year from the list", status=400, content_type="text/plain"
        )
    summary = selectors.money_summary(user, year=year, today=timezone.localdate())
    buffer = io.StringIO()
    # A byte order mark, so that Excel reads the pound signs as UTF-8.
    buffer.write("\ufeff")
    csv.writer(buffer).writerows(money_csv_rows(summary))
    # A file leaves the service: its download is recorded, whatever it holds (issue 14).
    access_event_record(
        user=user,
        action="export",
        object_type="money_summary",
        object_id=str(year),
        request=request,
        detail={"year": year, "format": "csv"},
    )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="money-{year}-{year + 1}.csv"'
    return response


@login_required
@access_rule(SEE + " (read); programme managers change them")
def payment_rates(request: HttpRequest) -> HttpResponse:
    user = _viewer(request)
    return render(
        request,
        "outcomes/money/payment_rates.html",
        {
            "fees": selectors.attachment_fee_list(user),
            "results": selectors.result_payment_lines(user),
            "history": selectors.attachment_fee_history(user),
            "can_change": can_change_payment_rates(user),
        },
    )


@login_required
@access_rule("programme managers")
def attachment_fee_new(request: HttpRequest) -> HttpResponse:
    user = _changer(request)
    form = AttachmentFeeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            fee = services.attachment_fee_create(
                actor=user,
                framework=data["framework"],
                financial_year=data["financial_year"],
                amount=data["amount"],
                source=data["source"],
                today=timezone.localdate(),
            )
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                f"Attachment fee set: {fee.get_framework_display()}, "
                f"{fee.financial_year} to {fee.financial_year + 1}",
            )
            return redirect("outcomes:payment-rates")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "outcomes/money/fee_form.html", {"form": form, "fee": None}, status=status
    )


@login_required
@access_rule("programme managers")
def attachment_fee_change(request: HttpRequest, fee_id: int) -> HttpResponse:
    user = _changer(request)
    fee = get_object_or_404(AttachmentFee, pk=fee_id)
    initial = {"amount": fee.amount, "source": fee.source}
    form = AttachmentFeeChangeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.attachment_fee_change(
                actor=user,
                fee=fee,
                amount=form.cleaned_data["amount"],
                source=form.cleaned_data["source"],
            )
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                f"Attachment fee changed: {fee.get_framework_display()}, "
                f"{fee.financial_year} to {fee.financial_year + 1}",
            )
            return redirect("outcomes:payment-rates")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "outcomes/money/fee_form.html", {"form": form, "fee": fee}, status=status
    )
