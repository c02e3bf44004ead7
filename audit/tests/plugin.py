"""A pytest plugin: transactional tests can be torn down after recording access events.

Django empties every table with one TRUNCATE after each transactional test
(``django_db(transaction=True)``, ``transactional_db``, ``live_server``). The
append-only trigger refuses to truncate access events that exist, so for those tests
alone the teardown runs with that one trigger ignored (pgtrigger's per-thread switch).
Nothing else is ignored, and the test bodies still run with every trigger in force.

Enable it for the whole suite in the root conftest.py::

    pytest_plugins = ["audit.tests.plugin"]
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pgtrigger
import pytest

TRUNCATE_TRIGGER = "audit.AccessEvent:append_only_truncate"

_ALREADY = pytest.StashKey[bool]()


def is_transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    fixtures = set(getattr(item, "fixturenames", ()))
    return bool(
        (marker is not None and marker.kwargs.get("transaction"))
        or {"transactional_db", "live_server"} & fixtures
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[Any]:
    # Registered both here and by audit/tests/conftest.py: wrap each teardown once.
    if not is_transactional(item) or item.stash.get(_ALREADY, False):
        return (yield)
    item.stash[_ALREADY] = True
    with pgtrigger.ignore(TRUNCATE_TRIGGER):
        return (yield)
