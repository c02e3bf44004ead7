"""The Swagger UI (/api/docs/) under the site's Content-Security-Policy.

drf-spectacular's ordinary Swagger view puts its start-up script inline, which the
policy (scripts only from this site or with the page's nonce) refuses. The "split" view
serves that script from the same address (``?script=``) instead, so scripts need no
exception. What remains inline is one ``<style>`` block in drf-spectacular's template:
this view alone adds that block's SHA-256 hash to ``style-src``. No 'unsafe-inline'
anywhere. The hash is worked out from the installed template, so an upgrade that changes
the block changes the hash with it.
"""

from __future__ import annotations

import base64
import hashlib
import re
from importlib.resources import files

from csp.decorators import csp_update
from drf_spectacular.views import SpectacularSwaggerSplitView

SWAGGER_TEMPLATE = "templates/drf_spectacular/swagger_ui.html"


def inline_style_hashes() -> list[str]:
    source = files("drf_spectacular").joinpath(SWAGGER_TEMPLATE).read_text(encoding="utf-8")
    return [
        "'sha256-{}'".format(
            base64.b64encode(hashlib.sha256(block.encode("utf-8")).digest()).decode("ascii")
        )
        for block in re.findall(r"<style>(.*?)</style>", source, flags=re.DOTALL)
    ]


api_docs = csp_update({"style-src": inline_style_hashes()})(
    SpectacularSwaggerSplitView.as_view(url_name="api-schema")
)
