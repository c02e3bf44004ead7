"""The costs avoided pages (docs/costs-avoided.md): the cohort's totals by agency, the
families and events behind each figure, a CSV of the families, and the unit cost table
and programme spend, which programme managers set. Parse, check, call, render."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from agencies.models import User
from agencies.request_user import request_user_or_403
from audit.models import AccessAction
from audit.services import access_event_record, access_events_record_many
from oneplan.access_rules import access_rule
from oneplan.dates import file_stamp
from oneplan.errors import ApplicationError
from oneplan.spreadsheets import Column, table_csv
from outcomes.costs import selectors, services
from outcomes.costs.access import (
    CHANGE_DENIED,
    CHANGE_RULE,
    DENIED,
    SEE_RULE,
    can_change_costs,
    can_see_costs,
)
from outcomes.costs.forms import (
    CohortYearForm,
    ProgrammeSpendForm,
    UnitCostChangeForm,
    UnitCostForm,
    pence_of,
)
from outcomes.costs.models import UnitCost
from outcomes.costs.rules import CATEGORY_BY_CODE, weeks
from outcomes.money.rules import financial_year_label, financial_year_of

UNIT_WORDS = {"event": "an event", "week": "a week", "hour": "an hour"}


def _viewer(request: HttpRequest) -> User:
    return request_user_or_403(request, can_see_costs, DENIED)


def _changer(request: HttpRequest) -> User:
    return request_user_or_403(request, can_change_costs, CHANGE_DENIED)


def _year(request: HttpRequest, user: User) -> tuple[CohortYearForm, int, bool]:
    """The cohort asked for (``?year=2024``), or this financial year; and whether the
    request named a year that can be shown."""
    today = timezone.localdate()
    years = selectors.cohort_years(user, today)
    current = financial_year_of(today)
    if "year" not in request.GET:
        return CohortYearForm(initial={"year": str(current)}, years=years), current, True
    form = CohortYearForm(request.GET, years=years)
    if form.is_valid():
        return form, form.cleaned_data["year"], True
    return form, current, False


@login_required
@access_rule(SEE_RULE)
def costs_avoided(request: HttpRequest) -> HttpResponse:
    user = _viewer(request)
    form, year, valid = _year(request, user)
    summary = selectors.costs_summary(user, year=year, today=timezone.localdate())
    return render(
        request,
        "outcomes/costs/costs_summary.html",
        {"form": form, "summary": summary, "can_change": can_change_costs(user)},
        status=200 if valid else 400,
    )


@login_required
@access_rule(SEE_RULE + "; only families in the viewer's scope")
def costs_avoided_families(request: HttpRequest) -> HttpResponse:
    user = _viewer(request)
    form, year, valid = _year(request, user)
    agency = request.GET.get("agency", "")
    listing = selectors.costs_family_list(
        user, year=year, agency=agency, today=timezone.localdate()
    )
    shown = [*listing.counted, *listing.waiting]
    access_events_record_many(
        user=user,
        family_ids=[row.family_id for row in shown],
        family_references=[row.reference for row in shown],
        object_type="costs_avoided",
        filters={"year": year, "agency": agency},
        request=request,
    )
    return render(
        request,
        "outcomes/costs/costs_families.html",
        {"form": form, "listing": listing},
        status=200 if valid else 400,
    )


@login_required
@access_rule(SEE_RULE + "; 404 for a family outside the viewer's scope or never attached")
def costs_avoided_family(request: HttpRequest, reference: str) -> HttpResponse:
    user = _viewer(request)
    breakdown = selectors.family_cost_breakdown(
        user, reference=reference, today=timezone.localdate()
    )
    family = breakdown.family
    access_event_record(
        user=user,
        action=AccessAction.VIEW,
        object_type="costs_avoided_family",
        object_id=family.pk,
        family_id=family.pk,
        family_reference=family.reference,
        request=request,
    )
    lines = [
        {
            "line": line,
            "before": weeks(line.before.amount)
            if line.price.unit == "week"
            else line.before.amount,
            "after": weeks(line.after.amount) if line.price.unit == "week" else line.after.amount,
            "events": breakdown.events.get(line.price.line_id, ()),
            "price": Decimal(line.price.pence) / 100,
            "unit": UNIT_WORDS[line.price.unit],
        }
        for line in breakdown.costs.lines
    ]
    return render(
        request,
        "outcomes/costs/costs_family.html",
        {
            "breakdown": breakdown,
            "family": family,
            "costs": breakdown.costs,
            "lines": lines,
            "year": financial_year_of(breakdown.costs.attached_on),
        },
    )


FAMILY_COLUMNS = (
    Column("Family reference"),
    Column("Attached on", "date"),
    Column("12 months after attachment end on", "date"),
    Column("Counted"),
    Column("Agency"),
    Column("Cost in the 12 months before (£)", "amount"),
    Column("Cost in the 12 months after (£)", "amount"),
    Column("Saving (£)", "amount"),
)


@login_required
@access_rule(SEE_RULE + "; only families in the viewer's scope")
def costs_avoided_csv(request: HttpRequest) -> HttpResponse:
    user = _viewer(request)
    _form, year, valid = _year(request, user)
    if not valid:
        return HttpResponse(
            "Select a financial year from the list", status=400, content_type="text/plain"
        )
    today = timezone.localdate()
    rows, family_ids = selectors.costs_csv_rows(user, year=year, today=today)
    content, _count = table_csv(FAMILY_COLUMNS, rows)
    access_event_record(
        user=user,
        action=AccessAction.EXPORT,
        object_type="costs_avoided_csv",
        object_id=str(year),
        request=request,
        detail={"year": year, "families": family_ids},
    )
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="costs-avoided-{year}-{year + 1}-{file_stamp()}.csv"'
    )
    return response


@login_required
@access_rule(SEE_RULE + "; programme managers change them")
def unit_costs(request: HttpRequest) -> HttpResponse:
    user = _viewer(request)
    lines = selectors.unit_cost_list(user)
    return render(
        request,
        "outcomes/costs/unit_costs.html",
        {
            "lines": [
                (
                    line,
                    [CATEGORY_BY_CODE[c].label for c in line.categories if c in CATEGORY_BY_CODE],
                )
                for line in lines
            ],
            "history": selectors.unit_cost_history(user),
            "spend": selectors.spend_list(user),
            "can_change": can_change_costs(user),
            "this_year": financial_year_of(timezone.localdate()),
        },
    )


def _line_initial(line: UnitCost) -> dict[str, object]:
    return {
        "name": line.name,
        "agency": line.agency,
        "unit": line.unit,
        "price": Decimal(line.price_pence) / 100,
        "price_year": line.price_year,
        "source": line.source,
        "is_example": line.is_example,
        "categories": list(line.categories),
        "in_use": line.in_use,
    }


@login_required
@access_rule(CHANGE_RULE)
def unit_cost_new(request: HttpRequest) -> HttpResponse:
    user = _changer(request)
    form = UnitCostForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            line = services.unit_cost_create(
                actor=user,
                name=data["name"],
                agency=data["agency"],
                unit=data["unit"],
                price_pence=pence_of(data["price"]),
                price_year=data["price_year"],
                source=data["source"],
                is_example=data["is_example"],
                categories=data["categories"],
                today=timezone.localdate(),
            )
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"Unit cost added: {line.name}")
            return redirect("outcomes:unit-costs")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "outcomes/costs/unit_cost_form.html", {"form": form, "line": None}, status=status
    )


@login_required
@access_rule(CHANGE_RULE)
def unit_cost_change(request: HttpRequest, line_id: int) -> HttpResponse:
    user = _changer(request)
    line = selectors.unit_cost_get_or_404(user, line_id)
    form = UnitCostChangeForm(request.POST or None, initial=_line_initial(line))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.unit_cost_change(
                actor=user,
                line=line,
                name=data["name"],
                agency=data["agency"],
                unit=data["unit"],
                price_pence=pence_of(data["price"]),
                price_year=data["price_year"],
                source=data["source"],
                is_example=data["is_example"],
                categories=data["categories"],
                in_use=data["in_use"],
                today=timezone.localdate(),
            )
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"Unit cost changed: {data['name']}")
            return redirect("outcomes:unit-costs")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "outcomes/costs/unit_cost_form.html", {"form": form, "line": line}, status=status
    )


@login_required
@access_rule(CHANGE_RULE)
def programme_spend_set(request: HttpRequest, year: int) -> HttpResponse:
    user = _changer(request)
    current = next((s for s in selectors.spend_list(user) if s.financial_year == year), None)
    initial = (
        {"amount": Decimal(current.amount_pence) / 100, "source": current.source} if current else {}
    )
    form = ProgrammeSpendForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.programme_spend_set(
                actor=user,
                financial_year=year,
                amount_pence=pence_of(form.cleaned_data["amount"]),
                source=form.cleaned_data["source"],
                today=timezone.localdate(),
            )
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"Programme spend set for {financial_year_label(year)}")
            return redirect(f"{reverse('outcomes:costs-avoided')}?year={year}")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "outcomes/costs/spend_form.html",
        {"form": form, "year": year, "label": financial_year_label(year), "current": current},
        status=status,
    )
