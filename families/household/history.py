"""Reading the write history of any audited record: who changed what, when, from what to
what, and why.

Generic over a pghistory event model (the ``<Model>Event`` tables the ``@audited()``
triggers fill) and a list of the fields to show with their labels, so every record type
(a person, an address, a plan, a grant) and every reader (a record's "Changes" page, the
subject access bundle) reads history the same way. It imports nothing of the families
app: only Django, pghistory's event rows and the user model.

The caller decides who may see what: it passes only records the viewer may see, says
which of them have restricted fields to withhold, and supplies the reasons recorded for
the changes (``families.household.models.RecordCorrection`` for household records).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from agencies.models import User

WITHHELD = "Withheld: restricted information"
EMPTY = "Not recorded"
ACTIONS = {"insert": "Added", "update": "Changed", "delete": "Removed"}
# Writes outside any person's request (feeds, matching, the demo seeder).
NO_USER = "OnePlan (automatic)"


def _text(value: Any) -> str:
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


@dataclass(frozen=True)
class TrackedField:
    """A field of the record to show: its name on the event model (``attname``, so
    ``address_id`` for a foreign key), its label, how a value is written for people, and
    whether it is restricted information."""

    name: str
    label: str
    display: Callable[[Any], str] = _text
    restricted: bool = False


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str
    withheld: bool = False


@dataclass(frozen=True)
class RecordChange:
    """One write to one record, with every shown field it changed."""

    at: datetime.datetime
    record_type: str
    record_id: int
    record: str
    action: str
    by: str
    reason: str
    changes: list[FieldChange] = field(default_factory=list)
    event_id: int = 0


ReasonKey = tuple[uuid.UUID, int]


def record_changes(
    event_model: type[models.Model],
    object_ids: Collection[int],
    fields: Sequence[TrackedField],
    *,
    record_type: str,
    record_name: Callable[[int, Mapping[str, Any]], str],
    withhold: Callable[[int, Sequence[Mapping[str, Any]]], bool] = lambda _id, _rows: False,
    reasons: Mapping[ReasonKey, str] | None = None,
) -> list[RecordChange]:
    """Every recorded write to the records ``object_ids`` of ``event_model``, oldest
    first, each with the shown ``fields`` it changed (old and new values). A write that
    changed none of them (only a timestamp, say) is left out.

    ``record_name(id, latest values)`` names the record on each change; ``withhold(id,
    every version's values)`` says whether that record's restricted fields are withheld
    from the viewer (their values read "Withheld"); ``reasons`` maps (pghistory context
    id, record id) to the reason recorded for the write. Two queries, however long the
    history: the events with their contexts, and the names of the people who wrote them.
    """
    ids = sorted(set(object_ids))
    if not ids:
        return []
    events = list(
        event_model.objects.filter(pgh_obj_id__in=ids)  # type: ignore[attr-defined]
        .select_related("pgh_context")
        .order_by("pgh_obj_id", "pgh_id")
    )
    names = _writers(events)
    by_object: dict[int, list[Any]] = {}
    for event in events:
        by_object.setdefault(event.pgh_obj_id, []).append(event)
    found: list[RecordChange] = []
    reasons = reasons or {}
    for object_id, rows in by_object.items():
        values = [{f.name: getattr(e, f.name, None) for f in fields} for e in rows]
        hidden = withhold(object_id, values)
        name = record_name(object_id, values[-1])
        previous: Mapping[str, Any] | None = None
        for event, current in zip(rows, values, strict=True):
            changes = _changed(fields, previous, current, event.pgh_label, hidden)
            previous = current
            if not changes and event.pgh_label == "update":
                continue
            context = event.pgh_context
            found.append(
                RecordChange(
                    at=event.pgh_created_at,
                    record_type=record_type,
                    record_id=object_id,
                    record=name,
                    action=ACTIONS.get(event.pgh_label, event.pgh_label),
                    by=_by(context, names),
                    reason=reasons.get((context.id, object_id), "") if context else "",
                    changes=changes,
                    event_id=event.pgh_id,
                )
            )
    found.sort(key=lambda c: (c.at, c.event_id))
    return found


def record_version(event_model: type[models.Model], object_id: int) -> int:
    """The version of a record a reader saw: the id of its latest history row, which
    every write (a page's, a feed's, raw SQL) moves on. 0 when it has no history."""
    latest = (
        event_model.objects.filter(pgh_obj_id=object_id)  # type: ignore[attr-defined]
        .order_by("-pgh_id")
        .values_list("pgh_id", flat=True)
        .first()
    )
    return int(latest or 0)


@dataclass(frozen=True)
class LastWrite:
    at: datetime.datetime
    by: str


def record_last_write(event_model: type[models.Model], object_id: int) -> LastWrite | None:
    """When a record was last written and by whom, for "someone changed it" messages."""
    event = (
        event_model.objects.filter(pgh_obj_id=object_id)  # type: ignore[attr-defined]
        .select_related("pgh_context")
        .order_by("-pgh_id")
        .first()
    )
    if event is None:
        return None
    return LastWrite(at=event.pgh_created_at, by=_by(event.pgh_context, _writers([event])))


def _changed(
    fields: Sequence[TrackedField],
    previous: Mapping[str, Any] | None,
    current: Mapping[str, Any],
    label: str,
    hidden: bool,
) -> list[FieldChange]:
    changes: list[FieldChange] = []
    for tracked in fields:
        value = current.get(tracked.name)
        if label == "delete":
            # A delete row holds the values the record had when it went.
            old, new = tracked.display(value), ""
        elif previous is None:
            if value in (None, ""):
                continue
            old, new = "", tracked.display(value)
        else:
            before = previous.get(tracked.name)
            if before == value:
                continue
            old, new = tracked.display(before), tracked.display(value)
        withheld = hidden and tracked.restricted
        changes.append(
            FieldChange(
                label=tracked.label,
                old=WITHHELD if withheld and old else old,
                new=WITHHELD if withheld and new else new,
                withheld=withheld,
            )
        )
    return changes


def _writers(events: Sequence[Any]) -> dict[int, str]:
    ids = {
        (event.pgh_context.metadata or {}).get("user")
        for event in events
        if event.pgh_context is not None
    } - {None}
    return {u.pk: u.get_full_name() or u.username for u in User.objects.filter(pk__in=ids)}


def _by(context: Any, names: Mapping[int, str]) -> str:
    user_id = (context.metadata or {}).get("user") if context is not None else None
    if not user_id:
        return NO_USER
    return names.get(user_id, NO_USER)
