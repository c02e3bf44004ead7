"""The shape of a row in an app's authorisation table.

Each app lists its pages and API routes in ``<app>/tests/matrix.py`` as ``RouteCase``
rows; tests/test_permission_matrix.py asks every route as every persona the row names and
checks the answer, and on every denial that nothing changed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

# Everyone the matrix asks, one list for every table: signed out, and a member of staff in
# each role, inside and outside the worlds' families (conftest.build_world).
PERSONAS = [
    "anonymous",
    "keyworker",
    "other_keyworker",
    "practitioner",
    "other_practitioner",
    "coordinator",
    "other_coordinator",
    "programme_manager",
    "auditor",
    "senior_officer",
    "dpo",
    "sysadmin",
]
SIGNED_IN = [persona for persona in PERSONAS if persona != "anonymous"]


def _no_data(app: Any) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class RouteCase:
    """One request, and the status each persona gets for it.

    ``url`` and ``data`` build the request from the app's world (the object its table's
    ``build`` returned); ``json`` sends the data as a JSON body (API routes).
    """

    name: str
    method: str
    url: Callable[[Any], str]
    expect: Mapping[str, int]
    data: Callable[[Any], dict[str, Any]] = field(default=_no_data)
    json: bool = False

    @property
    def id(self) -> str:
        return f"{self.method}-{self.name}"


@dataclass(frozen=True)
class Table:
    """An app's authorisation table: ``build`` makes the world its rows are asked in (an
    object with the personas' ``World`` as ``.world``), once for all of them; ``snapshot``
    reads every row a denied request must leave as it was."""

    name: str
    build: Callable[[], Any]
    cases: list[RouteCase]
    snapshot: Callable[[Any], object]
