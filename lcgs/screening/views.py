"""Nomination and screening pages: parse, check, call one service, render.

Pages that show family data record an access event before they render; a family the
user may not see (or does not screen) answers 404 like one that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from agencies.models import User
from audit.services import access_event_record, access_events_record_many
from families.access.access import family_permissions
from families.models import Family
from families.selectors import family_get_for_user_or_404
from lcgs.screening import selectors, services
from lcgs.screening.access import can_nominate, can_screen
from lcgs.screening.forms import (
    NewFamilyNominationForm,
    NominationForm,
    NominationWithdrawForm,
    ScreeningDecisionForm,
    ScreeningFilterForm,
)
from oneplan.access_rules import access_rule
from oneplan.errors import ApplicationError, NotFoundOrNoAccess
from outcomes.assessment.selectors import (
    assessment_view_for_user,
    framework_for_date,
    framework_for_family,
)

PAGE_SIZE = 50


def _user(request: HttpRequest, allowed: Callable[[User], bool], why: str) -> User:
    user = request.user
    assert isinstance(user, User)
    if not allowed(user):
        raise PermissionDenied(why)
    return user


def _nominator(request: HttpRequest) -> User:
    return _user(request, can_nominate, "Your role cannot nominate families")


def _screener(request: HttpRequest) -> User:
    return _user(
        request, can_screen, "Only LCG coordinators and programme managers screen families"
    )


def _record_view(request: HttpRequest, user: User, family: Family) -> None:
    access_event_record(
        user=user,
        action="view",
        object_type="family",
        object_id=str(family.pk),
        family_id=family.pk,
        family_reference=family.reference,
        request=request,
    )


def _submit(
    request: HttpRequest,
    form: Any,
    call: Callable[[dict[str, Any]], str],
    *,
    next_url: Callable[[], str],
) -> HttpResponse | None:
    """On a valid POST call the service; its message on success, a redirect back. A
    refusal goes onto the form with everything typed kept; None means re-show it."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        message = call(form.cleaned_data)
    except NotFoundOrNoAccess as exc:
        raise Http404(exc.message) from exc
    except ApplicationError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return None
    messages.success(request, message)
    return redirect(next_url())


def _status(request: HttpRequest) -> int:
    return 400 if request.method == "POST" else 200


# ---------------------------------------------------------------------------
# Nominations
# ---------------------------------------------------------------------------


@login_required
@access_rule("key workers, agency practitioners and LCG coordinators: their own nominations")
def nomination_list(request: HttpRequest) -> HttpResponse:
    user = _nominator(request)
    page = Paginator(selectors.nomination_list_for_user(user, mine=True), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = selectors.with_criteria_labels(page.object_list)
    visible = [n.family for n in rows if getattr(n, "family_visible", False)]
    if visible:
        access_events_record_many(
            user=user,
            family_ids=[f.pk for f in visible],
            family_references=[f.reference for f in visible],
            request=request,
            detail={"nominations": True},
        )
    return render(request, "lcgs/screening/nomination_list.html", {"page_obj": page, "rows": rows})


@login_required
@access_rule("key workers, agency practitioners and LCG coordinators who can see the family")
def nomination_create(request: HttpRequest, reference: str) -> HttpResponse:
    user = _nominator(request)
    family = family_get_for_user_or_404(user, reference)
    form = NominationForm(
        request.POST or None, criteria=selectors.criteria_choices(framework_for_family(family))
    )
    if request.method == "GET":
        _record_view(request, user, family)

    def call(data: dict[str, Any]) -> str:
        services.nomination_create(
            actor=user, family=family, reason=data["reason"], criteria=data["criteria"]
        )
        return f"You nominated {family.reference} for the programme"

    done = _submit(
        request,
        form,
        call,
        next_url=lambda: reverse("families:detail", args=[family.reference]) + "#nominations",
    )
    if done is not None:
        return done
    return render(
        request,
        "lcgs/screening/nomination_create.html",
        {"family": family, "form": form},
        status=_status(request),
    )


@login_required
@access_rule("key workers, agency practitioners and LCG coordinators")
def nomination_create_family(request: HttpRequest) -> HttpResponse:
    user = _nominator(request)
    framework = framework_for_date(timezone.localdate())
    form = NewFamilyNominationForm(
        request.POST or None, criteria=selectors.criteria_choices(framework)
    )

    def call(data: dict[str, Any]) -> str:
        nomination = services.nomination_create_for_new_family(
            actor=user, household=form.household(), reason=data["reason"], criteria=data["criteria"]
        )
        return (
            f"You added family {nomination.family.reference} and nominated it for the "
            "programme. Its LCG's coordinators will screen it."
        )

    done = _submit(request, form, call, next_url=lambda: reverse("lcgs:nomination-list"))
    if done is not None:
        return done
    return render(
        request,
        "lcgs/screening/nomination_create_family.html",
        {"form": form},
        status=_status(request),
    )


@login_required
@access_rule("the professional who made the nomination")
def nomination_withdraw(request: HttpRequest, nomination_id: int) -> HttpResponse:
    user = _nominator(request)
    nomination = selectors.nomination_get_for_user_or_404(user, nomination_id)
    if nomination.nominated_by_id != user.pk:
        raise PermissionDenied("Only the person who made a nomination can withdraw it")
    if request.method == "GET":
        _record_view(request, user, nomination.family)
    form = NominationWithdrawForm(request.POST or None)

    def call(data: dict[str, Any]) -> str:
        services.nomination_withdraw(actor=user, nomination=nomination, reason=data["reason"])
        return f"You withdrew your nomination of {nomination.family.reference}"

    done = _submit(request, form, call, next_url=lambda: reverse("lcgs:nomination-list"))
    if done is not None:
        return done
    return render(
        request,
        "lcgs/screening/nomination_withdraw.html",
        {"nomination": nomination, "form": form},
        status=_status(request),
    )


# ---------------------------------------------------------------------------
# Screening
# ---------------------------------------------------------------------------


@login_required
@access_rule("LCG coordinators (their LCGs) and programme managers (every LCG, unassigned)")
def screening_list(request: HttpRequest) -> HttpResponse:
    user = _screener(request)
    form = ScreeningFilterForm(
        request.GET or None,
        lcgs=selectors.screening_lcgs_for_user(user),
        include_unassigned=selectors.screens_unassigned(user),
    )
    filters: dict[str, Any] = {}
    if form.is_valid():
        lcg = form.cleaned_data["lcg"]
        filters = {
            "unassigned": lcg == "unassigned",
            "lcg_id": int(lcg) if lcg not in ("", "unassigned") else None,
            "source": form.cleaned_data["source"],
        }
    page = Paginator(selectors.screening_list_for_user(user, **filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    entries = selectors.screening_entries(page.object_list)
    if entries:
        access_events_record_many(
            user=user,
            family_ids=[e.family.pk for e in entries],
            family_references=[e.family.reference for e in entries],
            filters={k: v for k, v in filters.items() if v},
            request=request,
            detail={"screening": True},
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "lcgs/screening/screening_list.html",
        {
            "form": form,
            "page_obj": page,
            "entries": entries,
            "query": query,
            "filtered": any(filters.values()),
        },
    )


@login_required
@access_rule("the family's LCG coordinators and programme managers, while it waits")
def screening_decide(request: HttpRequest, reference: str) -> HttpResponse:
    user = _screener(request)
    entry = selectors.screening_entry_get_for_user_or_404(user, reference)
    family = entry.family
    form = ScreeningDecisionForm(request.POST or None)
    if request.method == "GET":
        _record_view(request, user, family)

    def call(data: dict[str, Any]) -> str:
        decision = services.screening_decide(
            actor=user,
            family=family,
            eligible=data["decision"] == "eligible",
            reason=data["reason"],
        )
        if decision.eligible:
            return f"{family.reference} is screened: eligible for the programme"
        return f"{family.reference} is not eligible: closed without outcome"

    done = _submit(request, form, call, next_url=lambda: reverse("lcgs:screening-list"))
    if done is not None:
        return done
    permissions = family_permissions(user, family)
    return render(
        request,
        "lcgs/screening/screening_decide.html",
        {
            "entry": entry,
            "family": family,
            "assessment": assessment_view_for_user(
                user, family, permissions, framework=entry.framework
            ),
            "form": form,
        },
        status=_status(request),
    )
