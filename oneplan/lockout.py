"""What a person sees when axes has locked their username out from their IP address.

``AXES_LOCKOUT_CALLABLE`` points here. Browsers get a GOV.UK page saying when they can
try again; the API gets JSON with the same facts.
"""

from __future__ import annotations

import datetime
from typing import Any

from axes.helpers import get_cool_off
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

LOCKOUT_STATUS = 429


def govuk_time(moment: datetime.datetime) -> str:
    """GOV.UK style: "9:15am", "4:30pm", "midday", "midnight"."""
    if (moment.hour, moment.minute) == (12, 0):
        return "midday"
    if (moment.hour, moment.minute) == (0, 0):
        return "midnight"
    hour = moment.hour % 12 or 12
    return f"{hour}:{moment.minute:02d}{'am' if moment.hour < 12 else 'pm'}"


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
                    f"Try again in {minutes} minutes, after {until:%H:%M} UK time."
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
