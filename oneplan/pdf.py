"""Text for PDFs drawn with fpdf2's built-in fonts, shared by every PDF OnePlan makes
(plans, LCG minutes, subject access bundles)."""

from __future__ import annotations

import unicodedata

# Typographic characters people paste from word processors, and plain equivalents.
_PLAIN = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
        "\u2022": "*",
        "\u00a0": " ",
        "\u0141": "L",
        "\u0142": "l",
        "\u0110": "D",
        "\u0111": "d",
        "\u0152": "OE",
        "\u0153": "oe",
    }
)


def pdf_text(text: str) -> str:
    """Text the built-in font can draw: Latin-1 as it is, other letters without their
    accents, anything else as "?"."""
    text = unicodedata.normalize("NFC", text.translate(_PLAIN))
    out: list[str] = []
    for char in text:
        if ord(char) < 256:
            out.append(char)
            continue
        base = "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        )
        out.append(base if base and all(ord(c) < 256 for c in base) else "?")
    return "".join(out)
