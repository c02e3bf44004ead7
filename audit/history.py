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
from django.contrib.auth.base_user import AbstractBaseUser

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
