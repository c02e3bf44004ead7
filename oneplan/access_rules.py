"""Every route declares who may use it; a test fails for any route that does not.

Views are decorated with ``@access_rule("...")`` (API views set ``access_rule`` as a class
attribute). The text is the rule in plain English; the tests hold the matrix that proves
it. Routes of libraries (the admin, sign-in) are listed in the route-coverage test with
the reason they are safe.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

PUBLIC = "public: anyone, signed in or not"


def access_rule(rule: str) -> Callable[[F], F]:
    def mark(view: F) -> F:
        view.access_rule = rule  # type: ignore[attr-defined]
        return view

    return mark
