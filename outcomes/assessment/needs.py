"""Identified problems become the family's needs (DOMAIN.md 4.2).

One way only: when an assessment writes a new result, the criteria it met are opened as
needs (``plans.plan.services.needs_identified_open``), set-based for the whole chunk and
in the run's actor's name, whether or not the family has a plan yet. A plan started
later begins from those needs; a plan that exists records a version naming any new one
("and any found during the work"). Needs are never closed from here: that is the key
worker's decision.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import orjson
from django.db import connection

from agencies.models import User
from outcomes.frameworks.registry import criterion_label
from outcomes.models import Assessment
from plans.plan.services import IdentifiedNeeds, needs_identified_open


def needs_from_criteria(
    framework: str, criteria: Mapping[str, Mapping[str, Any]]
) -> list[tuple[str, str, list[int]]]:
    """The met criteria as (code, label, people) in the framework's order."""
    return [
        (code, criterion_label(framework, code), [int(p) for p in result.get("people", [])])
        for code, result in criteria.items()
        if result.get("met")
    ]


CHUNK_FAMILIES = 2000


def identified_needs_open(family_ids: Iterable[int], *, actor: User) -> int:
    """Open, as needs, the criteria met by these families' current assessments (the
    most recently assessed framework where a family has several); returns how many
    needs were opened. Per chunk of families: one read and the writes of
    ``needs_identified_open``, however many families are in it."""
    ids = sorted(set(family_ids))
    opened = 0
    for start in range(0, len(ids), CHUNK_FAMILIES):
        opened += _open_for(ids[start : start + CHUNK_FAMILIES], actor=actor)
    return opened


def _open_for(family_ids: list[int], *, actor: User) -> int:
    table = Assessment._meta.db_table
    with connection.cursor() as cursor:
        # Only assessments that met something; the newest per family.
        cursor.execute(
            f"SELECT DISTINCT ON (family_id) family_id, framework, criteria FROM {table} "  # noqa: S608
            "WHERE is_current AND met_count > 0 AND family_id = ANY(%s) "
            "ORDER BY family_id, assessed_at DESC, id DESC",
            [family_ids],
        )
        found = cursor.fetchall()
    identified: dict[int, IdentifiedNeeds] = {}
    for family_id, framework, criteria in found:
        if isinstance(criteria, str):  # the database driver leaves jsonb as text
            criteria = orjson.loads(criteria)
        needs = needs_from_criteria(framework, criteria)
        if needs:
            identified[family_id] = IdentifiedNeeds(framework, needs)
    return len(needs_identified_open(actor=actor, identified=identified))
