"""What every family page shares: who is asking, the family they asked for (or 404),
and the shape of a one-form page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from agencies.models import User
from families import selectors
from families.access import access
from families.models import Family
from oneplan.errors import ApplicationError


def user_of(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def require_case_role(request: HttpRequest) -> User:
    """The signed-in user, if their roles give access to families at all (403 if not)."""
    user = user_of(request)
    if not access.can_view_families(user):
        raise PermissionDenied("Your account does not give access to families")
    return user


def family_or_404(request: HttpRequest, reference: str) -> tuple[User, Family]:
    """The user and the family they asked for: 404 for "missing" and "not yours" alike."""
    user = require_case_role(request)
    return user, selectors.family_get_for_user_or_404(user, reference)


def form_error(form: Any, exc: ApplicationError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def form_page(
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
            form_error(form, exc)
        else:
            messages.success(request, success)
            return redirect(next_url)
    return render(
        request,
        template,
        {**context, "form": form},
        status=400 if request.method == "POST" else 200,
    )
