"""Helpers for browser tests: where Chromium is, and axe-core accessibility checks."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"

# The machine has no network beyond package registries: stop Chromium phoning home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe-core (WCAG 2.x A and AA rules) on the page and return its violations.

    One finding is GOV.UK Frontend's on purpose and is not counted: its radios with a
    conditional reveal carry ``aria-expanded``, which ARIA does not list for radios, but
    screen readers announce it and GOV.UK keeps it (govuk-frontend issue 979, a known
    issue of the component). Only that attribute, on such a radio."""
    # Evaluated through the DevTools protocol rather than added as a <script>: pages send
    # a Content-Security-Policy that (rightly) refuses inline scripts without its nonce.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {
                runOnly: {type: 'tag',
                          values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}
            });
            const govukReveal = (v, n) => {
                const why = n.failureSummary || '';
                return v.id === 'aria-allowed-attr'
                    && n.html.startsWith('<input class="govuk-radios__input"')
                    && n.html.includes(' aria-controls="')
                    && /not allowed: aria-expanded="(true|false)"\\s*$/.test(why)
                    && (why.match(/not allowed/g) || []).length === 1;
            };
            return r.violations
                .map(v => ({id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.filter(n => !govukReveal(v, n))
                        .map(n => n.target.join(' '))}))
                .filter(v => v.nodes.length > 0);
        }"""
    )
    assert isinstance(result, list)
    return result


def assert_accessible(page: Page) -> None:
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, indent=2)
