"""Every route declares its access rule; a new route without one fails this test.

Library routes are allowed here by name, each with the reason it is safe.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

# Routes from libraries, which cannot carry our decorator, and why each is safe.
LIBRARY_ROUTES: dict[str, str] = {
    "admin": "Django admin: staff accounts only; case data read-only to DPO/PM roles",
    "account": "django-allauth sign-in, sign-out, MFA and password pages",
    "mfa": "django-allauth MFA pages (the account owner only)",
    "login": "sign-in page",
    "logout": "sign-out (POST)",
    "api-root": "DRF's list of API endpoints: names only, needs sign-in",
    "api-schema": "OpenAPI schema: needs sign-in (SERVE_PERMISSIONS)",
    "api-docs": "Swagger UI: needs sign-in (SERVE_PERMISSIONS)",
    "api-token": "token sign-in for the API, behind the same lockout as the site",
}


def _walk(
    patterns: list[Any], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, Any]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name or ""
            yield prefix + str(entry.pattern), name, entry.callback


def _rule(callback: Any) -> str | None:
    for candidate in (
        callback,
        getattr(callback, "cls", None),
        getattr(callback, "view_class", None),
    ):
        rule = getattr(candidate, "access_rule", None)
        if rule:
            return str(rule)
    return None


def _library_reason(route: str, name: str) -> str | None:
    for key, reason in LIBRARY_ROUTES.items():
        if name == key or name.startswith(f"{key}:") or name.startswith(f"{key}_"):
            return reason
        if route.startswith(f"{key}/") or route.startswith(f"^{key}/"):
            return reason
    return None


def test_every_route_declares_an_access_rule() -> None:
    missing = []
    routes = list(_walk(get_resolver().url_patterns))
    for route, name, callback in routes:
        if _rule(callback) is None and _library_reason(route, name) is None:
            missing.append(f"{route} ({name or 'unnamed'})")
    assert len(routes) > 30
    assert missing == [], "Routes without an access rule:\n" + "\n".join(missing)


def test_the_check_notices_an_undeclared_route() -> None:
    # The check must be able to fail: a plain view has no rule.
    def undeclared(request: Any) -> None: ...

    assert _rule(undeclared) is None
    assert _library_reason("families/new-thing/", "families:new-thing") is None
