"""The LCG dashboard and the caseload list (docs/caseload.md): parse, check, call,
render. Both answer 403 to anyone who is not an LCG coordinator or a programme manager;
what each shows is the user's caseload (``lcgs.caseload.access.caseload_scope``)."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from agencies.models import Agency, User
from agencies.request_user import request_user_or_403
from audit.services import access_events_record_many
from lcgs.caseload import dashboard, selectors
from lcgs.caseload.access import (
    DENIED,
    EXPORT_RULE,
    SEE_RULE,
    can_see_caseload,
    may_see_restricted_problems,
)
from lcgs.caseload.conditions import Clock
from lcgs.caseload.export import caseload_export_start
from lcgs.caseload.forms import CaseloadFilterForm
from lcgs.caseload.selectors import SORTS, CaseloadQuery
from lcgs.screening.selectors import screens_unassigned
from oneplan.access_rules import access_rule
from oneplan.errors import ApplicationError

PER_PAGE = 50


def _clock() -> Clock:
    now = timezone.now()
    return Clock(now=now, today=timezone.localdate(now))


def caseload_filter_form(user: User, data: QueryDict | None) -> CaseloadFilterForm:
    """The list's filters with the choices of ``user``'s caseload (three small queries)."""
    return CaseloadFilterForm(
        data,
        lcgs=selectors.caseload_lcgs(user),
        unassigned=screens_unassigned(user),
        # Agencies with people in OnePlan: those that can lead a family or own an action
        # (an agency that only sends data is not a choice).
        agencies=list(Agency.objects.filter(staff__isnull=False).distinct().order_by("name")),
        key_workers=selectors.key_worker_choices(user),
        restricted_problems=may_see_restricted_problems(user),
    )


@login_required
@access_rule(SEE_RULE)
def caseload_dashboard(request: HttpRequest) -> HttpResponse:
    user = request_user_or_403(request, can_see_caseload, DENIED)
    figures = dashboard.caseload_dashboard(user, clock=_clock())
    return render(
        request,
        "lcgs/caseload/dashboard.html",
        {"dashboard": figures, "list_url": reverse("lcgs:caseload-list")},
    )


def _sort_links(query: CaseloadQuery, params: QueryDict) -> dict[str, dict[str, Any]]:
    """For each sortable column: the link that sorts by it (reversing the current sort
    when it is already this column) and its aria-sort."""
    links: dict[str, dict[str, Any]] = {}
    current = query.sort.lstrip("-")
    descending = query.sort.startswith("-")
    for key in SORTS:
        chosen = key == current
        sort = f"-{key}" if chosen and not descending else key
        changed = params.copy()
        changed.pop("page", None)
        changed["sort"] = sort
        links[key] = {
            "url": "?" + changed.urlencode(),
            "aria": ("descending" if descending else "ascending") if chosen else "none",
        }
    return links


@login_required
@access_rule(SEE_RULE)
def caseload_list(request: HttpRequest) -> HttpResponse:
    user = request_user_or_403(request, can_see_caseload, DENIED)
    form = caseload_filter_form(user, request.GET or None)
    query = form.query()
    status = 400 if form.is_bound and not form.is_valid() else 200
    result = selectors.caseload_page(
        user, query, clock=_clock(), page_number=request.GET.get("page"), per_page=PER_PAGE
    )
    rows = result.rows
    access_events_record_many(
        user=user,
        family_ids=[row.family.pk for row in rows],
        family_references=[row.family.reference for row in rows],
        object_type="lcg_caseload",
        filters=query.params(),
        request=request,
    )
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "lcgs/caseload/caseload_list.html",
        {
            "form": form,
            "query": query,
            "page_obj": result.page,
            "rows": rows,
            "count": result.count,
            "params": params,
            "sort_links": _sort_links(query, request.GET),
            "filters": query.params(),
            "idempotency_key": uuid.uuid4().hex,
            "shows_lcg": len(form.fields["lcg"].choices) > 2,  # type: ignore[attr-defined]
        },
        status=status,
    )


@login_required
@require_POST
@access_rule(EXPORT_RULE)
def caseload_export(request: HttpRequest) -> HttpResponse:
    user = request_user_or_403(request, can_see_caseload, DENIED)
    form = caseload_filter_form(user, request.POST)
    back = reverse("lcgs:caseload-list")
    if not form.is_valid():
        messages.error(request, "Check the filters of the list, then export it again")
        return redirect(back)
    query = form.query()
    try:
        job = caseload_export_start(
            actor=user,
            query=query,
            file_format=request.POST.get("format", ""),
            idempotency_key=request.POST.get("idempotency_key", ""),
            request=request,
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        params = query.params()
        return redirect(f"{back}?{urlencode(params)}" if params else back)
    return redirect("jobs:detail", job_id=job.pk)
