"""Anonymisation: remove the personal data of families, people and unmatched feed records
from every table the personal data registry lists (audit.personal_data), history tables
and access events included, keeping the rows that reporting and claims count.

Called only by ``lcgs.retention.services.retention_batch_run``, which checks the legal
holds again, runs this in its transaction and records an ``AnonymisationRecord``. The
design and its reasoning (what is replaced by what; how the append-only history and
access events are changed under control) are in docs/decisions/0018.

What each registered personal column becomes:

- free text typed by people (``free_text_fields``): emptied;
- a column that must stay unique (a family's reference, an evidence record's id): a
  token made from the row's own key ("ANON123"), which identifies nobody;
- other text: "Anonymised" where the column may not be blank and has room, else empty;
  a column that may be null: null;
- a date: the 1st of its month; a date and time: the start of its month (so ages and
  monthly reporting still work);
- JSON: its keys, numbers and true/false kept (criteria met, evidence ids, the families
  a list showed), dates moved to the 1st of the month, and every other text removed.

A column of any other kind in the registry is an error, so a new entry is thought about
rather than silently left.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pgtrigger
from django.apps import apps
from django.db import connection, models
from django.db.models import CharField, F, Q, Value
from django.db.models.functions import Cast, Concat, Trunc

from audit.models import AccessEvent
from audit.personal_data import PersonalTable, registry
from families.models import HouseholdMembership
from lcgs.retention.rules import month_precision
from outcomes.models import Evidence, SourcePerson

ANONYMISED = "Anonymised"
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


@dataclass
class Subjects:
    """Whose records one run anonymises."""

    family_ids: list[int] = field(default_factory=list)
    # Members of those families who belong to no family that is kept.
    person_ids: list[int] = field(default_factory=list)
    # Members who also belong to a family that is kept: their own records stay, and only
    # what is about the anonymised families goes.
    kept_person_ids: list[int] = field(default_factory=list)
    # Agencies' records of people never matched to anyone (outcomes.SourcePerson).
    source_ids: list[int] = field(default_factory=list)


def subjects_for_families(
    family_ids: Iterable[int], *, already_anonymised: Iterable[int]
) -> Subjects:
    """The families, and which of their members go with them: a person who is also a
    member of a family that is not being anonymised now (nor was before) is kept."""
    families = sorted(set(family_ids))
    gone = set(families) | set(already_anonymised)
    members = set(
        HouseholdMembership.objects.filter(family_id__in=families).values_list(
            "person_id", flat=True
        )
    )
    elsewhere = set(
        HouseholdMembership.objects.filter(person_id__in=members)
        .exclude(family_id__in=gone)
        .values_list("person_id", flat=True)
    )
    return Subjects(
        family_ids=families,
        person_ids=sorted(members - elsewhere),
        kept_person_ids=sorted(elsewhere),
    )


def subjects_for_sources(source_ids: Iterable[int]) -> Subjects:
    return Subjects(source_ids=sorted(set(source_ids)))


# --- Which rows ---------------------------------------------------------------------------


def _path_to_source(model: type[models.Model]) -> str | None:
    """How a registered table's rows reach an unmatched feed record, if they do."""
    if model is SourcePerson:
        return "pk"
    tracked = getattr(model, "pgh_tracked_model", None)
    for candidate in model._meta.concrete_fields:
        if candidate.is_relation and candidate.related_model is SourcePerson:
            return candidate.name
    if tracked is not None:
        inner = _path_to_source(tracked)
        if inner is not None:
            return "pgh_obj" if inner == "pk" else f"pgh_obj__{inner}"
    return None


def _rows(table: PersonalTable, model: type[models.Model], subjects: Subjects) -> Q | None:
    """The rows of ``table`` about ``subjects``, as a filter; None for none."""
    q = Q(pk__in=[])
    if subjects.family_ids and table.family_path:
        about_family = Q(**{f"{table.family_path}__in": subjects.family_ids})
        if table.person_path and subjects.kept_person_ids:
            about_family &= ~Q(**{f"{table.person_path}__in": subjects.kept_person_ids})
        q |= about_family
    if subjects.person_ids and table.person_path:
        q |= Q(**{f"{table.person_path}__in": subjects.person_ids})
    if subjects.source_ids:
        source_path = _path_to_source(model)
        if source_path is not None:
            q |= Q(**{f"{source_path}__in": subjects.source_ids})
    if model is AccessEvent:
        # List pages and search results name the families they showed in the detail,
        # beside what was searched for; views of a person name them by id.
        for family_id in subjects.family_ids:
            q |= Q(detail__families__contains=[family_id])
        if subjects.person_ids:
            q |= Q(object_type="person", object_id__in=[str(p) for p in subjects.person_ids])
    return None if q == Q(pk__in=[]) else q


# --- Neutral values -------------------------------------------------------------------------


def _is_unique(model: type[models.Model], column: models.Field[Any, Any]) -> bool:
    if column.unique and not column.primary_key:
        return True
    together = [set(fields) for fields in model._meta.unique_together]
    together += [
        set(constraint.fields)
        for constraint in model._meta.constraints
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields
    ]
    return any(column.name in fields for fields in together)


def _token(column: models.Field[Any, Any]) -> Any:
    prefix = "ANON" if (column.max_length or 0) >= 14 else "A"
    return Concat(Value(prefix), Cast(F("pk"), output_field=CharField()), output_field=CharField())


def neutral_value(model: type[models.Model], name: str, *, free_text: bool) -> Any:
    """What a personal column becomes, as a value or an SQL expression (module doc).
    JSON columns are done row by row (``scrub_json``), and answer None here."""
    column = model._meta.get_field(name)
    if isinstance(column, models.JSONField):
        return None
    if isinstance(column, (models.CharField, models.TextField)):
        if _is_unique(model, column):
            return _token(column)
        if column.null:
            return None
        if free_text or column.blank or (column.max_length or 0) < len(ANONYMISED):
            return ""
        return ANONYMISED
    if isinstance(column, models.DateTimeField):
        return Trunc(name, "month", output_field=models.DateTimeField())
    if isinstance(column, models.DateField):
        return Trunc(name, "month", output_field=models.DateField())
    if isinstance(column, models.GenericIPAddressField) and column.null:
        return None
    raise TypeError(
        f"{model._meta.label}.{name}: no neutral value for a {type(column).__name__}; "
        "say in lcgs.retention.anonymise what it becomes"
    )


def scrub_json(value: Any) -> Any:
    """Keys, numbers and true/false kept; ISO dates to the 1st of the month; other text
    gone (module doc)."""
    if isinstance(value, dict):
        return {key: scrub_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [scrub_json(item) for item in value]
    if isinstance(value, str):
        match = _ISO_DATE.match(value)
        if match:
            try:
                day = datetime.date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                return ""
            return month_precision(day).isoformat()
        return ""
    return value


# --- The run --------------------------------------------------------------------------------


def _append_only_triggers(models_changed: Iterable[type[models.Model]]) -> list[str]:
    """The append-only triggers of the history tables and access events among
    ``models_changed``: switched off for this transaction only (decision 0018)."""
    uris = []
    for model in models_changed:
        for trigger in getattr(model._meta, "triggers", []):
            if trigger.name == "append_only":
                uris.append(f"{model._meta.label}:{trigger.name}")
    return uris


def _tables() -> list[tuple[PersonalTable, type[models.Model]]]:
    # Tracked tables first: changing them writes history rows (with the neutral values),
    # which the history tables' turn then finds with the older ones.
    tables = [(table, apps.get_model(table.model)) for table in registry()]
    return sorted(tables, key=lambda pair: (table_is_history(pair[1]), pair[0].model))


def table_is_history(model: type[models.Model]) -> bool:
    return getattr(model, "pgh_tracked_model", None) is not None


def _context_ids(model: type[models.Model], q: Q) -> set[str]:
    if not table_is_history(model):
        return set()
    return {
        str(pk)
        for pk in model._base_manager.filter(q).values_list("pgh_context_id", flat=True)
        if pk is not None
    }


def anonymise(subjects: Subjects) -> dict[str, int]:
    """Replace the personal data of ``subjects`` in every registered table; returns the
    rows changed per table ("families.Person": 3). Run inside the caller's transaction
    (``retention_batch_run``): either every table is done or none is."""
    changed: dict[str, int] = defaultdict(int)
    tables = _tables()
    references = _references(subjects.family_ids)
    contexts: set[str] = set()
    with pgtrigger.ignore(*_append_only_triggers(model for _, model in tables)):
        for table, model in tables:
            q = _rows(table, model, subjects)
            if q is None or not table.personal_fields:
                continue
            contexts |= _context_ids(model, q)
            changed[table.model] += _anonymise_table(table, model, q)
    changed["pghistory.Context"] = _contexts_scrub(contexts, references)
    return {label: count for label, count in changed.items() if count}


def _references(family_ids: list[int]) -> list[str]:
    family_model = apps.get_model("families", "Family")
    return list(
        family_model._base_manager.filter(pk__in=family_ids).values_list("reference", flat=True)
    )


def _anonymise_table(table: PersonalTable, model: type[models.Model], q: Q) -> int:
    manager = model._base_manager
    # A path through a many-valued relation repeats rows: select by key.
    ids = list(manager.filter(q).values_list("pk", flat=True).distinct())
    if not ids:
        return 0
    updates: dict[str, Any] = {}
    json_fields: list[str] = []
    for name in table.personal_fields:
        value = neutral_value(model, name, free_text=name in table.free_text_fields)
        if value is None and isinstance(model._meta.get_field(name), models.JSONField):
            json_fields.append(name)
        else:
            updates[name] = value
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        if updates:
            manager.filter(pk__in=chunk).update(**updates)
        if json_fields:
            rows = list(manager.filter(pk__in=chunk).only("pk", *json_fields))
            for row in rows:
                for name in json_fields:
                    setattr(row, name, scrub_json(getattr(row, name)))
            manager.bulk_update(rows, json_fields, batch_size=500)
    return len(ids)


def _contexts_scrub(context_ids: set[str], references: list[str]) -> int:
    """The addresses pghistory kept with the history rows' context name the family's old
    reference (/families/F-000123/): cleared where they do."""
    if not context_ids or not references:
        return 0
    patterns = [f"%{reference}%" for reference in references]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE pghistory_context SET metadata = metadata - 'url' "
            "WHERE id = ANY(%s::uuid[]) AND metadata->>'url' LIKE ANY(%s)",
            [sorted(context_ids), patterns],
        )
        return cursor.rowcount


def delete_sources(source_ids: list[int]) -> dict[str, int]:
    """Delete anonymised unmatched feed records with their evidence, match decisions and
    reviews (their history keeps only the neutral values written before)."""
    deleted: dict[str, int] = {}
    _count, by_model = Evidence.objects.filter(source_id__in=source_ids).delete()
    for label, count in by_model.items():
        deleted[label] = deleted.get(label, 0) + count
    _count, by_model = SourcePerson.objects.filter(pk__in=source_ids).delete()
    for label, count in by_model.items():
        deleted[label] = deleted.get(label, 0) + count
    return {label: count for label, count in deleted.items() if count}
