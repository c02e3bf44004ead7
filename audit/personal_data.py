"""The personal data registry: every table that holds information about a person or a
family, how its rows reach ``families.Person`` and ``families.Family``, and which of its
columns are personal data (docs/decisions/0017).

Subject access (audit.subject_access), retention and anonymisation all walk this one
registry, so a table added to a case app is found by all three or by none; the
schema-walk test (audit/tests/test_personal_data_registry.py, through
``coverage_problems``) fails when a table that refers to a person or family is missing.

``audit`` imports no case app (docs/decisions/0005), so the case apps declare their own
tables: each app's ``personal_data`` module calls ``register(...)`` at import, and
``registry()`` imports those modules once (``autodiscover_modules``). Models are named by
``"app_label.ModelName"`` strings and resolved with ``django.apps.apps.get_model``.

The API
-------
``PersonalTable``
    One table. ``person_path`` and ``family_path`` are ORM lookups from the table to the
    primary key of ``families.Person`` / ``families.Family``, so that
    ``Model.objects.filter(**{person_path: person.pk})`` selects the rows about that
    person; ``"pk"`` on Person or Family themselves. A path may end on a plain integer
    column that holds the key without a foreign key (``audit.AccessEvent.family_id``).
    A path may cross a many-to-many field (``"members"``): filter and then ``distinct()``.
    ``person_path`` is None when the rows are about a family as a whole (a plan, a
    claim): for subject access they are then information that may be about other people
    too (the redaction step). ``personal_fields`` are the columns holding personal data
    (names, dates of birth, identifiers, addresses, free text); ``free_text_fields`` the
    subset typed by people (notes, reasons), which anonymisation clears rather than
    replaces. A table kept out of subject access says why (``why_excluded``).
``register(*tables)``
    Called by the apps' ``personal_data`` modules. Registering a model twice replaces
    the earlier entry (so a module imported twice is harmless).
``registry()``
    Every entry, in a stable order (by model label), including the history tables.
``table_for(model_label)``
    The entry for one model, or None.
``history_table_for(table, event_model)``
    How a history table is derived (below).
``coverage_problems()``
    What the schema-walk test checks, as sentences; empty when the registry is complete.

History tables (django-pghistory)
---------------------------------
Every model tracked by pghistory has event models (``families.PersonEvent``), which copy
the tracked columns and so hold the same personal data. They are derived, not declared:
for each registered model, each of its event models gets an entry with the same
``about`` (plus "change history"), the personal and free-text fields that the event
model copies, and paths that start from the copied column when the event copies the
first hop (``HouseholdMembershipEvent.person``) or else go through ``pgh_obj`` (the
tracked row: ``PersonEvent.pgh_obj``; ``NeedEvent.pgh_obj__members``, since
many-to-many fields are not copied). A path through ``pgh_obj`` finds nothing once the
tracked row is deleted; an app that needs otherwise registers the event model itself,
and an explicit entry always wins over a derived one.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, FieldError
from django.db import models
from django.utils.module_loading import autodiscover_modules

PERSON = "families.Person"
FAMILY = "families.Family"


@dataclass(frozen=True)
class PersonalTable:
    model: str  # "app_label.ModelName"
    # ORM path from this model to families.Person's pk ("person", "memberships__person");
    # None if the rows are not about one person directly.
    person_path: str | None
    # ORM path to families.Family's pk ("family", "plan__family").
    family_path: str | None
    # Columns holding personal data (names, dob, free text, addresses, identifiers).
    personal_fields: tuple[str, ...]
    free_text_fields: tuple[str, ...] = ()
    # Plain-English label for the bundle ("Household membership").
    about: str = ""
    in_subject_access: bool = True
    why_excluded: str = ""  # required when in_subject_access is False

    @property
    def label(self) -> str:
        return self.about or self.model

    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    @property
    def is_history(self) -> bool:
        """True for a pghistory event table (a record of changes to another table)."""
        return _is_event_model(self.model_class())


_declared: dict[str, PersonalTable] = {}
_lock = threading.Lock()
_discovered = False


def register(*tables: PersonalTable) -> None:
    """Declare tables that hold personal data (called by ``<app>/personal_data.py``)."""
    for table in tables:
        if not table.in_subject_access and not table.why_excluded:
            raise ValueError(f"{table.model}: say why it is kept out of subject access")
        _declared[table.model] = table


def _discover() -> None:
    global _discovered
    if _discovered:
        return
    with _lock:
        if not _discovered:
            autodiscover_modules("personal_data")
            _discovered = True


def _is_event_model(model: type[models.Model]) -> bool:
    import pghistory.models

    return (
        issubclass(model, pghistory.models.Event)
        and getattr(model, "pgh_tracked_model", None) is not None
    )


def _event_models_of(model: type[models.Model]) -> list[type[models.Model]]:
    return [
        m
        for m in apps.get_models()
        if _is_event_model(m) and getattr(m, "pgh_tracked_model", None) is model
    ]


def _event_path(path: str | None, event_model: type[models.Model]) -> str | None:
    if path is None:
        return None
    if path == "pk":
        return "pgh_obj"
    first = path.split("__", 1)[0]
    try:
        field = event_model._meta.get_field(first)
    except FieldDoesNotExist:
        return f"pgh_obj__{path}"
    return path if field.concrete else f"pgh_obj__{path}"


def history_table_for(table: PersonalTable, event_model: type[models.Model]) -> PersonalTable:
    """The entry for a pghistory event model of ``table``'s model (see the module doc)."""
    copied = {f.name for f in event_model._meta.concrete_fields}
    return replace(
        table,
        model=event_model._meta.label,
        person_path=_event_path(table.person_path, event_model),
        family_path=_event_path(table.family_path, event_model),
        personal_fields=tuple(f for f in table.personal_fields if f in copied),
        free_text_fields=tuple(f for f in table.free_text_fields if f in copied),
        about=f"{table.label} (change history)",
    )


def _build(declared: dict[str, PersonalTable]) -> tuple[PersonalTable, ...]:
    entries = dict(declared)
    for table in declared.values():
        try:
            model = apps.get_model(table.model)
        except (LookupError, ValueError):
            continue  # reported by coverage_problems
        if _is_event_model(model):
            continue
        for event_model in _event_models_of(model):
            label = event_model._meta.label
            if label not in declared:
                entries[label] = history_table_for(table, event_model)
    return tuple(entries[label] for label in sorted(entries))


def registry() -> tuple[PersonalTable, ...]:
    """Every table holding personal data, history tables included, ordered by model."""
    _discover()
    return _build(_declared)


def table_for(model_label: str) -> PersonalTable | None:
    """The registry's entry for ``model_label`` ("families.Person"), or None."""
    for table in registry():
        if table.model == model_label:
            return table
    return None


# ----------------------------------------------------------------------------------------
# The schema walk (what audit/tests/test_personal_data_registry.py asserts is empty).


def _relations(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [
        f
        for f in model._meta.get_fields()
        if isinstance(f, models.Field)
        and f.is_relation
        and (f.many_to_one or f.one_to_one or f.many_to_many)
    ]


def refers_to_person_or_family(model: type[models.Model]) -> str | None:
    """How ``model`` refers to a person or family by a foreign key (or one-to-one or
    many-to-many), directly or through one other table: the path ("plan__family"), or
    None."""
    targets = {apps.get_model(PERSON), apps.get_model(FAMILY)}
    if model in targets:
        return "pk"
    for field in _relations(model):
        if field.related_model in targets:
            return field.name
    for field in _relations(model):
        related = field.related_model
        if not isinstance(related, type) or related is model:
            continue
        for hop in _relations(related):
            if hop.related_model in targets:
                return f"{field.name}__{hop.name}"
    return None


def _path_problem(model: type[models.Model], path: str, target_label: str) -> str | None:
    """Why ``path`` does not lead from ``model`` to ``target_label``'s key, or None."""
    target = apps.get_model(target_label)
    current: type[models.Model] = model
    parts = path.split("__")
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if part == "pk":
            if not last:
                return "'pk' must be the last part"
            return (
                None if current is target else f"ends on {current._meta.label}, not {target_label}"
            )
        try:
            field = current._meta.get_field(part)
        except FieldDoesNotExist:
            return f"{current._meta.label} has no field {part!r}"
        if field.is_relation and field.related_model is not None:
            related = field.related_model
            assert isinstance(related, type)
            current = related
            if last:
                return (
                    None
                    if current is target
                    else f"ends on {current._meta.label}, not {target_label}"
                )
        elif last:
            # A plain integer column holding the key (audit.AccessEvent.family_id).
            if isinstance(field, (models.IntegerField, models.BigIntegerField)):
                return None
            return f"ends on {part!r}, which is neither a relation nor a key column"
        else:
            return f"{part!r} is not a relation"
    return None  # pragma: no cover - the loop always returns


def entry_problems(table: PersonalTable) -> list[str]:
    """What is wrong with one entry: unknown model, paths or fields that do not resolve."""
    try:
        model = apps.get_model(table.model)
    except (LookupError, ValueError):
        return [f"{table.model}: no such model"]
    problems = []
    if table.person_path is None and table.family_path is None:
        problems.append(f"{table.model}: needs a person_path or a family_path")
    for path, target in ((table.person_path, PERSON), (table.family_path, FAMILY)):
        if path is None:
            continue
        problem = _path_problem(model, path, target)
        if problem is None:
            try:
                str(model._base_manager.filter(**{path: 0}).query)
            except (FieldError, ValueError) as error:
                problem = str(error)
        if problem:
            problems.append(f"{table.model}: path {path!r} to {target} does not resolve: {problem}")
    names = {f.name for f in model._meta.concrete_fields}
    for name in (*table.personal_fields, *table.free_text_fields):
        if name not in names:
            problems.append(f"{table.model}: no column {name!r}")
    for name in table.free_text_fields:
        if name not in table.personal_fields:
            problems.append(f"{table.model}: free-text field {name!r} is not in personal_fields")
    if not table.in_subject_access and not table.why_excluded:
        problems.append(f"{table.model}: kept out of subject access without a reason")
    return problems


def coverage_problems(tables: tuple[PersonalTable, ...] | None = None) -> list[str]:
    """Every way the registry falls short of the schema, as sentences (empty: complete).

    Fails for a model that refers to a person or family (directly or through one other
    table) and is not registered; for a pghistory event model of such a model that is
    not covered; and for an entry whose model, paths or fields do not resolve.
    """
    if tables is None:
        tables = registry()
    covered = {table.model for table in tables}
    problems: list[str] = []
    for model in apps.get_models():
        label = model._meta.label
        if label in covered:
            continue
        if _is_event_model(model):
            tracked = model.pgh_tracked_model  # type: ignore[attr-defined]
            if tracked._meta.label in covered or refers_to_person_or_family(tracked):
                problems.append(f"{label}: history of {tracked._meta.label} is not in the registry")
            continue
        path = refers_to_person_or_family(model)
        if path is not None:
            problems.append(
                f"{label}: refers to a person or family ({path}) but is not in the registry"
            )
    for table in tables:
        problems.extend(entry_problems(table))
    return problems


# The audit app's own table. Which records were read, by whom: subject access reports it
# (audit.subject_access adds events about the person themselves, by object_type and
# object_id); the reference and the detail copy identifiers of the family.
register(
    PersonalTable(
        model="audit.AccessEvent",
        person_path=None,
        family_path="family_id",
        personal_fields=("family_reference", "detail", "path", "purpose"),
        # A break-glass reason is copied into the purpose.
        free_text_fields=("purpose",),
        about="Who has looked at the family's records",
    ),
)

# Subject access keeps copies of what it assembled (audit.subject_access): retention and
# anonymisation must reach them; a bundle does not include earlier bundles.
_SAR_COPY = "A working copy of a subject access response: the records it copies are in the bundle."
register(
    PersonalTable(
        model="audit.SubjectAccessRequest",
        person_path="person_id",
        family_path=None,
        personal_fields=(
            "person_name",
            "requester_name",
            "requester_contact",
            "extension_reason",
            "notes",
            "closed_reason",
        ),
        free_text_fields=("requester_contact", "extension_reason", "notes", "closed_reason"),
        about="Subject access requests",
        in_subject_access=False,
        why_excluded=_SAR_COPY,
    ),
    PersonalTable(
        model="audit.SubjectAccessItem",
        person_path="request__person_id",
        family_path=None,
        personal_fields=("label", "values", "redaction_reason"),
        free_text_fields=("redaction_reason",),
        about="Records assembled for a subject access request",
        in_subject_access=False,
        why_excluded=_SAR_COPY,
    ),
)
