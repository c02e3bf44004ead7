"""Where a new plan's needs come from: the problems identification found.

The identified problems are worked out in ``outcomes`` (frameworks and assessments),
which ``plans`` may not import. ``outcomes`` registers a provider here when Django
starts; starting a plan asks it for the family's identified needs, so the key worker
builds the plan from them (docs/decisions/0008).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from families.models import Family


@dataclass(frozen=True)
class IdentifiedNeeds:
    framework: str
    # (criterion code, plain label, ids of the people it is about)
    needs: list[tuple[str, str, list[int]]]


Provider = Callable[[Family], IdentifiedNeeds | None]

_providers: list[Provider] = []


def register_identified_needs(provider: Provider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def identified_needs_for(family: Family) -> list[IdentifiedNeeds]:
    found = []
    for provider in _providers:
        result = provider(family)
        if result is not None and result.needs:
            found.append(result)
    return found
