"""The programme reporting pages (docs/programme-reporting.md, docs/quarterly-return.md):
the dashboard with a chart beside each table and each table as CSV, the families behind
a figure, the targets, and the quarterly return's form. Parse, check, call, render."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from agencies.request_user import request_user_or_403
from audit.services import access_event_record, access_events_record_many
from oneplan.access_rules import access_rule
from oneplan.charts import Chart, chart_bars
from oneplan.errors import ApplicationError
from oneplan.spreadsheets import Cell, Column, table_csv
from outcomes.claims.access import can_see_money
from outcomes.extracts.access import can_see_extract_log
from outcomes.money.rules import financial_year_label, financial_year_of
from outcomes.reporting import quarterly, selectors, services
from outcomes.reporting.access import (
    CHANGE_DENIED,
    CHANGE_RULE,
    DENIED,
    RETURN_DENIED,
    RETURN_RULE,
    SEE_RULE,
    can_change_programme_targets,
    can_make_quarterly_return,
    can_see_programme_reporting,
)
from outcomes.reporting.forms import (
    DashboardForm,
    FamiliesFilterForm,
    QuarterlyReturnForm,
    TargetForm,
)
from outcomes.reporting.models import QuarterlyReturnPreset
from outcomes.reporting.rules import (
    ATTACHED,
    FIGURES,
    FIGURES_BY_KEY,
    Figure,
    latest_ended_quarter,
)
from outcomes.reporting.selectors import Line, ProgrammeDashboard

PER_PAGE = 50
# The dashboard's tables, each downloadable as CSV.
TABLES: dict[str, str] = {
    "targets": "Against the targets",
    "lcg": "By LCG",
    "track": "By track",
    "month": "By month",
}


def _dashboard_form(request: HttpRequest) -> tuple[DashboardForm, int, str, bool]:
    """The year and chart figure asked for (the year in progress and families attached
    when not given), and whether the request was valid."""
    today = timezone.localdate()
    years = selectors.reporting_years(today)
    current = financial_year_of(today)
    data = {"year": str(current), "chart": ATTACHED, **request.GET.dict()}
    form = DashboardForm(data, years=years)
    if form.is_valid():
        return form, form.cleaned_data["year"], form.cleaned_data["chart"], True
    return form, current, ATTACHED, False


def _linked(lines: tuple[Line, ...], total: Line, families_url: str) -> list[Any]:
    """Each line's label and its figures, each with the link to the families behind it
    (None where there are none), then the total line."""
    return [
        (
            line.label,
            [
                (figure, count, f"{families_url}?{urlencode(params)}" if count else None)
                for figure, count, params in line.cells()
            ],
        )
        for line in (*lines, total)
    ]


def _single_chart(figure: Figure, lines: tuple[Line, ...]) -> Chart:
    return chart_bars(
        [(figure.key, figure.label)],
        [(line.label, {figure.key: line.counts.get(figure.key, 0)}) for line in lines],
    )


def _targets_chart(dashboard: ProgrammeDashboard) -> Chart:
    return chart_bars(
        [("reached", "Reached in the year"), ("to_go", "Still to go to reach the target")],
        [
            (line.figure.short, {"reached": line.count, "to_go": line.to_go})
            for line in dashboard.targets
        ],
    )


@login_required
@require_GET
@access_rule(SEE_RULE)
def programme_dashboard(request: HttpRequest) -> HttpResponse:
    user = request_user_or_403(request, can_see_programme_reporting, DENIED)
    form, year, chart, valid = _dashboard_form(request)
    dashboard = selectors.programme_dashboard(user, year=year, today=timezone.localdate())
    figure = FIGURES_BY_KEY[chart]
    families_url = reverse("outcomes:programme-families")
    sections = [
        {
            "key": "lcg",
            "title": "By LCG",
            "caption": "Families by LCG",
            "description": "Families count in the LCG they belong to today.",
            "heading": "LCG",
            "rows": _linked(dashboard.by_lcg, dashboard.total, families_url),
            "chart": _single_chart(figure, dashboard.by_lcg),
        },
        {
            "key": "track",
            "title": "By track",
            "caption": "Families by track",
            "description": "Families count on the track the LCG allocated them to, as it "
            "is today: intensive family support or local help.",
            "heading": "Track",
            "rows": _linked(dashboard.by_track, dashboard.total, families_url),
            "chart": _single_chart(figure, dashboard.by_track),
        },
        {
            "key": "month",
            "title": "By month",
            "caption": "Families by month",
            "description": "Families count in the month of their day for each figure.",
            "heading": "Month",
            "rows": _linked(dashboard.by_month, dashboard.total, families_url),
            "chart": _single_chart(figure, dashboard.by_month),
        },
    ]
    return render(
        request,
        "outcomes/reporting/dashboard.html",
        {
            "form": form,
            "dashboard": dashboard,
            "figures": FIGURES,
            "chart_figure": figure,
            "targets_chart": _targets_chart(dashboard),
            "sections": sections,
            "targets_rows": [
                (
                    line,
                    f"{families_url}?{urlencode({'year': year, 'figure': line.figure.key})}"
                    if line.count
                    else None,
                )
                for line in dashboard.targets
            ],
            "can_change_targets": can_change_programme_targets(user),
            "can_make_return": can_make_quarterly_return(user),
            "can_see_money": can_see_money(user),
            "can_see_extracts": can_see_extract_log(user),
        },
        status=200 if valid else 400,
    )


def table_rows(dashboard: ProgrammeDashboard, table: str) -> tuple[list[Column], list[list[Cell]]]:
    """One of the dashboard's tables as the columns and rows of its CSV file."""
    if table == "targets":
        columns = [
            Column("Figure"),
            Column("Families in the year", "number"),
            Column("Target", "number"),
            Column("Percent of target", "number"),
            Column("Still to go", "number"),
        ]
        rows: list[list[Cell]] = [
            [line.figure.label, line.count, line.target, line.percent, line.to_go]
            for line in dashboard.targets
        ]
        return columns, rows
    heading, lines = {
        "lcg": ("LCG", dashboard.by_lcg),
        "track": ("Track", dashboard.by_track),
        "month": ("Month", dashboard.by_month),
    }[table]
    columns = [Column(heading), *(Column(figure.label, "number") for figure in FIGURES)]
    rows = [
        [line.label, *(line.counts.get(figure.key, 0) for figure in FIGURES)]
        for line in (*lines, dashboard.total)
    ]
    return columns, rows


@login_required
@require_GET
@access_rule(SEE_RULE)
def programme_table_csv(request: HttpRequest, table: str) -> HttpResponse:
    user = request_user_or_403(request, can_see_programme_reporting, DENIED)
    if table not in TABLES:
        raise Http404("No such table")
    _form, year, _chart, valid = _dashboard_form(request)
    if not valid:
        return HttpResponse(
            "Select a financial year from the list", status=400, content_type="text/plain"
        )
    dashboard = selectors.programme_dashboard(user, year=year, today=timezone.localdate())
    columns, rows = table_rows(dashboard, table)
    content, _count = table_csv(columns, rows)
    # A file leaves the service: its download is recorded, whatever it holds.
    access_event_record(
        user=user,
        action="export",
        object_type="programme_table",
        object_id=f"{table}-{year}",
        request=request,
        detail={"table": table, "year": year, "format": "csv"},
    )
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    name = f"programme-{table}-{year}-{year + 1}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
@access_rule(SEE_RULE + "; the families they may see")
def programme_families(request: HttpRequest) -> HttpResponse:
    user = request_user_or_403(request, can_see_programme_reporting, DENIED)
    today = timezone.localdate()
    form = FamiliesFilterForm(request.GET, years=selectors.reporting_years(today))
    if not form.is_valid():
        return render(
            request,
            "outcomes/reporting/families.html",
            {"form": form, "families_query": None, "back": reverse("outcomes:programme-dashboard")},
            status=400,
        )
    query = form.query()
    families = selectors.figure_families(user, query, today=today)
    page = Paginator(families, PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    access_events_record_many(
        user=user,
        family_ids=[family.pk for family in rows],
        family_references=[family.reference for family in rows],
        object_type="programme_figure",
        filters=query.params(),
        request=request,
    )
    return render(
        request,
        "outcomes/reporting/families.html",
        {
            "form": form,
            "families_query": query,
            "figure": query.figure_words,
            "where": selectors.filter_label(query),
            "page_obj": page,
            "rows": rows,
            "back": reverse("outcomes:programme-dashboard")
            + "?"
            + urlencode({"year": query.year, "chart": query.figure}),
        },
    )


# --- Targets ---------------------------------------------------------------------------


@login_required
@require_GET
@access_rule(SEE_RULE + "; programme managers change them")
def programme_targets(request: HttpRequest) -> HttpResponse:
    user = request_user_or_403(request, can_see_programme_reporting, DENIED)
    today = timezone.localdate()
    targets = {target.financial_year: target for target in selectors.target_list(user)}
    years = []
    for year in selectors.target_years(today):
        target = targets.get(year)
        values = [
            (figure, getattr(target, figure.key) if target is not None else None)
            for figure in FIGURES
        ]
        years.append((year, financial_year_label(year), target, values))
    return render(
        request,
        "outcomes/reporting/targets.html",
        {
            "years": years,
            "figures": FIGURES,
            "history": selectors.target_history(user),
            "can_change": can_change_programme_targets(user),
        },
    )


@login_required
@access_rule(CHANGE_RULE)
def programme_target_set(request: HttpRequest, year: int) -> HttpResponse:
    user = request_user_or_403(request, can_change_programme_targets, CHANGE_DENIED)
    today = timezone.localdate()
    if year not in selectors.target_years(today):
        raise Http404("Targets are set from the programme's first year to next year")
    target = selectors.target_for_year(user, year)
    initial: dict[str, Any] = (
        {figure.key: getattr(target, figure.key) for figure in FIGURES} | {"source": target.source}
        if target is not None
        else {}
    )
    form = TargetForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.programme_target_set(
                actor=user,
                financial_year=year,
                targets={figure.key: data.get(figure.key) for figure in FIGURES},
                source=data["source"],
                today=today,
            )
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"Programme targets set for {financial_year_label(year)}")
            return redirect("outcomes:programme-targets")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "outcomes/reporting/target_form.html",
        {"form": form, "year": year, "label": financial_year_label(year), "target": target},
        status=status,
    )


# --- The quarterly return ----------------------------------------------------------------


@login_required
@access_rule(RETURN_RULE)
def quarterly_return(request: HttpRequest) -> HttpResponse:
    user = request_user_or_403(request, can_make_quarterly_return, RETURN_DENIED)
    today = timezone.localdate()
    presets = list(QuarterlyReturnPreset.objects.order_by("name"))
    if request.method == "POST":
        form = QuarterlyReturnForm(request.POST, today=today)
    else:
        chosen = next((p for p in presets if str(p.pk) == request.GET.get("preset", "")), None)
        year, quarter = latest_ended_quarter(today)
        form = QuarterlyReturnForm(
            initial={
                "period": f"{year}-{quarter}",
                "columns": chosen.columns if chosen is not None else list(quarterly.COLUMN_KEYS),
            },
            today=today,
        )
    if request.method == "POST" and form.is_valid():
        year, quarter = form.period_chosen()
        # The file keeps the columns in the return's own order (docs/quarterly-return.md).
        columns = [key for key in quarterly.COLUMN_KEYS if key in form.cleaned_data["columns"]]
        try:
            if form.cleaned_data["preset_name"]:
                services.quarterly_return_preset_save(
                    actor=user, name=form.cleaned_data["preset_name"], columns=columns
                )
            job = quarterly.quarterly_return_start(
                actor=user,
                year=year,
                quarter=quarter,
                columns=columns,
                today=today,
                idempotency_key=request.POST.get("idempotency_key", ""),
                request=request,
            )
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect("jobs:detail", job_id=job.pk)
    return render(
        request,
        "outcomes/reporting/quarterly_return.html",
        {
            "form": form,
            "presets": presets,
            "columns": quarterly.COLUMNS,
            "idempotency_key": uuid.uuid4().hex,
        },
        status=400 if request.method == "POST" else 200,
    )
