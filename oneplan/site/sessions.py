"""How long a signed-in session lasts, and which sessions belong to whom.

- Idle: ``SESSION_COOKIE_AGE`` (30 minutes) without a request ends the session. The
  cookie and the stored session expire then too; this check also holds if a stored
  session outlives its expiry (a cache that keeps keys, a clock that moved).
- Absolute: ``ONEPLAN_SESSION_MAX_AGE`` (12 hours) after signing in the session ends
  however active it was, so a shared computer left signed in does not stay signed in.
- Every session a user signs in with is recorded (``agencies.UserSession``) so that
  ``agencies.services.user_deactivate`` can end them all at once.

Ending a session signs the user out and sends pages to the sign-in page, which says why:
"You were signed out because you were inactive for 30 minutes", "... because you had
been signed in for 12 hours", or, for a session ended from elsewhere (signing out
everywhere, deactivation), "Your session has ended: sign in again". The API carries on
as not signed in, so it answers 403 as for anyone else.

A browser drops the session cookie itself once it is idle for ``SESSION_COOKIE_AGE``, so
the next request arrives with no session at all. To still say why, each signed-in
response also sets ``IDLE_UNTIL_COOKIE``: a signed note of when the session will end
if nothing else happens, which outlives the session cookie and holds nothing else.
Signing out deletes it.
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
IDLE_MESSAGE = "You were signed out because you were inactive for {minutes} minutes"
MAX_AGE_MESSAGE = "You were signed out because you had been signed in for {hours} hours"
IDLE_UNTIL_COOKIE = "oneplan_idle_until"
_COOKIE_SALT = "oneplan.site.sessions.idle_until"


def idle_message() -> str:
    return IDLE_MESSAGE.format(minutes=settings.SESSION_COOKIE_AGE // 60)


class SessionLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        is_api = request.path.startswith("/api/")
        ended = self._ended_because(request) if user is not None and user.is_authenticated else ""
        if ended:
            logout(request)
            messages.info(request, ended)
            # The sign-in page itself (where the timeout warning sends a page) shows the
            # message as it is, keeping its own "next".
            if not is_api and request.path != resolve_url(settings.LOGIN_URL):
                if getattr(request, "htmx", False):
                    response: HttpResponse = HttpResponseClientRedirect(
                        resolve_url(settings.LOGIN_URL)
                    )
                else:
                    response = redirect_to_login(request.get_full_path())
                response.delete_cookie(IDLE_UNTIL_COOKIE)
                return response
        elif user is not None and not user.is_authenticated and not is_api:
            self._explain_sign_out(request)
        response = self.get_response(request)
        self._stamp(request)
        if not is_api:
            self._note_idle_until(request, response)
        return response

    @staticmethod
    def _ended_because(request: HttpRequest) -> str:
        """Why the signed-in session has ended, or "" while it has not."""
        now = time.time()
        session = request.session
        signed_in_at = session.get(SIGNED_IN_AT)
        last_seen_at = session.get(LAST_SEEN_AT)
        if isinstance(signed_in_at, int | float) and (
            now - signed_in_at > settings.ONEPLAN_SESSION_MAX_AGE
        ):
            return MAX_AGE_MESSAGE.format(hours=settings.ONEPLAN_SESSION_MAX_AGE // 3600)
        if isinstance(last_seen_at, int | float) and (
            now - last_seen_at > settings.SESSION_COOKIE_AGE
        ):
            return idle_message()
        return ""

    @staticmethod
    def _explain_sign_out(request: HttpRequest) -> None:
        """A visitor who is not signed in but whose browser was, until recently: say why
        (once; the note is deleted with this response)."""
        idle_until = request.get_signed_cookie(IDLE_UNTIL_COOKIE, default=None, salt=_COOKIE_SALT)
        if idle_until is None:
            return
        try:
            ends = float(idle_until)
        except ValueError:
            return
        messages.info(request, idle_message() if time.time() >= ends else ENDED_MESSAGE)

    @staticmethod
    def _note_idle_until(request: HttpRequest, response: HttpResponse) -> None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response.set_signed_cookie(
                IDLE_UNTIL_COOKIE,
                str(int(time.time()) + settings.SESSION_COOKIE_AGE),
                salt=_COOKIE_SALT,
                max_age=settings.ONEPLAN_SESSION_MAX_AGE,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        elif IDLE_UNTIL_COOKIE in request.COOKIES:
            response.delete_cookie(IDLE_UNTIL_COOKIE)

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
