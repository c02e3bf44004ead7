"""The member of staff behind a request, for the pages and API views only some roles use."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from rest_framework.request import Request

from agencies.models import User


def request_user_or_403(
    request: HttpRequest | Request, allowed: Callable[[User], bool], why: str
) -> User:
    """The request's user, when the policy ``allowed`` lets them in; otherwise
    ``PermissionDenied`` with ``why``, which a page and the API both answer with 403.

    Only for views behind sign-in (``login_required``, or the API's authentication), so
    the user is always a signed-in account here."""
    user = request.user
    assert isinstance(user, User)
    if not allowed(user):
        raise PermissionDenied(why)
    return user
