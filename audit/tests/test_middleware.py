"""Request ids: a proxy's safe id is kept, anything else is replaced."""

from __future__ import annotations

import re

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from audit.middleware import RequestIdMiddleware

NEW_ID = re.compile(r"[0-9a-f]{32}")


def _run(header: str | None) -> tuple[HttpRequest, HttpResponse]:
    seen: list[HttpRequest] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(request)
        return HttpResponse("ok")

    extra = {} if header is None else {"HTTP_X_REQUEST_ID": header}
    response = RequestIdMiddleware(view)(RequestFactory().get("/", **extra))
    return seen[0], response


@pytest.mark.parametrize(
    "header", ["abc-123", "3f2a9c1e.b_7", "A" * 64, "b5e3d1c0f9a84d2e8c7b6a5f4e3d2c1b"]
)
def test_a_safe_incoming_id_is_kept(header: str) -> None:
    request, response = _run(header)
    assert request.request_id == header
    assert response["X-Request-ID"] == header


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "A" * 65,
        "abc def",
        "abc\n",
        "abc\r\nSet-Cookie: x=1",
        "<script>",
        "id;drop",
        "ünïcode",
    ],
)
def test_a_missing_or_unsafe_id_is_replaced(header: str | None) -> None:
    request, response = _run(header)
    request_id = request.request_id
    assert NEW_ID.fullmatch(request_id)
    assert response["X-Request-ID"] == request_id


def test_each_request_gets_its_own_new_id() -> None:
    first, _ = _run(None)
    second, _ = _run(None)
    assert first.request_id != second.request_id
