"""The address of a set-up link, for the page and the API that show it once."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse


def set_up_link_url(request: HttpRequest, token: str) -> str:
    """The service's public address (``BASE_URL``, as in reminder emails) when it is set,
    so the link works wherever the administrator opened the page; else this request's."""
    path = reverse("account-set-up", args=[token])
    base = str(getattr(settings, "ONEPLAN_BASE_URL", "") or "").rstrip("/")
    return f"{base}{path}" if base else request.build_absolute_uri(path)
