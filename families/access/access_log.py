"""What the access log (the ``audit`` app) needs from the family access policy.

Audit imports no case app (docs/decisions/0005), so this module answers for it:

- ``family_names_for_user``: the names of the families a reader of the log may see, so
  an access event reads "Plan for Blackburn family, F-000666" rather than "Plan 282"
  (the name ``families.naming`` gives page headings).
  Registered with ``audit.labels.register_family_names`` in ``FamiliesConfig.ready()``.
- ``RefusedFamilyMiddleware``: records every request for a family outside the user's
  access. Pages and API routes answer such a request 404, the same as a missing family,
  from the one fetch-with-check they call (``family_get_for_user_or_404``,
  ``family_access_for_user_or_404``...); this records it once, after the response, for
  all of them, so no view has to.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from django.http import HttpRequest, HttpResponse

from agencies.models import AnyUser, User
from audit.services import access_refused_record
from families.access.access import family_scope
from families.models import Family
from families.naming import SURNAME, family_surname_subquery

# Every page and API route about one family names it by this URL keyword (and only
# those routes use it): /families/<reference>/..., /api/families/<reference>/...
FAMILY_URL_KEYWORD = "reference"


def family_names_for_user(user: AnyUser, family_ids: Collection[int]) -> dict[int, str]:
    """The name each family is known by (``families.naming``, as page headings name
    it), for those of ``family_ids`` that ``user`` may see (``family_scope``). A family
    with no one in it has no name here. One query."""
    if not family_ids:
        return {}
    rows = (
        Family.objects.filter(family_scope(user), pk__in=list(family_ids))
        .annotate(**{SURNAME: family_surname_subquery()})
        .values_list("pk", SURNAME)
    )
    return {pk: name for pk, name in rows if name}


def refused_family(user: AnyUser, reference: str) -> Family | None:
    """The family ``reference`` names, if there is one and it is outside ``user``'s
    access; None when there is no such family (a typing mistake is not a refusal) or
    the user may see it (their 404 was about something else: a plan not started, a
    review that does not exist)."""
    family = Family.objects.filter(reference=reference).only("pk", "reference").first()
    if family is None:
        return None
    if Family.objects.filter(family_scope(user), pk=family.pk).exists():
        return None
    return family


class RefusedFamilyMiddleware:
    """After a 404 to a signed-in user on a route about one family, records the request
    as refused (``audit.services.access_refused_record``) when the family exists and is
    outside their access.

    After the response, so it sees what every page and the API answered, and outside
    the view's transaction, so the record stays whatever the view rolled back. Place it
    after AuthenticationMiddleware. The API signs its users in inside the view; DRF puts
    the user on the request then, so it is there by the time the response comes back.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 404:
            refused_request_record(request)
        return response


def refused_request_record(request: HttpRequest) -> None:
    """Record ``request`` (answered 404) as refused, if it asked for a family outside
    the signed-in user's access."""
    match = getattr(request, "resolver_match", None)
    reference = match.kwargs.get(FAMILY_URL_KEYWORD) if match is not None else None
    user = getattr(request, "user", None)
    if not isinstance(reference, str) or not isinstance(user, User):
        return
    if not user.is_authenticated:
        return
    family = refused_family(user, reference)
    if family is not None:
        access_refused_record(
            user=user, family_id=family.pk, family_reference=family.reference, request=request
        )
