"""Writing access events: the record of who read which case data (DOMAIN.md section 7).

Every page, API call, export or download that shows case data calls one of these before
it returns the data. Nothing here swallows errors: an access event that cannot be
written fails the request, because an unrecorded view of special-category data is worse
than an error page.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from agencies.models import AnyUser, User
from audit.models import AccessAction, AccessEvent

# Column widths of AccessEvent, so a long URL never turns into a failed request.
_PATH_MAX = AccessEvent._meta.get_field("path").max_length or 2000


def access_event_record(
    *,
    user: AnyUser | None,
    action: AccessAction | str,
    object_type: str,
    object_id: str | int,
    family_id: int | None = None,
    family_reference: str = "",
    purpose: str = "",
    request: HttpRequest | None = None,
    detail: Mapping[str, Any] | None = None,
) -> AccessEvent:
    """Record that ``user`` read one object (a family, a person, a job's file...).

    Call it before the data leaves the server (before rendering the page or returning
    the API response). If the event cannot be written the exception propagates and the
    request fails: no one may see special-category data without a record of it. The
    event is written in the caller's transaction, so a request that rolls back its own
    transaction also rolls back the record; that is safe only because the data is then
    not shown.

    ``user`` is None (or anonymous) for the system. ``purpose`` is the reason the user
    gave, where they gave one (break-glass access, an export). ``request`` supplies the
    client's IP address, the request id (audit.middleware.RequestIdMiddleware) and the
    path.
    """
    event = AccessEvent(
        user=_user_or_none(user),
        action=AccessAction(action).value,
        object_type=object_type,
        object_id=str(object_id),
        family_id=family_id,
        family_reference=family_reference,
        purpose=purpose,
        detail=dict(detail or {}),
        **_request_fields(request),
    )
    event.save(force_insert=True)
    return event


def access_events_record_many(
    *,
    user: AnyUser | None,
    family_ids: Iterable[int],
    family_references: Iterable[str] = (),
    object_type: str = "family",
    filters: Mapping[str, Any] | None = None,
    purpose: str = "",
    request: HttpRequest | None = None,
    detail: Mapping[str, Any] | None = None,
) -> AccessEvent:
    """Record that ``user`` saw a list (or search results) of many families: ONE event.

    A list page writes one ``list`` event naming every family it showed, not one event
    per family: a page of 50 families costs one insert, and the event still answers
    "who has seen this family?" (``detail["families"]`` holds their ids and is indexed;
    see selectors.access_events_for_family). Opening a family from the list or from
    search results is a separate event (``access_event_record`` with ``view`` or
    ``search_result_opened``).

    An empty result is recorded too: what someone searched for is part of the record.
    Like ``access_event_record``, a failure fails the request.
    """
    body: dict[str, Any] = dict(detail or {})
    body["families"] = [int(pk) for pk in family_ids]
    references = list(family_references)
    if references:
        body["family_references"] = references
    body["filters"] = dict(filters or {})
    return access_event_record(
        user=user,
        action=AccessAction.LIST,
        object_type=object_type,
        object_id="",
        purpose=purpose,
        request=request,
        detail=body,
    )


def access_refused_record(
    *, user: AnyUser, family_id: int, family_reference: str, request: HttpRequest
) -> AccessEvent:
    """Record that ``user`` asked for a family outside their access and was answered 404.

    Written by one caller for every page and API route (families.access.access_log, after
    the response), never by views. Nothing was shown, so there is no purpose; the page
    asked for (its URL name) and the method go in the detail, so the log can say "tried
    to open the case notes" rather than a path. Anonymous requests are not recorded:
    they are sent to sign in before any family is looked up.
    """
    match = getattr(request, "resolver_match", None)
    return access_event_record(
        user=user,
        action=AccessAction.REFUSED,
        object_type="family",
        object_id=family_id,
        family_id=family_id,
        family_reference=family_reference,
        request=request,
        detail={
            "route": match.view_name if match is not None else "",
            "method": request.method or "",
        },
    )


def _user_or_none(user: AnyUser | None) -> User | None:
    if isinstance(user, User) and user.is_authenticated:
        return user
    return None


def _request_fields(request: HttpRequest | None) -> dict[str, Any]:
    if request is None:
        return {"ip_address": None, "request_id": "", "path": ""}
    return {
        "ip_address": client_ip(request),
        "request_id": str(getattr(request, "request_id", "") or ""),
        "path": request.path[:_PATH_MAX],
    }


def client_ip(request: HttpRequest) -> str | None:
    """The client's IP address, or None if it is not a valid address.

    REMOTE_ADDR unless ``ONEPLAN_TRUSTED_PROXY_COUNT`` says how many proxies of ours
    stand in front of the service; then the address the outermost of them saw, counted
    from the right of X-Forwarded-For. Entries further left were written by the client
    and could say anything, so they are never used.
    """
    remote = str(request.META.get("REMOTE_ADDR", ""))
    trusted = int(getattr(settings, "ONEPLAN_TRUSTED_PROXY_COUNT", 0) or 0)
    if trusted > 0:
        forwarded = [
            part.strip()
            for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
            if part.strip()
        ]
        # Fewer entries than proxies means the request did not come through them all.
        if len(forwarded) >= trusted:
            from_proxy = _valid_ip(forwarded[-trusted])
            if from_proxy is not None:
                return from_proxy
    return _valid_ip(remote)


def _valid_ip(text: str) -> str | None:
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.scope_id:
        return None  # PostgreSQL's inet type has no zone ids ("fe80::1%eth0")
    return str(address)
