"""The LCG money pages (docs/lcg-money.md): the grant statement per LCG and financial
year, with the families behind each line, as a page, CSV and XLSX; the rates and each
LCG's targets, which programme managers set. Parse, check, call, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from agencies.models import LCG
from agencies.request_user import request_user_or_403
from audit.services import access_event_record
from lcgs.money import selectors, services
from lcgs.money.access import (
    CHANGE_DENIED,
    CHANGE_RULE,
    DENIED,
    SEE_RULE,
    can_change_lcg_money,
    can_see_lcg_money,
)
from lcgs.money.export import EXPORTS, statement_file
from lcgs.money.forms import GrantRateChangeForm, GrantRateForm, StatementYearForm, TargetForm
from lcgs.money.models import LCGGrantRate
from oneplan.access_rules import access_rule
from oneplan.errors import ApplicationError
from outcomes.money.rules import financial_year_label, financial_year_of


def _year(request: HttpRequest, *, ahead: bool = False) -> tuple[StatementYearForm, int, bool]:
    """The year asked for (``?year=2025``), or the year in progress; and whether the
    request named a year that cannot be shown (the page says so, and shows this year).
    ``ahead`` offers next year too (targets are set before a year starts)."""
    today = timezone.localdate()
    years = selectors.statement_years(today)
    current = financial_year_of(today)
    if ahead:
        years = [current + 1, *years]
    if "year" not in request.GET:
        return StatementYearForm(initial={"year": str(current)}, years=years), current, True
    form = StatementYearForm(request.GET, years=years)
    if form.is_valid():
        return form, form.cleaned_data["year"], True
    return form, current, False


@login_required
@access_rule(SEE_RULE)
def lcg_money(request: HttpRequest) -> HttpResponse:
    user = request_user_or_403(request, can_see_lcg_money, DENIED)
    form, year, valid = _year(request)
    statement = selectors.grant_statement(user, year=year)
    return render(
        request,
        "lcgs/money/statement.html",
        {
            "form": form,
            "statement": statement,
            "lcg": None,
            "families": None,
            "can_change": can_change_lcg_money(user),
        },
        status=200 if valid else 400,
    )


@login_required
@access_rule(SEE_RULE + "; another LCG's coordinator gets 404")
def lcg_money_lcg(request: HttpRequest, lcg_id: int) -> HttpResponse:
    user = request_user_or_403(request, can_see_lcg_money, DENIED)
    lcg = selectors.lcg_for_money_or_404(user, lcg_id)
    form, year, valid = _year(request)
    statement = selectors.grant_statement(user, year=year, lcgs=[lcg])
    families = selectors.statement_families(user, year=year, lcgs=[lcg], rates=statement.rates)
    lines = {
        line: [family for family in families if family.line == line]
        for line in (selectors.GRANT, selectors.REWARD, selectors.CLAWED_BACK)
    }
    return render(
        request,
        "lcgs/money/statement.html",
        {
            "form": form,
            "statement": statement,
            "lcg": lcg,
            "row": statement.rows[0],
            "families": lines,
            "can_change": can_change_lcg_money(user),
        },
        status=200 if valid else 400,
    )


@login_required
@access_rule(SEE_RULE + "; the LCGs they see, as CSV or XLSX")
def lcg_money_export(request: HttpRequest, table: str, file_format: str) -> HttpResponse:
    user = request_user_or_403(request, can_see_lcg_money, DENIED)
    if (table, file_format) not in EXPORTS:
        raise Http404("No such export")
    lcgs: list[LCG] | None = None
    if "lcg" in request.GET:
        try:
            lcg_id = int(request.GET["lcg"])
        except ValueError:
            raise Http404("No such LCG") from None
        lcgs = [selectors.lcg_for_money_or_404(user, lcg_id)]
    _form, year, valid = _year(request)
    if not valid:
        return HttpResponse(
            "Select a financial year from the list", status=400, content_type="text/plain"
        )
    content, content_type, name = statement_file(
        user, year=year, lcgs=lcgs, table=table, file_format=file_format
    )
    # A file leaves the service: its download is recorded, whatever it holds (issue 14).
    access_event_record(
        user=user,
        action="export",
        object_type="lcg_grant_statement",
        object_id=str(year),
        request=request,
        detail={"table": table, "format": file_format, "lcgs": [lcg.pk for lcg in lcgs or []]},
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- Rates -------------------------------------------------------------------------------


@login_required
@access_rule(CHANGE_RULE)
def lcg_money_rates(request: HttpRequest) -> HttpResponse:
    user = request_user_or_403(request, can_change_lcg_money, CHANGE_DENIED)
    return render(
        request,
        "lcgs/money/rates.html",
        {
            "rates": selectors.grant_rate_list(user),
            "history": selectors.grant_rate_history(user),
        },
    )


@login_required
@access_rule(CHANGE_RULE)
def lcg_money_rate_new(request: HttpRequest) -> HttpResponse:
    user = request_user_or_403(request, can_change_lcg_money, CHANGE_DENIED)
    form = GrantRateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rate = services.lcg_grant_rate_create(
                actor=user,
                financial_year=data["financial_year"],
                grant_per_family=data["grant_per_family"],
                reward_per_result=data["reward_per_result"],
                source=data["source"],
                today=timezone.localdate(),
            )
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request, f"LCG grant rates set for {financial_year_label(rate.financial_year)}"
            )
            return redirect("lcgs:lcg-money-rates")
    status = 400 if request.method == "POST" else 200
    return render(request, "lcgs/money/rate_form.html", {"form": form, "rate": None}, status=status)


@login_required
@access_rule(CHANGE_RULE)
def lcg_money_rate_change(request: HttpRequest, rate_id: int) -> HttpResponse:
    user = request_user_or_403(request, can_change_lcg_money, CHANGE_DENIED)
    rate = get_object_or_404(LCGGrantRate, pk=rate_id)
    initial = {
        "grant_per_family": rate.grant_per_family,
        "reward_per_result": rate.reward_per_result,
        "source": rate.source,
    }
    form = GrantRateChangeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.lcg_grant_rate_change(
                actor=user,
                rate=rate,
                grant_per_family=data["grant_per_family"],
                reward_per_result=data["reward_per_result"],
                source=data["source"],
            )
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                f"LCG grant rates changed for {financial_year_label(rate.financial_year)}",
            )
            return redirect("lcgs:lcg-money-rates")
    status = 400 if request.method == "POST" else 200
    return render(request, "lcgs/money/rate_form.html", {"form": form, "rate": rate}, status=status)


# --- Targets -----------------------------------------------------------------------------


@login_required
@access_rule(CHANGE_RULE)
def lcg_money_targets(request: HttpRequest) -> HttpResponse:
    user = request_user_or_403(request, can_change_lcg_money, CHANGE_DENIED)
    form, year, valid = _year(request, ahead=True)
    return render(
        request,
        "lcgs/money/targets.html",
        {
            "form": form,
            "year": year,
            "label": financial_year_label(year),
            "lines": selectors.target_lines(user, year=year),
            "history": selectors.target_history(user),
        },
        status=200 if valid else 400,
    )


@login_required
@access_rule(CHANGE_RULE)
def lcg_money_target_set(request: HttpRequest, lcg_id: int, year: int) -> HttpResponse:
    user = request_user_or_403(request, can_change_lcg_money, CHANGE_DENIED)
    lcg = get_object_or_404(LCG, pk=lcg_id)
    today = timezone.localdate()
    if year not in (financial_year_of(today) + 1, *selectors.statement_years(today)):
        raise Http404("Targets are set from the programme's first year to next year")
    current = selectors.target_lines(user, year=year)
    target = next((line.target for line in current if line.lcg.pk == lcg.pk), None)
    initial = (
        {"families_taken_on": target.families_taken_on, "results": target.results}
        if target is not None
        else {}
    )
    form = TargetForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.lcg_target_set(
                actor=user,
                lcg=lcg,
                financial_year=year,
                families_taken_on=form.cleaned_data["families_taken_on"],
                results=form.cleaned_data["results"],
                today=today,
            )
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"Targets set for {lcg.name}, {financial_year_label(year)}")
            return redirect(reverse("lcgs:lcg-money-targets") + f"?year={year}")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "lcgs/money/target_form.html",
        {
            "form": form,
            "lcg": lcg,
            "year": year,
            "label": financial_year_label(year),
            "target": target,
        },
        status=status,
    )
