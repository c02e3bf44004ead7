"""Family pages: parse, check, call one service, render.

Every page that shows a family records an access event (audit.services) before it
renders; a family outside the user's scope answers 404 like one that does not exist.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from agencies.models import User
from audit.selectors import access_events_for_family
from audit.services import access_event_record, access_events_record_many
from families import access, selectors, services
from families.forms import (
    BreakGlassForm,
    BreakGlassReviewForm,
    ConsentWithdrawForm,
    FamilyFilterForm,
    FamilyTransitionForm,
    LawfulBasisForm,
    ReasonForm,
    TeamMemberAddForm,
)
from families.grants_models import BreakGlassAccess, BreakGlassRefusal, LawfulBasis, TeamMember
from families.guardian_sync import VIEW_RESTRICTED
from families.jobs import CASELOAD_SUMMARY_EXPORT
from families.models import Family, Person
from families.panels import family_panels_render
from families.states import FamilyStatus
from lcgs.models import LCG
from oneplan.access_rules import access_rule
from oneplan.errors import ApplicationError
from oneplan.jobs import job_start

PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _require_case_role(request: HttpRequest) -> User:
    user = _user(request)
    if not access.can_view_families(user):
        raise PermissionDenied("Your account does not give access to families")
    return user


def _family_or_404(request: HttpRequest, reference: str) -> tuple[User, Family]:
    user = _require_case_role(request)
    return user, selectors.family_get_for_user_or_404(user, reference)


def _form_error(form: Any, exc: ApplicationError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _form_page(
    request: HttpRequest,
    form: Any,
    *,
    call: Callable[[dict[str, Any]], object],
    success: str,
    next_url: str,
    template: str,
    context: dict[str, Any],
) -> HttpResponse:
    """The shape every one-form page shares: on a valid POST call one service; its
    refusal goes back onto the form (what was typed is kept); success redirects."""
    if request.method == "POST" and form.is_valid():
        try:
            call(form.cleaned_data)
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, success)
            return redirect(next_url)
    return render(
        request,
        template,
        {**context, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@access_rule("case roles; lists only families in the user's scope")
def family_list(request: HttpRequest) -> HttpResponse:
    user = _require_case_role(request)
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
    user, family = _family_or_404(request, reference)
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
    can_change = "change_family" in permissions
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
            "can_view_restricted": VIEW_RESTRICTED in permissions,
            "can_manage_team": "manage_team_family" in permissions,
            "can_view_viewers": access.can_view_family_viewers(user, family),
            "form": form,
            "panels": family_panels_render(user, family, permissions),
        },
        status=status,
    )


@login_required
@require_POST
@access_rule("lead professional, the LCG's coordinators, programme managers")
def family_transition(request: HttpRequest, reference: str) -> HttpResponse:
    user, family = _family_or_404(request, reference)
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
            _form_error(form, exc)
        else:
            messages.success(
                request,
                f"{updated.reference} is now {FamilyStatus(updated.status).label.lower()}",
            )
            return redirect("families:detail", reference=updated.reference)
    return _render_detail(request, user, family, form=form, status=400)


@login_required
@access_rule("families in the user's scope; shows the user's own routes of access")
def family_access_reasons(request: HttpRequest, reference: str) -> HttpResponse:
    user, family = _family_or_404(request, reference)
    return render(
        request,
        "families/family_access.html",
        {"family": family, "reasons": access.access_reasons(user, family)},
    )


@login_required
@access_rule("families in scope; managing needs the lead professional or LCG coordinator")
def family_team(request: HttpRequest, reference: str) -> HttpResponse:
    user, family = _family_or_404(request, reference)
    can_manage = access.can_manage_team(user, family)
    members = list(
        TeamMember.objects.filter(family=family, removed_at__isnull=True)
        .select_related("agency", "lawful_basis__person", "added_by")
        .order_by("agency__name")
    )
    bases = list(LawfulBasis.objects.filter(family=family).select_related("person", "recorded_by"))
    form = None
    status = 200
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied("You cannot change this family's team")
        form = TeamMemberAddForm(request.POST, exclude_ids={m.agency_id for m in members})
        if form.is_valid():
            try:
                member = services.team_member_add(
                    actor=user, family=family, agency=form.cleaned_data["agency"]
                )
            except ApplicationError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, f"{member.agency.name} is now on the team")
                return redirect("families:team", reference=family.reference)
        status = 400
    elif can_manage:
        form = TeamMemberAddForm(exclude_ids={m.agency_id for m in members})
    return render(
        request,
        "families/family_team.html",
        {
            "family": family,
            "members": members,
            "bases": bases,
            "has_basis": any(b.is_active for b in bases),
            "can_manage": can_manage,
            "form": form,
        },
        status=status,
    )


@login_required
@access_rule("lead professional or the LCG's coordinators of a family in scope")
def team_member_remove(request: HttpRequest, reference: str, member_id: int) -> HttpResponse:
    user, family = _family_or_404(request, reference)
    if not access.can_manage_team(user, family):
        raise PermissionDenied("You cannot change this family's team")
    member = get_object_or_404(TeamMember, pk=member_id, family=family, removed_at__isnull=True)
    return _form_page(
        request,
        ReasonForm(request.POST or None),
        call=lambda data: services.team_member_remove(
            actor=user, member=member, reason=data["reason"]
        ),
        success=f"{member.agency.name} has left the team",
        next_url=reverse("families:team", args=[family.reference]),
        template="families/team_member_remove.html",
        context={"family": family, "member": member},
    )


def _members(family: Family) -> list[tuple[int, str]]:
    return [
        (m.person_id, m.person.full_name) for m in family.memberships.all() if m.end_date is None
    ]


@login_required
@access_rule("lead professional or the LCG's coordinators of a family in scope")
def lawful_basis_add(request: HttpRequest, reference: str) -> HttpResponse:
    user, family = _family_or_404(request, reference)
    if not access.can_manage_team(user, family):
        raise PermissionDenied("You cannot record a lawful basis for this family")

    def record(data: dict[str, Any]) -> object:
        person = None
        if data["kind"] == "consent":
            person = Person.objects.filter(pk=data["person"]).first()
        return services.lawful_basis_record(
            actor=user,
            family=family,
            kind=data["kind"],
            person=person,
            gateway=data["gateway"],
            given_on=data["given_on"],
        )

    return _form_page(
        request,
        LawfulBasisForm(request.POST or None, members=_members(family)),
        call=record,
        success="Lawful basis recorded",
        next_url=reverse("families:team", args=[family.reference]),
        template="families/lawful_basis_add.html",
        context={"family": family},
    )


@login_required
@access_rule("lead professional or the LCG's coordinators of a family in scope")
def consent_withdraw(request: HttpRequest, reference: str, basis_id: int) -> HttpResponse:
    user, family = _family_or_404(request, reference)
    if not access.can_manage_team(user, family):
        raise PermissionDenied("You cannot record a withdrawal for this family")
    basis = get_object_or_404(
        LawfulBasis, pk=basis_id, family=family, kind="consent", withdrawn_on__isnull=True
    )
    return _form_page(
        request,
        ConsentWithdrawForm(request.POST or None),
        call=lambda data: services.lawful_basis_withdraw(
            actor=user, basis=basis, withdrawn_on=data["withdrawn_on"], note=data["note"]
        ),
        success="Withdrawal of consent recorded",
        next_url=reverse("families:team", args=[family.reference]),
        template="families/consent_withdraw.html",
        context={"family": family, "basis": basis},
    )


@login_required
@access_rule("data protection officer, and coordinators of the family's LCG")
def family_viewers(request: HttpRequest, reference: str) -> HttpResponse:
    user, family = _family_or_404(request, reference)
    if not access.can_view_family_viewers(user, family):
        raise PermissionDenied("You cannot see who has viewed this family")
    events = access_events_for_family(family_id=family.pk)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "families/family_viewers.html", {"family": family, "events_page": page})


@login_required
@access_rule("case workers and LCG coordinators, with a reason; logged and reviewed")
def break_glass(request: HttpRequest) -> HttpResponse:
    user = _require_case_role(request)
    if not access.can_break_glass(user):
        raise PermissionDenied("Your role already sees every family, or cannot break glass")
    form = BreakGlassForm(request.POST or None)
    status = 400 if request.method == "POST" else 200
    # The family is looked up only inside the service, after every check that could
    # refuse: a missing reference and a family outside scope get the same page.
    if request.method == "POST" and form.is_valid():
        try:
            result = services.break_glass_open(
                actor=user,
                reference=form.cleaned_data["reference"],
                category=form.cleaned_data["category"],
                reason=form.cleaned_data["reason"],
            )
        except services.BreakGlassLimitReached as exc:
            form.add_error(None, exc.message)
            status = 429
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            grant = result.access
            family = grant.family
            expires = timezone.localtime(grant.expires_at)
            if not result.opened:
                messages.success(
                    request,
                    f"You already have emergency access to {family.reference} until "
                    f"{expires:%d %B %Y %H:%M}. It has not been extended.",
                )
                return redirect("families:detail", reference=family.reference)
            services.break_glass_opened_record(request=request, user=user, access=grant)
            messages.success(
                request,
                f"You have emergency access to {family.reference} until "
                f"{expires:%d %B %Y %H:%M}. The data protection officer will review it.",
            )
            return redirect("families:detail", reference=family.reference)
    return render(request, "families/break_glass.html", {"form": form}, status=status)


@login_required
@access_rule("data protection officer")
def break_glass_review_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not access.can_review_break_glass(user):
        raise PermissionDenied("Only the data protection officer reviews emergency access")
    show = request.GET.get("show", "waiting")
    if show == "refused":
        # Requests over the daily limit: nothing was opened, but the officer looks at why.
        refusals = BreakGlassRefusal.objects.select_related("user", "family").order_by(
            "-refused_at", "-pk"
        )
        refused_page = Paginator(refusals, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(
            request,
            "families/break_glass_review_list.html",
            {"page_obj": refused_page, "show": show},
        )
    accesses = BreakGlassAccess.objects.select_related("family", "user", "reviewed_by").order_by(
        "-started_at"
    )
    if show == "waiting":
        accesses = accesses.filter(reviewed_at__isnull=True)
    page = Paginator(accesses, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "families/break_glass_review_list.html", {"page_obj": page, "show": show}
    )


@login_required
@access_rule("data protection officer")
def break_glass_review(request: HttpRequest, access_id: int) -> HttpResponse:
    user = _user(request)
    if not access.can_review_break_glass(user):
        raise PermissionDenied("Only the data protection officer reviews emergency access")
    grant = get_object_or_404(
        BreakGlassAccess.objects.select_related("family", "user"), pk=access_id
    )
    return _form_page(
        request,
        BreakGlassReviewForm(request.POST or None),
        call=lambda data: services.break_glass_review(
            actor=user, access=grant, outcome=data["outcome"], note=data["note"]
        ),
        success="Review recorded",
        next_url=reverse("families:break-glass-review-list"),
        template="families/break_glass_review.html",
        context={"access": grant},
    )


@login_required
@access_rule("case roles; counts only within the user's scope")
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
@access_rule("programme managers and LCG coordinators")
def caseload_export(request: HttpRequest) -> HttpResponse:
    user = _require_case_role(request)
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
