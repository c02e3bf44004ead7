"""Your account: password, two-step verification, recovery codes, API tokens, signing
out everywhere, and keeping a session alive from the timeout warning.

Every signed-in user has these, for their own account only.
"""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

from agencies.api_tokens import api_token_list_for_user
from agencies.models import User
from agencies.roles import Role
from agencies.services import user_sign_out_everywhere
from oneplan.access_rules import access_rule

OWN_ACCOUNT = "any signed-in user: their own account only"


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _recovery_codes_left(user: User) -> tuple[int, int] | None:
    authenticator = Authenticator.objects.filter(
        user_id=user.pk, type=Authenticator.Type.RECOVERY_CODES
    ).first()
    if authenticator is None:
        return None
    codes = authenticator.wrap()
    return len(codes.get_unused_codes()), len(codes.generate_codes())


@login_required
@require_GET
@access_rule(OWN_ACCOUNT)
def your_account(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    staff = user.staff_or_none
    role_names = dict(Role.choices)
    return render(
        request,
        "oneplan/your_account.html",
        {
            "account": user,
            "staff": staff,
            "roles": [role_names.get(role, role) for role in staff.roles] if staff else [],
            "authenticator_app": Authenticator.objects.filter(
                user_id=user.pk, type=Authenticator.Type.TOTP
            ).first(),
            "recovery_codes": _recovery_codes_left(user),
            "api_tokens": api_token_list_for_user(user).count(),
            "idle_minutes": settings.SESSION_COOKIE_AGE // 60,
            "max_age_hours": settings.ONEPLAN_SESSION_MAX_AGE // 3600,
        },
    )


@login_required
@require_POST
@access_rule(OWN_ACCOUNT)
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    """Ends every other session and every API token of the user; this session stays."""
    signed_out = user_sign_out_everywhere(
        actor=_user(request), keep_session_key=request.session.session_key
    )
    sessions = signed_out.sessions
    tokens = signed_out.tokens
    messages.success(
        request,
        f"You have been signed out everywhere else: {sessions} other "
        f"session{'s' if sessions != 1 else ''} and {tokens} API "
        f"token{'s' if tokens != 1 else ''} ended",
    )
    return redirect("your-account")


@login_required
@require_GET
@access_rule(OWN_ACCOUNT + " (keeps their session going; answers 204)")
def keep_alive(request: HttpRequest) -> HttpResponse:
    # Any request restarts the idle time (SESSION_SAVE_EVERY_REQUEST); this one shows
    # nothing, for the "Stay signed in" button of the timeout warning.
    return HttpResponse(status=204)


urlpatterns = [
    path("", your_account, name="your-account"),
    path("sign-out-everywhere/", sign_out_everywhere, name="sign-out-everywhere"),
    path("keep-alive/", keep_alive, name="session-keep-alive"),
]
