"""Which plan content is restricted information (DOMAIN.md section 7).

Needs with these codes reveal domestic abuse, health or substance use: they follow the
family's restricted-information rule (``families.access.can_view_restricted``) on pages
and in the API, and are left out of the family's printed plan and of exports.
"""

RESTRICTED_NEED_CODES = frozenset({"domestic_abuse", "health", "substance_use"})
