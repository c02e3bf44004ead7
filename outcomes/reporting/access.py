"""Who sees programme reporting, and who changes its configuration (DOMAIN.md 2: the
programme manager's "targets, outcomes, claims export, money").

- The **programme dashboard** (its figures, tables, CSV files, the families behind each
  figure and the targets) is read by programme managers, senior officers and internal
  auditors: the programme-wide roles that answer for the programme's results. The data
  protection officer's work is access and requests, not results, so they are refused.
- **Targets** are set by programme managers only.
- The **quarterly progress return** (a file naming every family on the programme) and
  its saved column layouts are the programme manager's.

Which families anyone sees is still the access policy's (``families.access.access``):
``reporting_family_scope`` narrows every count and list to ``family_scope``, and the
return leaves a family's restricted needs out unless ``family_restricted_scope`` lets the
user see them. Nothing here decides who may see a family.
"""

from __future__ import annotations

from django.db.models import Q

from agencies.models import AnyUser
from agencies.roles import Role
from families.access.access import family_restricted_scope, family_scope, staff_for

DENIED = "Only programme managers, senior officers and internal auditors see programme reporting"
CHANGE_DENIED = "Only programme managers set the programme's targets"
RETURN_DENIED = "Only programme managers make the quarterly progress return"
# The routes' access rules, in words (oneplan.access_rules).
SEE_RULE = "programme managers, senior officers and internal auditors (read-only)"
CHANGE_RULE = "programme managers"
RETURN_RULE = "programme managers; starts a background job whose file only they download"

READERS = frozenset({Role.PROGRAMME_MANAGER, Role.SENIOR_OFFICER, Role.INTERNAL_AUDITOR})


def can_see_programme_reporting(user: AnyUser) -> bool:
    """Programme managers, senior officers and internal auditors see the programme
    dashboard, the families behind its figures and the targets. Everyone else is
    refused (403)."""
    staff = staff_for(user)
    return staff is not None and any(staff.has_role(role) for role in READERS)


def can_change_programme_targets(user: AnyUser) -> bool:
    """Programme managers set the programme's annual targets (configuration of the
    programme, DOMAIN.md 2)."""
    staff = staff_for(user)
    return staff is not None and staff.has_role(Role.PROGRAMME_MANAGER)


def can_make_quarterly_return(user: AnyUser) -> bool:
    """Programme managers make the quarterly progress return and save its column
    layouts: the return lists every family on the programme."""
    staff = staff_for(user)
    return staff is not None and staff.has_role(Role.PROGRAMME_MANAGER)


def reporting_family_scope(user: AnyUser) -> Q:
    """The families ``user``'s figures and lists count, as a filter on ``Family``: those
    the access policy lets them see (every family for the programme-wide roles)."""
    return family_scope(user)


def reporting_restricted_scope(user: AnyUser) -> Q:
    """Families whose restricted needs (domestic abuse, health, substance use) ``user``
    may see named in the return: the access policy's restricted-information rule."""
    return family_restricted_scope(user)
