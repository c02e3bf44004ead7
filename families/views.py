"""Family pages: parse, check, call one service, render.

Every page that shows a family records an access event (audit.services) before it
renders; a family outside the user's scope answers 404 like one that does not exist.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from agencies.models import LCG, User
from audit.services import access_event_record, access_events_record_many
from families import selectors, services
from families.access import access
from families.access.address import address_for_viewer
from families.access.perms import CHANGE, MANAGE_TEAM, VIEW_RESTRICTED
from families.forms import FamilyFilterForm, FamilyTransitionForm
from families.jobs import CASELOAD_SUMMARY_EXPORT
from families.models import Family
from families.pages import family_or_404, form_error, require_case_role
from families.panels import family_panels_render
from families.states import FamilyStatus
from oneplan.access_rules import access_rule
from oneplan.errors import ApplicationError
from oneplan.jobs import job_start

PAGE_SIZE = 50


@login_required
@access_rule("case roles; lists only families in the user's scope")
def family_list(request: HttpRequest) -> HttpResponse:
    user = require_case_role(request)
    lcgs = list(
        LCG.objects.filter(families__in=selectors.family_list_for_user(user))
        .distinct()
        .order_by("name")
    )
    form = FamilyFilterForm(request.GET or None, lcgs=lcgs)
    filters: dict[str, Any] = {}
    if form.is_valid():
        lcg_value = form.cleaned_data["lcg"]
        filters = {
            "query": form.cleaned_data["q"],
            "status": form.cleaned_data["status"],
            "unassigned": lcg_value == "unassigned",
            "lcg_id": int(lcg_value) if lcg_value not in ("", "unassigned") else None,
        }
    families = selectors.family_list_for_user(user, **filters)
    page = Paginator(families, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    if shown:
        access_events_record_many(
            user=user,
            family_ids=[f.pk for f in shown],
            family_references=[f.reference for f in shown],
            filters={k: v for k, v in filters.items() if v},
            request=request,
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "families/family_list.html",
        {
            "form": form,
            "page_obj": page,
            "query": query,
            "querystring": query.urlencode(),
            "filtered": any(filters.values()),
            "searched": bool(filters.get("query")),
        },
    )


@login_required
@access_rule("families in the user's scope (404 otherwise)")
def family_detail(request: HttpRequest, reference: str) -> HttpResponse:
    user, family = family_or_404(request, reference)
    access_event_record(
        user=user,
        action="search_result_opened" if request.GET.get("from") == "search" else "view",
        object_type="family",
        object_id=str(family.pk),
        family_id=family.pk,
        family_reference=family.reference,
        request=request,
    )
    return _render_detail(request, user, family, form=None)


def _render_detail(
    request: HttpRequest,
    user: User,
    family: Family,
    *,
    form: FamilyTransitionForm | None,
    status: int = 200,
) -> HttpResponse:
    permissions = access.family_permissions(user, family)
    can_change = CHANGE in permissions
    if form is None and can_change:
        form = FamilyTransitionForm(current_status=family.status)
    today: datetime.date = timezone.localdate()
    members = [
        {"membership": m, "person": m.person, "age": m.person.age_on(today)}
        for m in family.memberships.all()
    ]
    return render(
        request,
        "families/family_detail.html",
        {
            "family": family,
            "family_permissions": permissions,
            "members": members,
            "can_change_status": can_change,
            "can_view_restricted": VIEW_RESTRICTED in permissions,
            "can_manage_team": MANAGE_TEAM in permissions,
            "can_view_viewers": access.can_view_family_viewers(user, family),
            # What of the address this viewer sees: one rule (families.access.address).
            "address": address_for_viewer(user, family),
            "form": form,
            "panels": family_panels_render(user, family, permissions),
        },
        status=status,
    )


@login_required
@require_POST
@access_rule("lead professional, the LCG's coordinators, programme managers")
def family_transition(request: HttpRequest, reference: str) -> HttpResponse:
    user, family = family_or_404(request, reference)
    if not access.can_change_status(user, family):
        raise PermissionDenied("You cannot change this family's status")
    form = FamilyTransitionForm(request.POST, current_status=family.status)
    if form.is_valid():
        try:
            updated = services.family_transition(
                actor=user,
                family=family,
                to_status=form.cleaned_data["to_status"],
                reason=form.cleaned_data["reason"],
                chosen=True,
            )
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            now = FamilyStatus(updated.status).label.lower()
            if selectors.family_visible_to(user, updated):
                messages.success(request, f"{updated.reference} is now {now}")
                return redirect("families:detail", reference=updated.reference)
            # Leaving the journey ended the grant this user saw the family through.
            messages.success(
                request,
                f"{updated.reference} is now {now}. You no longer have access to the family.",
            )
            return redirect("families:list")
    return _render_detail(request, user, family, form=form, status=400)


@login_required
@access_rule("case roles; counts only within the user's scope")
def caseload_overview(request: HttpRequest) -> HttpResponse:
    user = require_case_role(request)
    rows = selectors.caseload_summary_for_user(user)
    statuses = list(FamilyStatus)
    # Each status with its total: the stacked table on a phone labels every number.
    totals = [(s, sum(r.counts[s.value] for r in rows)) for s in statuses]
    return render(
        request,
        "families/caseload_overview.html",
        {
            "rows": rows,
            "statuses": statuses,
            "totals": totals,
            "grand_total": sum(r.total for r in rows),
            "can_export": access.can_export_caseload_summary(user),
            "idempotency_key": uuid.uuid4().hex,
        },
    )


@login_required
@require_POST
@access_rule("programme managers and LCG coordinators")
def caseload_export(request: HttpRequest) -> HttpResponse:
    user = require_case_role(request)
    if not access.can_export_caseload_summary(user):
        raise PermissionDenied("You cannot export the caseload summary")
    job = job_start(
        actor=user,
        kind=CASELOAD_SUMMARY_EXPORT,
        idempotency_key=request.POST.get("idempotency_key", "")[:200],
    )
    access_event_record(
        user=user,
        action="export",
        object_type="caseload_summary",
        object_id=str(job.pk),
        request=request,
        detail={"counts_only": True},
    )
    return redirect("jobs:detail", job_id=job.pk)
