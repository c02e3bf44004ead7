"""The member of staff behind a request, for the pages and API views only some roles use."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from rest_framework.request import Request

from agencies.models import AnyUser, User
from agencies.roles import Role


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


def is_data_protection_officer(user: AnyUser) -> bool:
    """An active account whose member of staff holds the data protection officer role.

    The one test behind every DPO-only tool (user activity, emergency access reviews,
    API tokens of others, subject access, retention, the data protection page): being a
    superuser, a system administrator or a programme manager is not enough."""
    if not isinstance(user, User) or not user.is_active:
        return False
    staff = user.staff_or_none
    return staff is not None and staff.has_role(Role.DATA_PROTECTION_OFFICER)
