"""Family pages: parse, check, call one service, render."""

from __future__ import annotations

import datetime
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from agencies.models import User
from families import access, selectors, services
from families.forms import FamilyFilterForm, FamilyTransitionForm
from families.models import Family
from families.states import FamilyStatus
from lcgs.models import LCG
from oneplan.errors import ApplicationError
from oneplan.jobs import job_start
from oneplan.models import JobKind

PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _require_case_role(request: HttpRequest) -> User:
    user = _user(request)
    if not access.can_view_families(user):
        raise PermissionDenied("Your account does not give access to families")
    return user


@login_required
def family_list(request: HttpRequest) -> HttpResponse:
    user = _require_case_role(request)
    lcgs = list(
        LCG.objects.filter(families__in=selectors.family_list_for_user(user))
        .distinct()
        .order_by("name")
    )
    form = FamilyFilterForm(request.GET or None, lcgs=lcgs)
    filters: dict[str, object] = {}
    if form.is_valid():
        lcg_value = form.cleaned_data["lcg"]
        filters = {
            "query": form.cleaned_data["q"],
            "status": form.cleaned_data["status"],
            "unassigned": lcg_value == "unassigned",
            "lcg_id": int(lcg_value) if lcg_value not in ("", "unassigned") else None,
        }
    families = selectors.family_list_for_user(user, **filters)  # type: ignore[arg-type]
    page = Paginator(families, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "families/family_list.html",
        {
            "form": form,
            "page_obj": page,
            "querystring": query.urlencode(),
            "filtered": any(filters.values()),
            "today": timezone.localdate(),
        },
    )


@login_required
def family_detail(request: HttpRequest, reference: str) -> HttpResponse:
    user = _require_case_role(request)
    family = selectors.family_get_for_user_or_404(user, reference)
    return _render_detail(request, user, family, form=None)


def _render_detail(
    request: HttpRequest,
    user: User,
    family: Family,
    *,
    form: FamilyTransitionForm | None,
    status: int = 200,
) -> HttpResponse:
    can_change = access.can_change_status(user, family)
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
            "members": members,
            "can_change_status": can_change,
            "can_view_protected_address": access.can_view_protected_address(user, family),
            "form": form,
        },
        status=status,
    )


@login_required
@require_POST
def family_transition(request: HttpRequest, reference: str) -> HttpResponse:
    user = _require_case_role(request)
    family = selectors.family_get_for_user_or_404(user, reference)
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
            )
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                f"{updated.reference} is now {FamilyStatus(updated.status).label.lower()}",
            )
            return redirect("families:detail", reference=updated.reference)
    return _render_detail(request, user, family, form=form, status=400)


@login_required
def caseload_overview(request: HttpRequest) -> HttpResponse:
    user = _require_case_role(request)
    rows = selectors.caseload_summary_for_user(user)
    statuses = list(FamilyStatus)
    totals = [sum(r.counts[s.value] for r in rows) for s in statuses]
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
def caseload_export(request: HttpRequest) -> HttpResponse:
    user = _require_case_role(request)
    if not access.can_export_caseload_summary(user):
        raise PermissionDenied("You cannot export the caseload summary")
    job = job_start(
        actor=user,
        kind=JobKind.CASELOAD_SUMMARY_EXPORT,
        idempotency_key=request.POST.get("idempotency_key", "")[:200],
    )
    return redirect("jobs:detail", job_id=job.pk)
