"""The Content-Security-Policy nonce for templates, as ``{{ csp_nonce }}``.

django-csp's own context processor offers ``CSP_NONCE`` as a lazy object that is falsy
until something reads it, so ``{% if csp_nonce %}`` in templates/base.html would never
be true. Reading it here makes the middleware put the nonce in the header too.
"""

from __future__ import annotations

from django.http import HttpRequest


def nonce(request: HttpRequest) -> dict[str, str]:
    value = getattr(request, "csp_nonce", None)
    return {"csp_nonce": str(value) if value is not None else ""}
