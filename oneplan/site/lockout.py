"""Lockout: whom axes counts failures against, and what a locked-out person sees.

``AXES_USERNAME_CALLABLE`` points at ``lockout_username``, ``AXES_LOCKOUT_CALLABLE`` at
``lockout_response``. Browsers get a GOV.UK page saying when they can try again; the API
gets JSON with the same facts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from axes.conf import settings as axes_settings
from axes.helpers import get_cool_off
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from oneplan.dates import govuk_time

LOCKOUT_STATUS = 429


def lockout_username(
    request: HttpRequest | None, credentials: Mapping[str, Any] | None = None
) -> str | None:
    """The username a sign-in attempt counts against: the typed one, lower-cased.

    Sign-in ignores case: allauth finds the account whose username equals the typed one
    once both are lower-cased (``str.lower``), so "KeyWorker", "KEYWORKER" and "keyworker"
    are one person. Counting them as one is what makes 5 failures a lockout whatever
    mixture of spellings they use, and what stops a correct password typed as "KEYWORKER"
    getting past (or clearing) the lockout of "keyworker". Spaces around the name are
    dropped as the sign-in form drops them.

    Every way in (the sign-in page, the admin, which uses it, and the API token endpoint)
    reaches axes through ``authenticate``, so this one function covers them all.
    """
    field = str(axes_settings.AXES_USERNAME_FORM_FIELD)
    if credentials:
        raw = credentials.get(field)
    else:
        # axes' own fallback when it has no credentials: the posted form.
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        raw = data.get(field)
    if not isinstance(raw, str):
        return None
    return raw.strip().lower()


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    cool_off = get_cool_off(request)
    # Every refused attempt restarts the cool-off (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_
    # LOCKOUT), so it runs from now.
    until = timezone.localtime(timezone.now() + cool_off)
    minutes = int(cool_off.total_seconds() // 60)
    if request.path.startswith("/api/"):
        return JsonResponse(
            {
                "detail": (
                    "Too many failed sign-in attempts. "
                    f"Try again in {minutes} minutes, after {govuk_time(until)} UK time."
                ),
                "retry_after": until.isoformat(),
            },
            status=LOCKOUT_STATUS,
            headers={"Retry-After": str(int(cool_off.total_seconds()))},
        )
    return render(
        request,
        "account/lockout.html",
        {"try_again_at": govuk_time(until), "minutes": minutes},
        status=LOCKOUT_STATUS,
    )
