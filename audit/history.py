"""Write audit for case data: database triggers record every insert, update and delete.

Triggers (django-pghistory), not model signals, so bulk updates, raw SQL and imports are
caught too. The acting user and request come from pghistory's context: the
``HistoryMiddleware`` for web requests; ``actor_context(actor)`` in the services that
jobs, tasks and commands call, so their writes name their actor the same way.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from typing import Any, ParamSpec, TypeVar

import pghistory
import pgtrigger
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection, models

P = ParamSpec("P")
R = TypeVar("R")


def audited() -> Callable[[Any], Any]:
    track: Callable[[Any], Any] = pghistory.track(
        pghistory.InsertEvent(),
        pghistory.UpdateEvent(),
        pghistory.DeleteEvent(),
        append_only=True,
    )
    return track


@contextlib.contextmanager
def actor_context(actor: AbstractBaseUser | None) -> Iterator[None]:
    """Name ``actor`` as the ``user`` of every write inside, unless the context already
    names one (a signed-in request, or a job started by someone): the person who asked
    for the work answers for it, and a write outside any request is still attributed.

    Other metadata (``url``, ``job``) is left as it is; when the block ends, the
    enclosing context is as it was before it.
    """
    with pghistory.context() as current:
        metadata = current.metadata
        if actor is None or metadata.get("user") is not None:
            yield
            return
        had_user = "user" in metadata
        pghistory.context(user=actor.pk)
        try:
            yield
        finally:
            # The enclosing context (a job's, a request's) shares this dictionary.
            if had_user:
                metadata["user"] = None
            else:
                metadata.pop("user", None)


def records_actor(service: Callable[P, R]) -> Callable[P, R]:
    """Run a service (which takes ``actor=`` as a keyword, as every service does) inside
    ``actor_context(actor)``, so what it writes names its actor wherever it is called
    from: a page, a job, a task or a command."""

    @functools.wraps(service)
    def with_actor(*args: P.args, **kwargs: P.kwargs) -> R:
        actor = kwargs.get("actor")
        with actor_context(actor if isinstance(actor, AbstractBaseUser) else None):
            return service(*args, **kwargs)

    return with_actor


@contextlib.contextmanager
def inserts_recorded_set_based(
    model: type[models.Model],
) -> Iterator[Callable[[list[int]], None]]:
    """For a set-based insert of many rows of an audited ``model``: inside the block
    the per-row insert trigger is skipped, and the function it yields records the
    insert events of the rows it is given in one statement, with the same columns and
    the same context (the acting user, the request or job) the trigger would have
    written. Call it, in the same transaction, for every row inserted inside the block.

    The per-row trigger attaches the context once per row; for thousands of rows that
    costs more than the insert itself (about ten times as much).
    """
    events = model.pgh_event_models["insert"]  # type: ignore[attr-defined]
    trigger = next(t for t in model._meta.triggers if t.name == "insert_insert")  # type: ignore[attr-defined]
    copied = [f.column for f in events._meta.concrete_fields if not f.name.startswith("pgh_")]
    table = connection.ops.quote_name(model._meta.db_table)
    event_table = connection.ops.quote_name(events._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in copied)
    values = ", ".join("r." + connection.ops.quote_name(c) for c in copied)
    pk = connection.ops.quote_name(model._meta.pk.column)

    def record(ids: list[int]) -> None:
        if not ids:
            return
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {event_table} ({columns}, pgh_context_id, pgh_created_at, "  # noqa: S608
                "pgh_label, pgh_obj_id) "
                f"SELECT {values}, c.id, NOW(), 'insert', r.{pk} "
                f"FROM {table} AS r, (SELECT _pgh_attach_context() AS id) AS c "
                f"WHERE r.{pk} = ANY(%s)",
                [ids],
            )

    with pgtrigger.ignore(f"{model._meta.label}:{trigger.name}"):
        yield record
