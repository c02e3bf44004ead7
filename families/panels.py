"""Sections that later apps add to the family page, without families depending on them.

The dependency rule (agencies <- families <- plans <- outcomes <- lcgs) means the family
page cannot import plans, outcomes or lcgs; instead they register a panel here in their
``AppConfig.ready``. A panel gets the viewing user, the family and that user's
permissions on it (already checked: the user can see the family), and returns a template
and its context, or None to show nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from agencies.models import User
from families.models import Family

PanelContext = tuple[str, dict[str, Any]] | None
PanelFunction = Callable[[User, Family, frozenset[str]], PanelContext]


@dataclass(frozen=True)
class RenderedPanel:
    template: str
    context: dict[str, Any]


_PANELS: dict[str, tuple[int, PanelFunction]] = {}


def register_family_panel(name: str, order: int, panel: PanelFunction) -> None:
    """Add a section to the family page; lower ``order`` shows higher up."""
    _PANELS[name] = (order, panel)


def family_panels_render(
    user: User, family: Family, permissions: frozenset[str]
) -> list[RenderedPanel]:
    panels: list[RenderedPanel] = []
    for _, panel in sorted(_PANELS.values(), key=lambda item: item[0]):
        result = panel(user, family, permissions)
        if result is not None:
            template, context = result
            panels.append(RenderedPanel(template, context))
    return panels
