"""What of a family's address a viewer may see: the one rule for protected addresses.

A protected address (a refuge or safe address) is restricted information (DOMAIN.md 7):
only those who may see a family's restricted information (``can_view_restricted``: its
lead professional, the LCG's coordinators, the data protection officer) see its lines
and postcode. Everyone else sees "Protected address" in their place, in every page, API
answer, search, export and printed document, from the moment it is protected. Printed
documents (the family's plan) go home with the family and can be left anywhere, so they
never carry a protected address, whoever prints them.

Every door that shows an address asks ``address_for_viewer``; a list or search that
filters on address columns uses ``address_visible_q``, the same rule as a filter.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from agencies.models import AnyUser
from families.access.access import can_view_restricted, family_restricted_scope
from families.models import Address, Family

PROTECTED_ADDRESS = "Protected address"


@dataclass(frozen=True)
class ShownAddress:
    """A family's address as one viewer may see it.

    ``withheld``: the address is protected and this viewer may not see it; ``lines``
    and ``postcode`` are then empty and ``text`` is "Protected address".
    """

    lines: tuple[str, ...]
    postcode: str
    is_protected: bool
    withheld: bool

    @property
    def text(self) -> str:
        return PROTECTED_ADDRESS if self.withheld else ", ".join(self.lines)

    @property
    def line_1(self) -> str:
        return "" if self.withheld else (self.lines[0] if self.lines else "")


def address_shown(address: Address, *, may_see_protected: bool) -> ShownAddress:
    """``address`` as shown to someone who may (or may not) see a protected address."""
    if address.is_protected and not may_see_protected:
        return ShownAddress(lines=(), postcode="", is_protected=True, withheld=True)
    parts = (address.line_1, address.line_2, address.town, address.postcode)
    return ShownAddress(
        lines=tuple(p for p in parts if p),
        postcode=address.postcode,
        is_protected=address.is_protected,
        withheld=False,
    )


def may_see_protected_address(user: AnyUser | None, family: Family) -> bool:
    """Whether ``user`` sees ``family``'s protected address: the restricted-information
    rule. ``None`` is a printed document, which never shows one."""
    return user is not None and can_view_restricted(user, family)


def address_for_viewer(
    user: AnyUser | None, family: Family, *, address: Address | None = None
) -> ShownAddress | None:
    """``family``'s address (or ``address``, one it had) as ``user`` may see it; None when
    it has none. Pass ``user=None`` for a printed document."""
    shown = address if address is not None else family.address
    if shown is None:
        return None
    if not shown.is_protected:
        # No permission query for the common case.
        return address_shown(shown, may_see_protected=True)
    return address_shown(shown, may_see_protected=may_see_protected_address(user, family))


def address_visible_q(user: AnyUser, *, prefix: str = "") -> Q:
    """Families (or rows reaching a family through ``prefix``, like ``"family__"``)
    whose address ``user`` may see, as a filter: not protected, or a family whose
    restricted information they may see. A search on address columns uses it, so a
    postcode can never find a refuge for someone who may not see it."""
    restricted = Family.objects.filter(family_restricted_scope(user)).values("pk")
    return (
        Q(**{f"{prefix}address__isnull": True})
        | Q(**{f"{prefix}address__is_protected": False})
        | Q(**{f"{prefix}pk__in": restricted})
    )
