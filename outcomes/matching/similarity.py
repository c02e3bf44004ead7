"""Edit distance between two short strings (names, dates written as digits).

The optimal string alignment distance: insertions, deletions, substitutions, and swaps
of two neighbouring characters ("Jonh" for "John") each count as one edit. Computed by
RapidFuzz (C++), which stops early once the distance passes the limit asked about.
"""

from __future__ import annotations

from rapidfuzz.distance import OSA


def osa_distance(first: str, second: str) -> int:
    """Optimal string alignment distance (restricted Damerau-Levenshtein)."""
    return int(OSA.distance(first, second))


def within_edits(first: str, second: str, limit: int) -> bool:
    """True when ``osa_distance(first, second) <= limit``, found cheaply."""
    if abs(len(first) - len(second)) > limit:
        return False
    return int(OSA.distance(first, second, score_cutoff=limit)) <= limit
