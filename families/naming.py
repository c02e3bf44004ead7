"""How a page names a family: "Blackburn family, F-000666".

A family is known by its reference everywhere. Where the viewer may see the names of the
people in it, the family's name comes first, so nobody has to remember which reference
is which family. Who may see names is the family page's rule: anyone who may see the
family (``families.access.perms.VIEW``) is shown its members by name there, so they are
shown its name in headings and lists too. Copies that leave the service (reminder
emails) keep to references.

The family's name is the surname of its main carer (the first current parent or carer,
the person the family list names it by), or else of its eldest current member. A family
with no one in it is named by its reference alone.
"""

from __future__ import annotations

from django.db.models import Case, IntegerField, OuterRef, Subquery, Value, When

from agencies.models import AnyUser
from families.access.access import family_permissions
from families.access.perms import VIEW
from families.models import Family, HouseholdMembership, MemberRole

# The annotation ``family_surname_subquery`` is given under on a list of families (or
# of rows with a family), read by ``family_heading`` instead of a query per row.
SURNAME = "family_surname"

# What every family a list scoped by ``families.access.access.family_scope`` gives its
# viewer: each route into the scope carries VIEW (``families.access.perms``).
IN_SCOPE = frozenset({VIEW})


def family_surname_subquery(family_ref: str = "pk") -> Subquery:
    """The family's name (see the module docstring) as a scalar subquery, for
    annotating lists; ``family_ref`` names the family's id on the queried model."""
    members = (
        HouseholdMembership.objects.filter(family_id=OuterRef(family_ref), end_date__isnull=True)
        .annotate(
            carer_first=Case(
                When(role=MemberRole.PARENT_CARER, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("carer_first", "start_date", "person__date_of_birth", "pk")
        .values("person__family_name")[:1]
    )
    return Subquery(members)


def family_surname(family: Family) -> str:
    """The family's name: from the ``SURNAME`` annotation when the row has one, else
    read (one query)."""
    if hasattr(family, SURNAME):
        return str(getattr(family, SURNAME) or "")
    found = (
        Family.objects.filter(pk=family.pk)
        .annotate(**{SURNAME: family_surname_subquery()})
        .values_list(SURNAME, flat=True)
        .first()
    )
    return str(found or "")


def may_see_names(permissions: frozenset[str]) -> bool:
    """Whoever may see the family may see the names of the people in it (the family
    page lists them)."""
    return VIEW in permissions


def family_heading(
    family: Family,
    user: AnyUser,
    *,
    permissions: frozenset[str] | None = None,
    surname: str | None = None,
) -> str:
    """The family as a page names it: "Blackburn family, F-000666" for a viewer who may
    see names, else "F-000666". ``permissions`` are the viewer's on the family when the
    caller has them already (``IN_SCOPE`` for a row of a list scoped to the viewer);
    ``surname``, the family's name when a list annotated its rows with
    ``family_surname_subquery``."""
    if permissions is None:
        permissions = family_permissions(user, family)
    if not may_see_names(permissions):
        return family.reference
    if surname is None:
        surname = family_surname(family)
    return f"{surname} family, {family.reference}" if surname else family.reference
