"""Text for files people open in a spreadsheet program (CSV and XLSX exports)."""

from __future__ import annotations

from typing import Final

# A cell starting with one of these is run as a formula when the file is opened.
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value: object) -> str:
    """``value`` as a spreadsheet shows it without running it: a text that starts with
    ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a single quote in front
    (OWASP, "CSV injection"), so "=HYPERLINK(...)" arrives as the text it was typed as.
    The one function every text cell of every export goes through."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
