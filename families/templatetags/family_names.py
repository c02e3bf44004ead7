"""``{% family_heading family %}``: the family as a page names it ("Blackburn family,
F-000666"), by the rule in ``families.naming``. Worked out once per family and viewer
in a request."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from families.models import Family
from families.naming import family_heading as heading_for
from oneplan.templatetags.govuk_tables import nowrap_within

register = template.Library()

_CACHE = "_family_heading_for"


@register.simple_tag(takes_context=True)
def family_heading(context: Any, family: Family) -> str:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return family.reference
    # Pages that worked out the viewer's permissions pass them as ``family_permissions``.
    permissions = context.get("family_permissions")
    cache: dict[int, str] = family.__dict__.setdefault(_CACHE, {})
    if user.pk not in cache:
        cache[user.pk] = heading_for(family, user, permissions=permissions)
    return cache[user.pk]


@register.filter
def reference_nowrap(text: str, reference: str) -> SafeString:
    """``text`` (a family heading) with the family's reference kept on one line, for
    table cells: "Blackburn family, <span class="app-nowrap">F-000666</span>"."""
    return nowrap_within(text, reference)
