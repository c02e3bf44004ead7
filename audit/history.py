"""Write audit for case data: database triggers record every insert, update and delete.

Triggers (django-pghistory), not model signals, so bulk updates, raw SQL and imports are
caught too. The acting user and request come from pghistory's context: the
``HistoryMiddleware`` for web requests, ``pghistory.context(...)`` in jobs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pghistory


def audited() -> Callable[[Any], Any]:
    track: Callable[[Any], Any] = pghistory.track(
        pghistory.InsertEvent(),
        pghistory.UpdateEvent(),
        pghistory.DeleteEvent(),
        append_only=True,
    )
    return track
