"""Two-step verification is required: no authenticator app, no service.

With ``settings.ONEPLAN_REQUIRE_MFA`` (always on in production), a signed-in user who has
not set up an authenticator app is sent to set one up from every page, and the API
answers 403 to their session. Exempt: the set-up pages themselves (and the password or
code check allauth may ask for before them), sign-out, health checks, static files and
the public accessibility and privacy pages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

API_MESSAGE = "Set up two-step verification before using the API"
PAGE_MESSAGE = "You need to set up two-step verification before you can use OnePlan"

# URL names a user without an authenticator app may still open.
EXEMPT_URL_NAMES = frozenset(
    {
        "mfa_activate_totp",
        "mfa_index",
        "mfa_view_recovery_codes",
        "mfa_download_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_reauthenticate",
        "account_reauthenticate",
        "account_change_password",
        "logout",
        "account_logout",
        "account_inactive",
        # The timeout warning's "Stay signed in", from the set-up pages too.
        "session-keep-alive",
        "healthz",
        "readyz",
        "accessibility",
        "privacy",
    }
)


def has_authenticator_app(user: Any) -> bool:
    return bool(
        Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()
    )


class RequireMFAMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        if not settings.ONEPLAN_REQUIRE_MFA:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        match = request.resolver_match
        if match is not None and match.url_name in EXEMPT_URL_NAMES:
            return None
        if request.path.startswith(settings.STATIC_URL):
            return None
        if has_authenticator_app(user):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": API_MESSAGE}, status=403)
        messages.warning(request, PAGE_MESSAGE)
        url = reverse("mfa_activate_totp")
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(url)
        return redirect(url)
