"""Gives every request an id that ties its log lines and access events together."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "X-Request-ID"

# A proxy's id is kept only if it is short and plain: it is written to the audit log and
# echoed in a response header, so nothing that could split a header or a log line.
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def request_id_from_header(value: str | None) -> str:
    """The incoming id if it is safe to keep, otherwise a new random one."""
    if value and _SAFE_REQUEST_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Sets ``request.request_id`` and returns it in the ``X-Request-ID`` header.

    Put it first in MIDDLEWARE so every later middleware, view and error page sees the id.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from_header(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id  # type: ignore[attr-defined]
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response
