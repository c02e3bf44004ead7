"""API token pages: your own tokens, and every token for the data protection officer.

Parse, check, call, render. The rules are in ``agencies.api_tokens``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

from agencies.api_tokens import (
    RevokeReason,
    api_token_expires_at,
    api_token_get_for_dpo_or_404,
    api_token_get_for_user_or_404,
    api_token_list_for_dpo,
    api_token_list_for_user,
    api_token_revoke,
    api_tokens_revoke_all,
    can_revoke_others_api_tokens,
)
from agencies.models import User
from oneplan.access_rules import access_rule
from oneplan.models import ApiToken

PAGE_SIZE = 50
DPO_ONLY = "data protection officers only (403 for everyone else)"
DPO_DENIED = "Only the data protection officer can see or revoke other people's API tokens"


def _rows(tokens: Iterable[ApiToken]) -> list[dict[str, object]]:
    return [{"token": token, "expires_at": api_token_expires_at(token)} for token in tokens]


@login_required
@require_GET
@access_rule("any signed-in user: their own tokens only")
def token_list(request: HttpRequest) -> HttpResponse:
    tokens = api_token_list_for_user(request.user)
    context = {
        "rows": _rows(tokens),
        "max_age_hours": round(settings.ONEPLAN_API_TOKEN_MAX_AGE.total_seconds() / 3600),
        "idle_minutes": round(settings.ONEPLAN_API_TOKEN_IDLE.total_seconds() / 60),
    }
    return render(request, "oneplan/api_token_list.html", context)


@login_required
@require_POST
@access_rule("any signed-in user: their own tokens only (someone else's token answers 404)")
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    assert isinstance(request.user, User)
    token = api_token_get_for_user_or_404(request.user, token_id)
    api_token_revoke(actor=request.user, token=token, reason=RevokeReason.BY_USER)
    messages.success(request, "API token revoked: it no longer works")
    return redirect("tokens:list")


def _dpo(request: HttpRequest) -> User:
    if not can_revoke_others_api_tokens(request.user):
        raise PermissionDenied(DPO_DENIED)
    assert isinstance(request.user, User)
    return request.user


@login_required
@require_GET
@access_rule(DPO_ONLY)
def token_all(request: HttpRequest) -> HttpResponse:
    viewer = _dpo(request)
    username = request.GET.get("username", "").strip()
    tokens = api_token_list_for_dpo(viewer, username=username)
    page = Paginator(tokens, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "oneplan/api_token_all.html",
        {"username": username, "page_obj": page, "rows": _rows(page)},
    )


@login_required
@require_POST
@access_rule(DPO_ONLY)
def token_dpo_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    viewer = _dpo(request)
    token = api_token_get_for_dpo_or_404(viewer, token_id)
    owner = token.user
    api_token_revoke(actor=viewer, token=token, reason=RevokeReason.BY_DATA_PROTECTION_OFFICER)
    messages.success(request, f"API token of {owner.get_username()} revoked")
    return redirect("tokens:all")


@login_required
@require_POST
@access_rule(DPO_ONLY)
def token_dpo_revoke_user(request: HttpRequest, user_id: int) -> HttpResponse:
    viewer = _dpo(request)
    owner = get_object_or_404(User, pk=user_id)
    ended = api_tokens_revoke_all(
        actor=viewer, user=owner, reason=RevokeReason.BY_DATA_PROTECTION_OFFICER
    )
    messages.success(
        request, f"{ended} API token{'s' if ended != 1 else ''} of {owner.get_username()} revoked"
    )
    return redirect("tokens:all")


urlpatterns = (
    [
        path("", token_list, name="list"),
        path("<int:token_id>/revoke/", token_revoke, name="revoke"),
        path("all/", token_all, name="all"),
        path("all/<int:token_id>/revoke/", token_dpo_revoke, name="dpo-revoke"),
        path("all/users/<int:user_id>/revoke/", token_dpo_revoke_user, name="dpo-revoke-user"),
    ],
    "tokens",
)
