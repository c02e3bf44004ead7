"""Groups a member of staff belongs to that another area keeps (LCGs, ``agencies.lcgs``).

The staff pages offer them as checkboxes and the API as a list of codes, without knowing
the areas that own them. The owning area registers a ``MembershipKind`` from its app's
``AppConfig.ready()``: how to list the choices, read what a member of staff holds, and
set it through its own service, which enforces its own rules (nobody changes their own
memberships). docs/decisions/0014 and 0015.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from agencies.models import Staff, User
from agencies.roles import Role


class MembershipSetter(Protocol):
    def __call__(self, *, actor: User, staff: Staff, codes: Sequence[str]) -> None: ...


@dataclass(frozen=True)
class MembershipKind:
    # The form field and the API field: a list of the choices' codes.
    name: str
    # "LCGs": the checkboxes' legend and the summary list's key.
    label: str
    hint: str
    # Every group one may join, as (code, name), in the order to show them.
    choices: Callable[[], list[tuple[str, str]]]
    # The codes each of these members of staff holds, in one query: {staff id: [code]}.
    held: Callable[[Sequence[int]], dict[int, list[str]]]
    # Make ``staff`` hold exactly ``codes``; raises ApplicationError(field=name).
    set: MembershipSetter
    # The role these memberships give access with: someone with the role belongs to at
    # least one group, and nobody without it belongs to any (it would give them nothing).
    role: Role
    # "Select the LCGs this LCG coordinator works for"
    missing_message: str
    # "Select the LCG coordinator role, or no LCGs"
    without_role_message: str
    # How its write history shows on a member of staff's page: {(event model label,
    # "insert" or "delete"): "Added to an LCG"}.
    history_labels: Mapping[tuple[str, str], str]


_KINDS: dict[str, MembershipKind] = {}


def register_staff_membership_kind(kind: MembershipKind) -> None:
    """Called once per kind from the owning app's ``AppConfig.ready()``."""
    _KINDS[kind.name] = kind


def staff_membership_kinds() -> list[MembershipKind]:
    return list(_KINDS.values())
