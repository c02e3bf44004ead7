"""The household pages: members, corrections, the address and its protection, and the
"Changes" of a family and of a person. Parse, check, call one service, render.

Every page fetches the family in the viewer's scope (404 otherwise) and records an
access event when it shows the family or a person; who may change anything is
``can_correct_household``, the rule the API uses too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from agencies.models import User
from audit.services import access_event_record
from families.access.access import can_view_restricted
from families.access.address import address_for_viewer
from families.household import selectors, services
from families.household.access import CORRECT_DENIED, can_correct_household
from families.household.forms import (
    AddressForm,
    AddressProtectionForm,
    MemberAddExistingForm,
    MemberAddNewForm,
    MembershipEndForm,
    MembershipRoleForm,
    PersonDetailsForm,
    PersonFindForm,
)
from families.models import Family, Person
from families.pages import family_or_404, form_error
from oneplan.access_rules import access_rule
from oneplan.errors import ApplicationError

GET_POST = require_http_methods(["GET", "HEAD", "POST"])
CHANGE_RULE = (
    "the family's lead professional and its LCG's coordinators (can_correct_household); "
    "404 outside the user's scope"
)


def _seen(
    request: HttpRequest,
    user: User,
    family: Family,
    what: str,
    object_id: int,
    person: Person | None = None,
) -> None:
    access_event_record(
        user=user,
        action="view",
        object_type=what,
        object_id=str(object_id),
        family_id=family.pk,
        family_reference=family.reference,
        request=request,
        detail={"person": person.pk} if person is not None else None,
    )


def _corrector(request: HttpRequest, reference: str) -> tuple[User, Family]:
    user, family = family_or_404(request, reference)
    if not can_correct_household(user, family):
        raise PermissionDenied(CORRECT_DENIED)
    return user, family


def _household_url(family: Family) -> str:
    return reverse("families:household", args=[family.reference])


def _form_page(
    request: HttpRequest,
    form: Any,
    *,
    call: Callable[[dict[str, Any]], object],
    success: Callable[[object], str],
    next_url: str,
    template: str,
    context: dict[str, Any],
) -> HttpResponse:
    """One form, one service: a refusal goes back onto the form with what was typed. A
    stale version shows the current values' version, so saving again is a decision
    made on what is there now."""
    if request.method == "POST" and form.is_valid():
        try:
            result = call(form.cleaned_data)
        except services.RecordChanged as exc:
            form.add_error(None, exc.message)
            if "version" in form.fields:
                data = form.data.copy()
                data["version"] = exc.current_version
                form.data = data
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, success(result))
            return redirect(next_url)
    return render(
        request,
        template,
        {**context, "form": form},
        status=400 if request.method == "POST" else 200,
    )


# ---------------------------------------------------------------------------
# The household
# ---------------------------------------------------------------------------


@login_required
@access_rule("families in the user's scope (404 otherwise)")
def household(request: HttpRequest, reference: str) -> HttpResponse:
    user, family = family_or_404(request, reference)
    _seen(request, user, family, "household", family.pk)
    return render(
        request,
        "families/household/household.html",
        {
            "family": family,
            "members": selectors.household_members(family),
            "address": address_for_viewer(user, family),
            "can_correct": can_correct_household(user, family),
        },
    )


@login_required
@access_rule(CHANGE_RULE)
def member_find(request: HttpRequest, reference: str) -> HttpResponse:
    user, family = _corrector(request, reference)
    form = PersonFindForm(request.GET or None)
    candidates: list[Person] = []
    families: dict[int, str] = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        candidates = list(
            selectors.person_candidates_for_user(
                user,
                given_name=data["given_name"],
                family_name=data["family_name"],
                date_of_birth=data["date_of_birth"],
            )[: selectors.CANDIDATES_SHOWN]
        )
        families = selectors.current_family_references(user, candidates)
        for person in candidates:
            _seen(request, user, family, "person_search_result", person.pk, person)
    # The page names the family it adds to, searched or not.
    _seen(request, user, family, "household_member_find", family.pk)
    return render(
        request,
        "families/household/member_find.html",
        {
            "family": family,
            "form": form,
            "searched": form.is_bound and form.is_valid(),
            "candidates": [(p, families.get(p.pk, "")) for p in candidates],
            "shown_max": selectors.CANDIDATES_SHOWN,
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@login_required
@GET_POST
@access_rule(CHANGE_RULE)
def member_add_new(request: HttpRequest, reference: str) -> HttpResponse:
    user, family = _corrector(request, reference)
    form = MemberAddNewForm(request.POST or None)
    if request.method != "POST":
        _seen(request, user, family, "household", family.pk)

    def call(data: dict[str, Any]) -> object:
        return services.household_member_add(
            actor=user,
            family=family,
            role=data["role"],
            start_date=data["start_date"],
            reason=data["reason"],
            details=services.PersonDetails(
                given_name=data["given_name"],
                family_name=data["family_name"],
                date_of_birth=data["date_of_birth"],
                sex=data["sex"],
                upn=data["upn"],
                nhs_number=data["nhs_number"],
                ni_number=data["ni_number"],
            ),
        )

    return _form_page(
        request,
        form,
        call=call,
        success=lambda m: f"{m.person.full_name} added to the household",  # type: ignore[attr-defined]
        next_url=_household_url(family),
        template="families/household/member_add_new.html",
        context={"family": family},
    )


@login_required
@GET_POST
@access_rule(CHANGE_RULE + "; the person must be in a family in the user's scope")
def member_add_existing(request: HttpRequest, reference: str, person_id: int) -> HttpResponse:
    user, family = _corrector(request, reference)
    person = Person.objects.filter(pk=person_id).first()
    if person is None or not services.person_may_join(user, person):
        raise Http404("No such person")
    if request.method != "POST":
        _seen(request, user, family, "person", person.pk, person)
    form = MemberAddExistingForm(request.POST or None)
    return _form_page(
        request,
        form,
        call=lambda data: services.household_member_add(
            actor=user,
            family=family,
            person=person,
            role=data["role"],
            start_date=data["start_date"],
            reason=data["reason"],
        ),
        success=lambda m: f"{person.full_name} added to the household",
        next_url=_household_url(family),
        template="families/household/member_add_existing.html",
        context={"family": family, "person": person},
    )


@login_required
@GET_POST
@access_rule(CHANGE_RULE)
def membership_end(request: HttpRequest, reference: str, membership_id: int) -> HttpResponse:
    user, family = _corrector(request, reference)
    membership = selectors.membership_get_or_404(family, membership_id)
    if request.method != "POST":
        _seen(request, user, family, "person", membership.person_id, membership.person)
    form = MembershipEndForm(
        request.POST or None, initial={"version": services.membership_version(membership)}
    )
    return _form_page(
        request,
        form,
        call=lambda data: services.household_membership_end(
            actor=user,
            family=family,
            membership=membership,
            end_date=data["end_date"],
            reason=data["reason"],
            expected_version=data["version"] or None,
        ),
        success=lambda m: f"{membership.person.full_name} has left the household",
        next_url=_household_url(family),
        template="families/household/membership_end.html",
        context={"family": family, "membership": membership},
    )


@login_required
@GET_POST
@access_rule(CHANGE_RULE)
def membership_role(request: HttpRequest, reference: str, membership_id: int) -> HttpResponse:
    user, family = _corrector(request, reference)
    membership = selectors.membership_get_or_404(family, membership_id)
    if request.method != "POST":
        _seen(request, user, family, "person", membership.person_id, membership.person)
    form = MembershipRoleForm(
        request.POST or None,
        initial={"version": services.membership_version(membership), "role": membership.role},
    )
    return _form_page(
        request,
        form,
        call=lambda data: services.household_membership_role_change(
            actor=user,
            family=family,
            membership=membership,
            role=data["role"],
            reason=data["reason"],
            expected_version=data["version"] or None,
        ),
        success=lambda m: f"{membership.person.full_name}'s role changed",
        next_url=_household_url(family),
        template="families/household/membership_role.html",
        context={"family": family, "membership": membership},
    )


# ---------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------


@login_required
@GET_POST
@access_rule(CHANGE_RULE)
def person_correct(request: HttpRequest, reference: str, person_id: int) -> HttpResponse:
    user, family = _corrector(request, reference)
    person = selectors.person_get_or_404(family, person_id)
    if request.method != "POST":
        _seen(request, user, family, "person", person.pk, person)
    initial = {
        "version": services.person_version(person),
        "given_name": person.given_name,
        "family_name": person.family_name,
        "date_of_birth": person.date_of_birth,
        "sex": person.sex,
        "upn": person.upn,
        "nhs_number": person.nhs_number,
        "ni_number": person.ni_number,
    }
    form = PersonDetailsForm(request.POST or None, initial=initial)
    return _form_page(
        request,
        form,
        call=lambda data: services.person_correct(
            actor=user,
            family=family,
            person=person,
            details=services.PersonDetails(
                given_name=data["given_name"],
                family_name=data["family_name"],
                date_of_birth=data["date_of_birth"],
                sex=data["sex"],
                upn=data["upn"],
                nhs_number=data["nhs_number"],
                ni_number=data["ni_number"],
            ),
            reason=data["reason"],
            expected_version=data["version"] or None,
        ),
        success=lambda p: f"{p}'s details corrected",
        next_url=reverse("families:person-changes", args=[family.reference, person.pk]),
        template="families/household/person_correct.html",
        context={"family": family, "person": person},
    )


@login_required
@access_rule(
    "families in the user's scope (404 otherwise); a person who is or was in its household"
)
def person_changes(request: HttpRequest, reference: str, person_id: int) -> HttpResponse:
    user, family = family_or_404(request, reference)
    person = selectors.person_get_or_404(family, person_id)
    _seen(request, user, family, "person_changes", person.pk, person)
    return render(
        request,
        "families/household/changes.html",
        {
            "family": family,
            "person": person,
            "changes": selectors.person_changes_for_user(user, family, person),
            "can_correct": can_correct_household(user, family),
        },
    )


@login_required
@access_rule("families in the user's scope (404 otherwise)")
def family_changes(request: HttpRequest, reference: str) -> HttpResponse:
    user, family = family_or_404(request, reference)
    _seen(request, user, family, "family_changes", family.pk)
    return render(
        request,
        "families/household/changes.html",
        {
            "family": family,
            "person": None,
            "changes": selectors.family_changes_for_user(user, family),
            "can_correct": can_correct_household(user, family),
        },
    )


# ---------------------------------------------------------------------------
# The address
# ---------------------------------------------------------------------------


def _address_success(result: object) -> str:
    assert isinstance(result, services.AddressChanged)
    if result.outside_lcg is not None:
        return (
            f"Address changed. The new address is in {result.outside_lcg.name}'s area: the "
            "family stays with its LCG until the LCG decides otherwise"
        )
    return "Address changed"


@login_required
@GET_POST
@access_rule(CHANGE_RULE)
def address_change(request: HttpRequest, reference: str) -> HttpResponse:
    user, family = _corrector(request, reference)
    if request.method != "POST":
        _seen(request, user, family, "address", family.address_id or family.pk)
    form = AddressForm(
        request.POST or None, moving=True, initial={"version": services.address_version(family)}
    )
    return _form_page(
        request,
        form,
        call=lambda data: services.family_address_change(
            actor=user,
            family=family,
            details=services.AddressDetails(
                postcode=data["postcode"],
                line_1=data["line_1"],
                line_2=data["line_2"],
                town=data["town"],
            ),
            is_protected=data["is_protected"],
            reason=data["reason"],
            expected_version=data["version"] or None,
        ),
        success=_address_success,
        next_url=_household_url(family),
        template="families/household/address_change.html",
        context={
            "family": family,
            "moving": True,
            "address": address_for_viewer(user, family),
        },
    )


@login_required
@GET_POST
@access_rule(CHANGE_RULE)
def address_correct(request: HttpRequest, reference: str) -> HttpResponse:
    user, family = _corrector(request, reference)
    address = family.address
    if address is None:
        return redirect("families:address-change", reference=family.reference)
    if request.method != "POST":
        _seen(request, user, family, "address", address.pk)
    # The corrector may see the address (the lead professional and the coordinators hold
    # the restricted permission), so the form starts from its values.
    initial: dict[str, Any] = {"version": services.address_version(family)}
    if can_view_restricted(user, family):
        initial |= {
            "line_1": address.line_1,
            "line_2": address.line_2,
            "town": address.town,
            "postcode": address.postcode,
        }
    form = AddressForm(request.POST or None, moving=False, initial=initial)
    return _form_page(
        request,
        form,
        call=lambda data: services.family_address_correct(
            actor=user,
            family=family,
            details=services.AddressDetails(
                postcode=data["postcode"],
                line_1=data["line_1"],
                line_2=data["line_2"],
                town=data["town"],
            ),
            reason=data["reason"],
            expected_version=data["version"] or None,
        ),
        success=lambda _a: "Address corrected",
        next_url=_household_url(family),
        template="families/household/address_change.html",
        context={"family": family, "moving": False, "address": address_for_viewer(user, family)},
    )


@login_required
@GET_POST
@access_rule(CHANGE_RULE)
def address_protection(request: HttpRequest, reference: str) -> HttpResponse:
    user, family = _corrector(request, reference)
    address = family.address
    if address is None:
        return redirect("families:address-change", reference=family.reference)
    if request.method != "POST":
        _seen(request, user, family, "address", address.pk)
    protecting = not address.is_protected
    form = AddressProtectionForm(
        request.POST or None, initial={"version": services.address_version(family)}
    )
    return _form_page(
        request,
        form,
        call=lambda data: services.family_address_protect(
            actor=user,
            family=family,
            protected=protecting,
            reason=data["reason"],
            expected_version=data["version"] or None,
        ),
        success=lambda _a: "Address protected" if protecting else "Address no longer protected",
        next_url=_household_url(family),
        template="families/household/address_protection.html",
        context={
            "family": family,
            "protecting": protecting,
            "address": address_for_viewer(user, family),
        },
    )
