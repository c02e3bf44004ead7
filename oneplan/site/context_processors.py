"""Template context every page gets: service name, navigation, demo flag, session timeout."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from agencies.models import Staff, User
from oneplan.site.navigation import navigation_for


def service(request: HttpRequest) -> dict[str, Any]:
    staff: Staff | None = None
    user = getattr(request, "user", None)
    if isinstance(user, User) and user.is_authenticated:
        staff = user.staff_or_none
    path = request.path
    navigation = []
    for item in navigation_for(staff):
        href = reverse(item.url_name)
        navigation.append({"label": item.label, "href": href, "active": path.startswith(href)})
    return {
        "service_name": settings.ONEPLAN_SERVICE_NAME,
        "council_name": settings.ONEPLAN_COUNCIL_NAME,
        "demo_mode": settings.DEMO_MODE,
        "current_staff": staff,
        "service_navigation": navigation,
        # The layout says when a signed-in session ends without activity, and its script
        # warns before then (oneplan.site.sessions).
        "session_idle_seconds": settings.SESSION_COOKIE_AGE,
        "session_idle_minutes": settings.SESSION_COOKIE_AGE // 60,
    }
