"""Pages about access to a family: why you can see it, its team and lawful bases, who
has viewed it, and break glass with its review.

A family outside the user's scope answers 404 like one that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from agencies.models import User
from audit.selectors import (
    access_events_for_family,
    access_events_for_user_and_family,
    access_events_name,
)
from audit.services import access_event_record
from families.access import access, services
from families.access.forms import (
    BreakGlassForm,
    BreakGlassReviewForm,
    ConsentWithdrawForm,
    LawfulBasisForm,
    ReasonForm,
    TeamMemberAddForm,
)
from families.grants_models import BreakGlassAccess, BreakGlassRefusal, LawfulBasis, TeamMember
from families.models import Family, Person
from families.pages import family_or_404, form_error, form_page, require_case_role, user_of
from families.states import FamilyStatus
from oneplan.access_rules import access_rule
from oneplan.dates import govuk_datetime
from oneplan.errors import ApplicationError

PAGE_SIZE = 50


def _record_view(request: HttpRequest, user: User, family: Family, what: str) -> None:
    """Every page about one family records that it was shown (issue 14), a form's GET
    too: a refused POST shows nothing new, so only GET is recorded."""
    if request.method == "GET":
        access_event_record(
            user=user,
            action="view",
            object_type=what,
            object_id=str(family.pk),
            family_id=family.pk,
            family_reference=family.reference,
            request=request,
        )


@login_required
@access_rule("families in the user's scope; shows the user's own routes of access")
def family_access_reasons(request: HttpRequest, reference: str) -> HttpResponse:
    user, family = family_or_404(request, reference)
    _record_view(request, user, family, "family_access")
    return render(
        request,
        "families/family_access.html",
        {"family": family, "reasons": access.access_reasons(user, family)},
    )


@login_required
@access_rule("families in scope; managing needs the lead professional or LCG coordinator")
def family_team(request: HttpRequest, reference: str) -> HttpResponse:
    user, family = family_or_404(request, reference)
    _record_view(request, user, family, "team")
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
                form_error(form, exc)
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
    user, family = family_or_404(request, reference)
    if not access.can_manage_team(user, family):
        raise PermissionDenied("You cannot change this family's team")
    member = get_object_or_404(TeamMember, pk=member_id, family=family, removed_at__isnull=True)
    _record_view(request, user, family, "team")
    return form_page(
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
    user, family = family_or_404(request, reference)
    if not access.can_manage_team(user, family):
        raise PermissionDenied("You cannot record a lawful basis for this family")
    _record_view(request, user, family, "team")

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
            family_agreed=data.get("family_agreed", False),
        )

    agreed = request.method == "POST" and bool(request.POST.get("family_agreed"))
    return form_page(
        request,
        LawfulBasisForm(
            request.POST or None,
            members=_members(family),
            offer_agreement=family.status == FamilyStatus.ALLOCATED,
        ),
        call=record,
        success=(
            f"Lawful basis and the family's agreement recorded: {family.reference} is now engaged"
            if agreed
            else "Lawful basis recorded"
        ),
        next_url=reverse("families:team", args=[family.reference]),
        template="families/lawful_basis_add.html",
        context={"family": family},
    )


@login_required
@access_rule("lead professional or the LCG's coordinators of a family in scope")
def consent_withdraw(request: HttpRequest, reference: str, basis_id: int) -> HttpResponse:
    user, family = family_or_404(request, reference)
    if not access.can_manage_team(user, family):
        raise PermissionDenied("You cannot record a withdrawal for this family")
    basis = get_object_or_404(
        LawfulBasis, pk=basis_id, family=family, kind="consent", withdrawn_on__isnull=True
    )
    _record_view(request, user, family, "team")
    return form_page(
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
    user, family = family_or_404(request, reference)
    if not access.can_view_family_viewers(user, family):
        raise PermissionDenied("You cannot see who has viewed this family")
    _record_view(request, user, family, "family_viewers")
    events = access_events_for_family(family_id=family.pk)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    # Each record in words, with the names this viewer may see (audit.labels).
    page.object_list = access_events_name(page.object_list, viewer=user)
    return render(request, "families/family_viewers.html", {"family": family, "events_page": page})


@login_required
@access_rule("case workers and LCG coordinators, with a reason; logged and reviewed")
def break_glass(request: HttpRequest) -> HttpResponse:
    user = require_case_role(request)
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
            form_error(form, exc)
        else:
            grant = result.access
            family = grant.family
            expires = timezone.localtime(grant.expires_at)
            if not result.opened:
                messages.success(
                    request,
                    f"You already have emergency access to {family.reference} until "
                    f"{govuk_datetime(expires)}. It has not been extended.",
                )
                return redirect("families:detail", reference=family.reference)
            services.break_glass_opened_record(request=request, user=user, access=grant)
            messages.success(
                request,
                f"You have emergency access to {family.reference} until "
                f"{govuk_datetime(expires)}. The data protection officer will review it.",
            )
            return redirect("families:detail", reference=family.reference)
    return render(request, "families/break_glass.html", {"form": form}, status=status)


@login_required
@access_rule("data protection officer")
def break_glass_review_list(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
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
    accesses = BreakGlassAccess.objects.select_related(
        "family", "user__staff__agency", "reviewed_by"
    ).order_by("-started_at")
    if show == "waiting":
        accesses = accesses.filter(reviewed_at__isnull=True)
    page = Paginator(accesses, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "families/break_glass_review_list.html", {"page_obj": page, "show": show}
    )


@login_required
@access_rule("data protection officer")
def break_glass_review(request: HttpRequest, access_id: int) -> HttpResponse:
    user = user_of(request)
    if not access.can_review_break_glass(user):
        raise PermissionDenied("Only the data protection officer reviews emergency access")
    grant = get_object_or_404(
        BreakGlassAccess.objects.select_related("family", "user__staff__agency"), pk=access_id
    )
    # Everything the requester opened of the family while the access lasted.
    opened = access_events_for_user_and_family(
        user_id=grant.user_id,
        family_id=grant.family_id,
        start=grant.started_at,
        end=grant.expires_at,
    )
    opened_page = Paginator(opened, PAGE_SIZE).get_page(request.GET.get("page"))
    opened_page.object_list = access_events_name(opened_page.object_list, viewer=user)
    if request.method == "GET":
        # Like the user activity page: reading what someone did is itself recorded.
        access_event_record(
            user=user,
            action="view",
            object_type="user_activity",
            object_id=grant.user_id,
            family_id=grant.family_id,
            family_reference=grant.family.reference,
            request=request,
            detail={"break_glass_access": grant.pk, "page": opened_page.number},
        )
    return form_page(
        request,
        BreakGlassReviewForm(request.POST or None),
        call=lambda data: services.break_glass_review(
            actor=user, access=grant, outcome=data["outcome"], note=data["note"]
        ),
        success="Review recorded",
        next_url=reverse("families:break-glass-review-list"),
        template="families/break_glass_review.html",
        context={"access": grant, "opened_page": opened_page},
    )
