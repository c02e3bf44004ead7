"""The staff pages: for system administrators only (403 for anyone else), and the set-up
page an invited person opens. Parse, check, call one service, render."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agencies.models import Staff, User
from agencies.staff import services
from agencies.staff.access import staff_administrator_or_403
from agencies.staff.forms import (
    ReasonForm,
    SetUpPasswordForm,
    StaffDetailsForm,
    StaffFilterForm,
    StaffInviteForm,
    staff_change_initial,
)
from agencies.staff.links import set_up_link_url
from agencies.staff.memberships import staff_membership_kinds
from agencies.staff.selectors import (
    AccountStatus,
    role_label,
    set_up_link_state,
    staff_get_for_admin_or_404,
    staff_history_for_admin,
    staff_list_for_admin,
    staff_membership_summary,
    staff_memberships,
)
from oneplan.access_rules import PUBLIC, access_rule
from oneplan.errors import ApplicationError

ADMIN_ONLY = "system administrators only (403 for everyone else)"
PAGE_SIZE = 50
LIST_FILTERS = ("name", "agency", "role", "status")


def _form_error(form: Any, exc: ApplicationError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _staff_or_404(request: HttpRequest, staff_id: int) -> tuple[User, Staff]:
    admin = staff_administrator_or_403(request.user)
    return admin, staff_get_for_admin_or_404(admin, staff_id)


@login_required
@require_GET
@access_rule(ADMIN_ONLY)
def staff_list(request: HttpRequest) -> HttpResponse:
    admin = staff_administrator_or_403(request.user)
    form = StaffFilterForm(request.GET)
    filters = {}
    if form.is_valid():
        filters = {name: form.cleaned_data.get(name) or "" for name in LIST_FILTERS}
    page = Paginator(staff_list_for_admin(admin, **filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    held = staff_memberships(list(page))
    kinds = staff_membership_kinds()
    rows = [
        {
            "staff": member,
            "roles": [role_label(role) for role in member.roles],
            "memberships": [
                code for kind in kinds for code in held.get(member.pk, {}).get(kind.name, [])
            ],
        }
        for member in page
    ]
    query = urlencode({name: value for name, value in filters.items() if value})
    return render(
        request,
        "agencies/staff_list.html",
        {
            "filter_form": form,
            "page_obj": page,
            "rows": rows,
            "filtered": any(filters.values()),
            "query": query,
        },
        status=200 if form.is_valid() else 400,
    )


@login_required
@require_GET
@access_rule(ADMIN_ONLY)
def staff_detail(request: HttpRequest, staff_id: int) -> HttpResponse:
    admin, staff = _staff_or_404(request, staff_id)
    status = getattr(staff, "account_status", AccountStatus.ACTIVE.value)
    return render(
        request,
        "agencies/staff_detail.html",
        {
            "staff": staff,
            "roles": [role_label(role) for role in staff.roles],
            "status": AccountStatus(status),
            "memberships": staff_membership_summary(staff),
            "set_up_link": set_up_link_state(staff)
            if status == AccountStatus.INVITED.value
            else None,
            "history": staff_history_for_admin(admin, staff),
            "is_self": staff.user_id == admin.pk,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
@access_rule(ADMIN_ONLY)
def staff_invite(request: HttpRequest) -> HttpResponse:
    admin = staff_administrator_or_403(request.user)
    form = StaffInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invited = services.staff_invite(
                actor=admin,
                username=data["username"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data.get("email") or "",
                access=form.access(),
            )
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            # The link is shown on this answer only: it is stored nowhere but as a hash.
            return render(
                request,
                "agencies/staff_set_up_link.html",
                {
                    "staff": invited.staff,
                    "link": set_up_link_url(request, invited.set_up.token),
                    "expires_at": invited.set_up.link.expires_at,
                    "invited": True,
                },
            )
    return render(
        request,
        "agencies/staff_invite.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
@access_rule(ADMIN_ONLY + "; nobody changes their own agency, roles or memberships")
def staff_change(request: HttpRequest, staff_id: int) -> HttpResponse:
    admin, staff = _staff_or_404(request, staff_id)
    if request.method == "POST":
        form = StaffDetailsForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.staff_change(
                    actor=admin,
                    staff=staff,
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    email=data.get("email") or "",
                    access=form.access(),
                )
            except ApplicationError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, f"{staff.display_name}'s details have been changed")
                return redirect("staff:detail", staff_id=staff.pk)
    else:
        held = staff_memberships([staff])[staff.pk]
        form = StaffDetailsForm(initial=staff_change_initial(staff, held))
    return render(
        request,
        "agencies/staff_change.html",
        {"form": form, "staff": staff, "is_self": staff.user_id == admin.pk},
        status=400 if request.method == "POST" else 200,
    )


def _reason_page(
    request: HttpRequest,
    staff_id: int,
    *,
    template: str,
    required_message: str,
    hint: str,
    call: Any,
    success: str,
) -> HttpResponse:
    admin, staff = _staff_or_404(request, staff_id)
    form = ReasonForm(request.POST or None, required_message=required_message, hint=hint)
    if request.method == "POST" and form.is_valid():
        try:
            call(actor=admin, staff=staff, reason=form.cleaned_data["reason"])
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, success.format(name=staff.display_name))
            return redirect("staff:detail", staff_id=staff.pk)
    return render(
        request,
        template,
        {"form": form, "staff": staff, "is_self": staff.user_id == admin.pk},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
@access_rule(ADMIN_ONLY + "; not one's own account")
def staff_deactivate(request: HttpRequest, staff_id: int) -> HttpResponse:
    return _reason_page(
        request,
        staff_id,
        template="agencies/staff_deactivate.html",
        required_message="Enter why the account is being deactivated",
        hint="For example, they have left the council. This is kept in the account's history.",
        call=services.staff_deactivate,
        success="{name}'s account has been deactivated: they have been signed out everywhere",
    )


@login_required
@require_http_methods(["GET", "POST"])
@access_rule(ADMIN_ONLY + "; not one's own account")
def staff_mfa_reset(request: HttpRequest, staff_id: int) -> HttpResponse:
    return _reason_page(
        request,
        staff_id,
        template="agencies/staff_mfa_reset.html",
        required_message="Enter why two-step verification is being reset",
        hint="For example, they have lost their phone. This is kept in the account's history.",
        call=services.staff_mfa_reset,
        success="{name} will set up a new authenticator app when they next sign in",
    )


@login_required
@require_POST
@never_cache
@access_rule(ADMIN_ONLY + "; only for an account that has not set its password yet")
def staff_set_up_link(request: HttpRequest, staff_id: int) -> HttpResponse:
    admin, staff = _staff_or_404(request, staff_id)
    try:
        issued = services.staff_set_up_link_issue(actor=admin, staff=staff)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("staff:detail", staff_id=staff.pk)
    return render(
        request,
        "agencies/staff_set_up_link.html",
        {
            "staff": staff,
            "link": set_up_link_url(request, issued.token),
            "expires_at": issued.link.expires_at,
            "invited": False,
        },
    )


@require_http_methods(["GET", "POST"])
@never_cache
@access_rule(PUBLIC + " holding a set-up link that still works; signed-in users are refused")
def account_set_up(request: HttpRequest, token: str) -> HttpResponse:
    if request.user.is_authenticated:
        # Whoever is signed in here is not the person the link was made for (the link is
        # for an account that has never signed in): most likely the administrator.
        return render(request, "agencies/account_set_up_signed_in.html", status=403)
    link = services.set_up_link_get(token)
    if link is None:
        return render(request, "agencies/account_set_up_invalid.html", status=404)
    form = SetUpPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.account_set_up(token=token, password=form.cleaned_data["password1"])
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request, f"Your password has been set. Sign in with your username, {user.username}"
            )
            return redirect(reverse("login"))
    return render(
        request,
        "agencies/account_set_up.html",
        {"form": form, "account": link.user, "expires_at": link.expires_at},
        status=400 if request.method == "POST" else 200,
    )
