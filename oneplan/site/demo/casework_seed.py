"""The demo's case-work step: evidence and case work for every seeded family, written
chunk by chunk (``oneplan.site.demo.casework``'s generator, ``casework_store``'s writes)."""

from __future__ import annotations

import datetime
import random

from oneplan.site.demo.casework import CaseworkGenerator
from oneplan.site.demo.casework_data import CHUNK
from oneplan.site.demo.casework_store import (
    COPY_ORDER,
    THROUGH_COLUMNS,
    families_read,
    feed_counts_record,
)
from outcomes.models import FeedSubmission


def casework_copied_tables() -> list[str]:
    """Tables this module fills with ``COPY`` (and reads nothing back from meanwhile)."""
    return [model._meta.db_table for model in COPY_ORDER] + list(THROUGH_COLUMNS)


def casework_tables() -> list[str]:
    """Tables this module writes: the seed switches their history triggers off too, and
    empties them (feed submissions too) when it replaces the demo."""
    return [*casework_copied_tables(), FeedSubmission._meta.db_table]


def seed_casework(
    *, seed: int, today: datetime.date, actor_id: int, labels: dict[str, str]
) -> tuple[dict[str, int], list[int]]:
    """Write evidence and case work for every family; return rows per table and the
    ids of the plans made (their first version is recorded by the caller)."""
    generator = CaseworkGenerator(
        rng=random.Random(seed * 7919 + 1), today=today, actor_id=actor_id
    )
    plan_ids: list[int] = []
    after = 0
    while True:
        families = families_read(after, CHUNK)
        if not families:
            break
        plan_ids += generator.write(families, labels)
        after = families[-1].pk
    # What the feeds page shows for each: the rows it brought in.
    feed_counts_record(list(generator.submissions.values()))
    generator.counts[FeedSubmission._meta.db_table] = len(generator.submissions)
    return dict(generator.counts), plan_ids
