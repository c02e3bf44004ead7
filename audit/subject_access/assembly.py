"""Assembling everything held about one person (docs/decisions/0017).

Walks the personal data registry (audit.personal_data), never a list of the case apps'
models (audit imports none of them, docs/decisions/0005):

- rows about the person (through each table's ``person_path``), and their change
  history (the registry's pghistory tables);
- rows about a family the person belongs or belonged to (``family_path``) that are not
  about another named person: a plan, a review, the family's grants. These are flagged
  "may contain information about other people" for the redaction step;
- access events about the person or their families (audit.selectors), which the
  registry's ``audit.AccessEvent`` entry finds by family, plus those naming the person.

Every field of a row is copied as text (a foreign key as the name of what it points
to), in the order of the model, so the bundle shows the record as the database holds
it. Rows written by people in free text are flagged too: a note about a child often
names a parent.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Q

from audit.models import AccessEvent
from audit.personal_data import PERSON, PersonalTable, registry
from audit.selectors import access_events_for_family
from oneplan.dates import govuk_date, govuk_datetime

OTHER_PEOPLE = "About the family: may contain information about other people"
FREE_TEXT = "Written by staff: may mention other people"
# Columns of pghistory's event tables that say nothing to a reader (the tracked row's id
# and the context row) and the copied id.
_HIDDEN = {"pgh_obj", "pgh_context", "pgh_id"}
_WHEN = ("pgh_created_at", "occurred_at", "created_at", "recorded_at", "started_at", "added_at")


@dataclass(frozen=True)
class FoundRow:
    """One row found about the person, before it is stored as a SubjectAccessItem."""

    table: PersonalTable
    row_id: str
    source_row: str
    label: str
    values: list[dict[str, str]]
    needs_redaction: bool
    redaction_hint: str


def person_family_ids(person_id: int) -> list[int]:
    """The families the person belongs or belonged to, by the registry's path from
    ``families.Person`` to ``families.Family``."""
    table = next((t for t in registry() if t.model == PERSON), None)
    if table is None or table.family_path is None:
        return []
    person_model = apps.get_model(PERSON)
    ids = (
        person_model._base_manager.filter(pk=person_id)
        .exclude(**{f"{table.family_path}__isnull": True})
        .values_list(table.family_path, flat=True)
    )
    return sorted({int(pk) for pk in ids})


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        return govuk_datetime(value)
    if isinstance(value, datetime.date):
        return govuk_date(value)
    if isinstance(value, (dict, list, tuple)):
        if all(isinstance(item, str) for item in value) and not isinstance(value, dict):
            return "; ".join(value)
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return str(value)


def _field_label(field: models.Field[Any, Any]) -> str:
    if field.name == "pgh_created_at":
        return "Changed at"
    if field.name == "pgh_label":
        return "Change"
    name = str(field.verbose_name)
    return name[:1].upper() + name[1:]


def _shown_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [
        f
        for f in model._meta.concrete_fields
        if not f.primary_key and f.name not in _HIDDEN and f.name != "pgh_obj_id"
    ]


def _related_names(
    model: type[models.Model], rows: list[models.Model]
) -> dict[tuple[str, Any], str]:
    """What each foreign key of ``rows`` points to, as text: one query per related model."""
    names: dict[tuple[str, Any], str] = {}
    for field in _shown_fields(model):
        if not field.is_relation or field.related_model is None:
            continue
        related = field.related_model
        assert isinstance(related, type)
        ids = {getattr(row, field.attname) for row in rows} - {None}
        if not ids:
            continue
        found = related._base_manager.in_bulk(list(ids))
        for pk in ids:
            names[(field.name, pk)] = str(found[pk]) if pk in found else f"Deleted ({pk})"
    return names


def _values(
    row: models.Model, fields: list[models.Field[Any, Any]], names: dict[tuple[str, Any], str]
) -> list[dict[str, str]]:
    out = []
    for field in fields:
        raw = getattr(row, field.attname)
        if field.is_relation:
            text = names.get((field.name, raw), "") if raw is not None else ""
        elif field.choices:
            text = dict(field.flatchoices).get(raw, _text(raw))
        else:
            text = _text(raw)
        out.append({"field": field.name, "label": _field_label(field), "value": str(text)})
    for m2m in row._meta.many_to_many:
        members = [str(item) for item in getattr(row, m2m.name).all()]
        out.append({"field": m2m.name, "label": _field_label(m2m), "value": "; ".join(members)})
    return out


def _source_row(table: PersonalTable, row: models.Model) -> str:
    tracked = getattr(type(row), "pgh_tracked_model", None)
    if tracked is not None and hasattr(row, "pgh_obj_id"):
        return f"{tracked._meta.label}:{row.pgh_obj_id}"
    return f"{table.model}:{row.pk}"


def _label(table: PersonalTable, row: models.Model) -> str:
    for name in _WHEN:
        value = getattr(row, name, None)
        if isinstance(value, datetime.datetime):
            return f"{table.label}, {govuk_datetime(value)}"
    return f"{table.label}, record {row.pk}"


def _queryset(
    table: PersonalTable, *, person_id: int, family_ids: list[int]
) -> tuple[models.QuerySet[Any], Q] | None:
    """The rows of ``table`` to include, and which of them are about the person."""
    model = table.model_class()
    about_person = Q(**{table.person_path: person_id}) if table.person_path else Q(pk__in=[])
    wanted = about_person
    if table.family_path and family_ids:
        in_family = Q(**{f"{table.family_path}__in": family_ids})
        if table.person_path:
            # About the family as a whole, not about another member.
            in_family &= Q(**{f"{table.person_path}__isnull": True})
        wanted |= in_family
    if table.model == "audit.AccessEvent":
        wanted = Q(pk__in=_access_event_ids(person_id, family_ids))
        about_person = Q(object_type="person", object_id=str(person_id))
    if (
        not table.person_path
        and not (table.family_path and family_ids)
        and (table.model != "audit.AccessEvent")
    ):
        return None
    return model._base_manager.filter(wanted).distinct().order_by("pk"), about_person


def _access_event_ids(person_id: int, family_ids: Iterable[int]) -> list[int]:
    ids = set(
        AccessEvent.objects.filter(object_type="person", object_id=str(person_id)).values_list(
            "pk", flat=True
        )
    )
    for family_id in family_ids:
        ids.update(access_events_for_family(family_id=family_id).values_list("pk", flat=True))
    return sorted(ids)


def rows_about_person(person_id: int, *, chunk: int = 500) -> Iterator[FoundRow]:
    """Every row held about the person in every table the registry puts in subject
    access, in the registry's order (by model) and then by row."""
    family_ids = person_family_ids(person_id)
    for table in registry():
        if not table.in_subject_access:
            continue
        found = _queryset(table, person_id=person_id, family_ids=family_ids)
        if found is None:
            continue
        queryset, about_person = found
        model = table.model_class()
        fields = _shown_fields(model)
        mine = set(queryset.filter(about_person).values_list("pk", flat=True))
        ids = list(queryset.values_list("pk", flat=True))
        for start in range(0, len(ids), chunk):
            rows = list(
                model._base_manager.filter(pk__in=ids[start : start + chunk])
                .prefetch_related(*(m.name for m in model._meta.many_to_many))
                .order_by("pk")
            )
            names = _related_names(model, rows)
            for row in rows:
                values = _values(row, fields, names)
                if row.pk not in mine:
                    hint = OTHER_PEOPLE
                elif any(v["value"] for v in values if v["field"] in table.free_text_fields):
                    hint = FREE_TEXT
                else:
                    hint = ""
                yield FoundRow(
                    table=table,
                    row_id=str(row.pk),
                    source_row=_source_row(table, row),
                    label=_label(table, row),
                    values=values,
                    needs_redaction=bool(hint),
                    redaction_hint=hint,
                )
