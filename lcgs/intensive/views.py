"""Intensive support pages: parse, check, call one service, render.

A nomination or family outside the user's scope answers 404 like one that does not
exist; one they see but may not act on (a coordinator on the provider's accept page, a
provider on the withdraw page) answers 403. Pages that name families record an access
event.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from agencies.models import LCG, Agency, User
from agencies.request_user import request_user_or_403
from audit.services import access_event_record, access_events_record_many
from families.models import Family, HouseholdMembership
from families.pages import family_or_404
from lcgs.allocation.access import can_allocate_family
from lcgs.allocation.selectors import key_workers_with_caseload
from lcgs.intensive import selectors, services
from lcgs.intensive.access import (
    can_decide,
    can_nominate,
    can_see_nominations,
    can_set_places,
    provider_staff,
)
from lcgs.intensive.forms import (
    NOT_YET,
    AcceptForm,
    DeclineForm,
    NominateForm,
    PlacesForm,
    WithdrawForm,
)
from lcgs.intensive.models import IntensiveNomination
from oneplan.access_rules import access_rule
from oneplan.errors import ApplicationError, NotFoundOrNoAccess
from outcomes.money.rules import FIRST_YEAR, financial_year_label

PAGE_SIZE = 50
# How long a declined nomination stays on the LCG's page as something to act on.
RECENT_DAYS = 56


def _this_year() -> int:
    return selectors.current_financial_year(timezone.localdate())


def _submit(
    request: HttpRequest,
    form: Any,
    call: Callable[[dict[str, Any]], str],
    next_url: Callable[[], str],
) -> HttpResponse | None:
    """On a valid POST call the service; on success its message and a redirect. A
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


def _record_list(request: HttpRequest, user: User, rows: list[IntensiveNomination]) -> None:
    access_events_record_many(
        user=user,
        family_ids=[n.family_id for n in rows],
        family_references=[n.family.reference for n in rows],
        request=request,
        detail={"intensive_nominations": True},
    )


def _nomination(request: HttpRequest, pk: int) -> tuple[User, IntensiveNomination]:
    user = request_user_or_403(
        request,
        can_see_nominations,
        "Only LCG coordinators, programme managers and intensive support providers see "
        "nominations to intensive support",
    )
    return user, selectors.nomination_get_for_user_or_404(user, pk)


# ---------------------------------------------------------------------------
# The LCG's waiting list and the providers' places
# ---------------------------------------------------------------------------


@login_required
@access_rule(
    "LCG coordinators (their LCGs' waiting list) and programme managers (every LCG); "
    "places and track shares are numbers only"
)
def intensive_overview(request: HttpRequest) -> HttpResponse:
    user = request_user_or_403(
        request, can_nominate, "Only LCG coordinators and programme managers nominate families"
    )
    lcgs = list(selectors.lcgs_for_user(user))
    lcg: LCG | None = None
    code = request.GET.get("lcg", "")
    if code:
        lcg = next((g for g in lcgs if g.code == code), None)
        if lcg is None:
            raise Http404("No LCG found")
    elif len(lcgs) == 1:
        lcg = lcgs[0]
    provider: Agency | None = None
    provider_code = request.GET.get("provider", "")
    if provider_code:
        provider = selectors.provider_choices().filter(code=provider_code).first()
        if provider is None:
            raise Http404("No provider found")
    year = _this_year()
    page = Paginator(
        selectors.waiting_list_for_user(user, provider=provider, lcg=lcg), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    since = timezone.now() - datetime.timedelta(days=RECENT_DAYS)
    declined = list(
        selectors.nomination_list_for_user(user, status="declined", provider=provider, lcg=lcg)
        .filter(decided_at__gte=since)
        .order_by("-decided_at")[:PAGE_SIZE]
    )
    _record_list(request, user, rows + declined)
    return render(
        request,
        "lcgs/intensive/intensive_overview.html",
        {
            "lcgs": lcgs,
            "lcg": lcg,
            "provider": provider,
            "providers": selectors.provider_choices(),
            "places": selectors.provider_places(financial_year=year),
            "year_label": financial_year_label(year),
            "page_obj": page,
            "rows": [(n, selectors.queue_position(n)) for n in rows],
            "declined": declined,
            "recent_days": RECENT_DAYS,
            "shares": _shares(user, lcg),
            "can_set_places": can_set_places(user),
        },
    )


def _shares(user: User, lcg: LCG | None) -> selectors.TrackShares | None:
    """The chosen LCG's shares; a programme manager's whole programme when none is
    chosen; None for a coordinator of several LCGs who has not chosen one."""
    if lcg is not None:
        return selectors.track_shares(lcg)
    if can_set_places(user):
        return selectors.track_shares(None)
    return None


# ---------------------------------------------------------------------------
# Nominating a family
# ---------------------------------------------------------------------------


@login_required
@access_rule("coordinators of the family's LCG and programme managers (404 outside scope)")
def intensive_nominate(request: HttpRequest, reference: str) -> HttpResponse:
    user, family = family_or_404(request, reference)
    if not can_allocate_family(user, family):
        raise PermissionDenied("Only the LCG's coordinators and programme managers nominate")
    _form_shown(request, user, family, "family", family.pk)
    year = _this_year()
    places = selectors.provider_places(financial_year=year)
    form = NominateForm(request.POST or None, places=places)

    def call(data: dict[str, Any]) -> str:
        nomination = services.intensive_nominate(
            actor=user, family=family, provider=data["provider"], reason=data["reason"]
        )
        return (
            f"You nominated {family.reference} to {nomination.provider.name}. It is on the "
            "waiting list for the provider's decision"
        )

    done = _submit(
        request,
        form,
        call,
        lambda: reverse("families:detail", args=[family.reference]) + "#intensive-support",
    )
    if done is not None:
        return done
    return render(
        request,
        "lcgs/intensive/intensive_nominate.html",
        {
            "family": family,
            "form": form,
            "places": places,
            "year_label": financial_year_label(year),
            "history": list(selectors.nominations_for_family(family)),
        },
        status=_status(request),
    )


# ---------------------------------------------------------------------------
# The provider's list and decisions
# ---------------------------------------------------------------------------


@login_required
@access_rule("staff of an intensive support provider: nominations made to their agency")
def provider_nomination_list(request: HttpRequest) -> HttpResponse:
    user = request_user_or_403(
        request, can_decide, "Only the staff of an intensive support provider decide"
    )
    staff = provider_staff(user)
    assert staff is not None
    page = Paginator(
        selectors.waiting_list_for_user(user, provider=staff.agency), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    decided = list(
        selectors.nomination_list_for_user(user, provider=staff.agency)
        .exclude(status="waiting")
        .order_by("-decided_at", "-pk")[:20]
    )
    _record_list(request, user, rows + decided)
    year = _this_year()
    mine = next(
        (p for p in selectors.provider_places(financial_year=year) if p.provider == staff.agency),
        None,
    )
    return render(
        request,
        "lcgs/intensive/provider_nomination_list.html",
        {
            "provider": staff.agency,
            "places": mine,
            "year_label": financial_year_label(year),
            "page_obj": page,
            "rows": [(n, selectors.queue_position(n)) for n in rows],
            "decided": decided,
        },
    )


@login_required
@access_rule(
    "the nomination's LCG coordinators, programme managers and the provider's staff "
    "(404 outside scope): the nomination and who the family is, not the family's record"
)
def nomination_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user, nomination = _nomination(request, pk)
    access_event_record(
        user=user,
        action="view",
        object_type="intensive_nomination",
        object_id=str(nomination.pk),
        family_id=nomination.family_id,
        family_reference=nomination.family.reference,
        request=request,
    )
    members = (
        HouseholdMembership.objects.filter(family_id=nomination.family_id, end_date__isnull=True)
        .select_related("person")
        .order_by("person__date_of_birth", "pk")
    )
    today = timezone.localdate()
    staff = provider_staff(user)
    deciding = staff is not None and staff.agency_id == nomination.provider_id
    return render(
        request,
        "lcgs/intensive/nomination_detail.html",
        {
            "nomination": nomination,
            "position": selectors.queue_position(nomination),
            "members": [(m, _age(m.person.date_of_birth, today)) for m in members],
            "can_decide": deciding and nomination.is_waiting,
            "can_withdraw": nomination.is_waiting and can_allocate_family(user, nomination.family),
            "is_provider": deciding,
        },
    )


def _age(born: datetime.date, today: datetime.date) -> int:
    return int(today.year - born.year - ((today.month, today.day) < (born.month, born.day)))


def _form_shown(request: HttpRequest, user: User, family: Family, what: str, pk: int) -> None:
    """A form about one family shows it: its GET is recorded like any page (issue 14)."""
    if request.method == "GET":
        access_event_record(
            user=user,
            action="view",
            object_type=what,
            object_id=str(pk),
            family_id=family.pk,
            family_reference=family.reference,
            request=request,
        )


def _deciding(request: HttpRequest, pk: int) -> tuple[User, IntensiveNomination]:
    user, nomination = _nomination(request, pk)
    staff = provider_staff(user)
    if staff is None or staff.agency_id != nomination.provider_id:
        raise PermissionDenied("Only the provider's staff decide on its nominations")
    _form_shown(request, user, nomination.family, "intensive_nomination", nomination.pk)
    return user, nomination


def _back(nomination: IntensiveNomination) -> str:
    return reverse("lcgs:intensive-nomination-detail", args=[nomination.pk])


@login_required
@access_rule("staff of the provider the family was nominated to (404 outside scope)")
def nomination_accept(request: HttpRequest, pk: int) -> HttpResponse:
    user, nomination = _deciding(request, pk)
    provider = nomination.provider
    key_workers = key_workers_with_caseload(agency_ids=[provider.pk], today=timezone.localdate())
    form = AcceptForm(request.POST or None, provider=provider, key_workers=key_workers)

    def call(data: dict[str, Any]) -> str:
        chosen = data["lead_professional"]
        professional = (
            None
            if chosen == NOT_YET
            else next(w.staff for w in key_workers if str(w.staff.pk) == chosen)
        )
        done = services.intensive_nomination_accept(
            actor=user, nomination=nomination, lead_professional=professional, note=data["note"]
        )
        return (
            f"You accepted {nomination.family.reference}: it is allocated to {provider.name} "
            f"on the intensive track. {done.places_left} "
            f"{'place' if done.places_left == 1 else 'places'} left this year"
        )

    done = _submit(request, form, call, lambda: reverse("lcgs:intensive-provider-list"))
    if done is not None:
        return done
    year = _this_year()
    places = next(
        (p for p in selectors.provider_places(financial_year=year) if p.provider == provider),
        None,
    )
    return render(
        request,
        "lcgs/intensive/nomination_accept.html",
        {
            "nomination": nomination,
            "form": form,
            "key_workers": key_workers,
            "places": places,
            "year_label": financial_year_label(year),
        },
        status=_status(request),
    )


@login_required
@access_rule("staff of the provider the family was nominated to (404 outside scope)")
def nomination_decline(request: HttpRequest, pk: int) -> HttpResponse:
    user, nomination = _deciding(request, pk)
    form = DeclineForm(request.POST or None)

    def call(data: dict[str, Any]) -> str:
        services.intensive_nomination_decline(
            actor=user, nomination=nomination, reason=data["reason"]
        )
        return f"You declined {nomination.family.reference}. The LCG's coordinators are shown why"

    done = _submit(request, form, call, lambda: reverse("lcgs:intensive-provider-list"))
    if done is not None:
        return done
    return render(
        request,
        "lcgs/intensive/nomination_decide.html",
        {
            "nomination": nomination,
            "form": form,
            "title": "Decline the family",
            "button": "Decline",
        },
        status=_status(request),
    )


@login_required
@access_rule("coordinators of the family's LCG and programme managers (404 outside scope)")
def nomination_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    user, nomination = _nomination(request, pk)
    if not can_allocate_family(user, nomination.family):
        raise PermissionDenied("Only the LCG's coordinators and programme managers withdraw")
    _form_shown(request, user, nomination.family, "intensive_nomination", nomination.pk)
    form = WithdrawForm(request.POST or None)

    def call(data: dict[str, Any]) -> str:
        services.intensive_nomination_withdraw(
            actor=user, nomination=nomination, reason=data["reason"]
        )
        return f"You withdrew the nomination of {nomination.family.reference}"

    done = _submit(request, form, call, lambda: reverse("lcgs:intensive-overview"))
    if done is not None:
        return done
    return render(
        request,
        "lcgs/intensive/nomination_decide.html",
        {
            "nomination": nomination,
            "form": form,
            "title": "Withdraw the nomination",
            "button": "Withdraw nomination",
        },
        status=_status(request),
    )


# ---------------------------------------------------------------------------
# Contracted places
# ---------------------------------------------------------------------------


@login_required
@access_rule("programme managers")
def places_edit(request: HttpRequest) -> HttpResponse:
    user = request_user_or_403(
        request, can_set_places, "Only programme managers set contracted places"
    )
    this_year = _this_year()
    years = list(range(this_year + 1, FIRST_YEAR - 1, -1))
    shown = this_year
    raw_year = request.GET.get("year", "")
    if raw_year:
        if not raw_year.isdigit() or int(raw_year) not in years:
            raise Http404("No such financial year")
        shown = int(raw_year)
    initial: dict[str, Any] = {"financial_year": str(shown)}
    raw_provider = request.GET.get("provider", "")
    if raw_provider:
        initial["provider"] = get_object_or_404(selectors.provider_choices(), code=raw_provider)
    form = PlacesForm(request.POST or None, initial=initial, years=years)

    def call(data: dict[str, Any]) -> str:
        row = services.intensive_places_set(
            actor=user,
            provider=data["provider"],
            financial_year=data["financial_year"],
            places=data["places"],
        )
        return (
            f"{data['provider'].name} has {row.places} places in "
            f"{financial_year_label(row.financial_year)}"
        )

    done = _submit(
        request,
        form,
        call,
        lambda: reverse("lcgs:intensive-places") + f"?year={form.cleaned_data['financial_year']}",
    )
    if done is not None:
        return done
    return render(
        request,
        "lcgs/intensive/places_edit.html",
        {
            "form": form,
            "places": selectors.provider_places(financial_year=shown, include_inactive=True),
            "year": shown,
            "year_label": financial_year_label(shown),
            "years": [(y, financial_year_label(y)) for y in years[:6]],
        },
        status=_status(request),
    )
