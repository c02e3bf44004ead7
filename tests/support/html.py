"""Test helpers for reading pages' HTML."""

from __future__ import annotations


def kept(word: str) -> str:
    """How a page writes a word that must not break across lines (a family reference):
    the markup ``nowrap_within`` gives it."""
    return f'<span class="app-nowrap">{word}</span>'
