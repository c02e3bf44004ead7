"""Sign-in routes OnePlan adds around django-allauth's."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, re_path

from oneplan.access_rules import PUBLIC, access_rule

# allauth pages OnePlan does not offer. System administrators make accounts and reset
# passwords ("If you cannot sign in, ask your system administrator"), so there is no
# self sign-up, no password reset by email, no sign-in by emailed code and no managing
# email addresses (which would send verification emails).
NOT_OFFERED = ("signup", "email", "confirm-email", "password/reset", "login/code")


@access_rule(PUBLIC + " (always 404)")
def not_offered(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404("OnePlan does not offer this")


def not_offered_patterns(prefix: str) -> list[URLPattern]:
    """Routes under ``prefix`` that answer 404 in place of allauth's."""
    alternatives = "|".join(NOT_OFFERED)
    return [re_path(rf"^{prefix}(?:{alternatives})/", not_offered)]
