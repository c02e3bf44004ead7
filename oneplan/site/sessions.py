"""How long a signed-in session lasts, and which sessions belong to whom.

- Idle: ``SESSION_COOKIE_AGE`` (30 minutes) without a request ends the session. The
  cookie and the stored session expire then too; this check also holds if a stored
  session outlives its expiry (a cache that keeps keys, a clock that moved).
- Absolute: ``ONEPLAN_SESSION_MAX_AGE`` (12 hours) after signing in the session ends
  however active it was, so a shared computer left signed in does not stay signed in.
- Every session a user signs in with is recorded (``agencies.UserSession``) so that
  ``agencies.services.user_deactivate`` can end them all at once.

Ending a session signs the user out with the message "Your session has ended: sign in
again", and sends pages to the sign-in page. The API carries on as not signed in, so it
answers 403 as for anyone else.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils import timezone
from django_htmx.http import HttpResponseClientRedirect

from agencies.models import UserSession

SIGNED_IN_AT = "oneplan.signed_in_at"
LAST_SEEN_AT = "oneplan.last_seen_at"
RECORDED_KEY = "oneplan.recorded_session_key"
ENDED_MESSAGE = "Your session has ended: sign in again"


class SessionLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and self._expired(request):
            logout(request)
            messages.info(request, ENDED_MESSAGE)
            if not request.path.startswith("/api/"):
                if getattr(request, "htmx", False):
                    return HttpResponseClientRedirect(resolve_url(settings.LOGIN_URL))
                return redirect_to_login(request.get_full_path())
        response = self.get_response(request)
        self._stamp(request)
        return response

    @staticmethod
    def _expired(request: HttpRequest) -> bool:
        now = time.time()
        session = request.session
        signed_in_at = session.get(SIGNED_IN_AT)
        last_seen_at = session.get(LAST_SEEN_AT)
        if isinstance(signed_in_at, int | float) and (
            now - signed_in_at > settings.ONEPLAN_SESSION_MAX_AGE
        ):
            return True
        return isinstance(last_seen_at, int | float) and (
            now - last_seen_at > settings.SESSION_COOKIE_AGE
        )

    @staticmethod
    def _stamp(request: HttpRequest) -> None:
        """After the view (which may have just signed someone in): note the times, and
        record the session against its user once per session key."""
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if user is None or session is None or not user.is_authenticated:
            return
        now = time.time()
        session.setdefault(SIGNED_IN_AT, now)
        session[LAST_SEEN_AT] = now
        key = session.session_key
        if key and session.get(RECORDED_KEY) != key:
            # A session cannot outlive ONEPLAN_SESSION_MAX_AGE: older rows end nothing.
            oldest = timezone.now() - datetime.timedelta(seconds=settings.ONEPLAN_SESSION_MAX_AGE)
            UserSession.objects.filter(user_id=user.pk, created_at__lt=oldest).delete()
            UserSession.objects.get_or_create(session_key=key, defaults={"user_id": user.pk})
            session[RECORDED_KEY] = key
