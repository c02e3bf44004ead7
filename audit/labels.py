"""Access events in words a person recognises: the family and the page, not internal ids.

``access_event_words`` is the one function that turns what an event recorded into words
("Plan for Blackburn family, F-000666", "Case notes, F-000666"); ``AccessEvent.what``
calls it. It reads nothing: the family's name comes from ``family_name``, which
``audit.selectors.access_events_name`` fills in for the families the viewer may see.

Audit imports no case app (docs/decisions/0005), so the families app gives it the names
through a hook it registers in its ``AppConfig.ready()`` (``register_family_names``, the
pattern of docs/decisions/0008).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # Only for types: audit.models imports this module, before the user model is ready.
    from agencies.models import AnyUser

# What a caller's ``object_type`` names, in words. An unknown type is shown as it was
# written, with its id, so a new page is never left out of the log.
OBJECT_WORDS: dict[str, str] = {
    "family": "Family",
    "person": "Person",
    "plan": "Plan",
    "plan_versions": "Earlier versions of the plan",
    "plan_needs": "Needs in the plan",
    "plan_need": "A need in the plan",
    "plan_goals": "Goals in the plan",
    "plan_goal": "A goal in the plan",
    "plan_action": "An action in the plan",
    "reviews": "Reviews of the plan",
    "review": "A review of the plan",
    "agreement": "Agreement with the family",
    "agreements": "Agreements with the family",
    "case_notes": "Case notes",
    "chronology": "Chronology",
    "assessment": "Eligibility assessment",
    "results": "Results and claim readiness",
    "caseload_summary": "Caseload summary export (counts only)",
    "feed_submission": "Agency file",
    "match_review": "Match review",
    "job": "Background job",
    "claim_batch": "Claim batch",
    "claim_batch_export": "Claim batch export",
    "claim_readiness": "Claim readiness list",
    "recorded_outcomes": "Outcomes recorded by the lead practitioner",
}

# Things without a family that people know by their number (an agency file is "file 12"
# on its own page), so the number stays in the words.
_NUMBERED = {"feed_submission", "match_review", "job", "claim_batch", "claim_batch_export"}

# Pages people know by another name than their URL name. The family page itself (and
# the family in the API) is the family, so it adds nothing; any other page is named by
# its URL name ("plans:case-notes" is "Case notes").
_PAGE_WORDS = {
    "detail": "",
    "family": "",
    "transition": "Change of status",
    "access": "Why can I see this family",
    "team": "Team around the family",
    "viewers": "Who has viewed this family",
    "plan-print": "Printed plan",
    "plan-pdf": "Plan as a PDF",
}

FamilyNames = Callable[["AnyUser", Collection[int]], Mapping[int, str]]

_family_names: list[FamilyNames] = []


def register_family_names(source: FamilyNames) -> None:
    """Tell audit how to name families: ``source(viewer, family_ids)`` answers, for the
    families among ``family_ids`` that ``viewer`` may see, the name people know the
    family by ("Blackburn"). Families the viewer may not see are left out, so the log
    never shows a name its reader could not see on the family's own page."""
    _family_names[:] = [source]


def family_names_for(viewer: AnyUser, family_ids: Collection[int]) -> Mapping[int, str]:
    """The registered source's answer, or no names when none is registered or asked."""
    if not _family_names or not family_ids:
        return {}
    return _family_names[0](viewer, family_ids)


def route_words(route: str) -> str:
    """A page's URL name in words: "plans:case-notes" is "Case notes", the API's
    "family-case-note-list" is "Case note"; the family page (and the family in the
    API) is the family, so nothing."""
    name = route.rpartition(":")[2]
    for suffix in ("-list", "-detail"):
        name = name.removesuffix(suffix)
    if name != "family":
        name = name.removeprefix("family-")
    if name in _PAGE_WORDS:
        return _PAGE_WORDS[name]
    return name.replace("-", " ").replace("_", " ").capitalize()


def access_event_words(
    *,
    object_type: str,
    object_id: str,
    family_reference: str,
    family_name: str = "",
    subject_name: str = "",
    detail: Mapping[str, Any] | None = None,
) -> str:
    """What one event was about, in words, for a table cell.

    About a family: the family's name (when the reader may see it) and its reference,
    with the page or record ("Case notes for Blackburn family, F-000666"; without the
    name, "Case notes, F-000666"). A refused request names the page that was asked for.
    Not about a family: the kind of record, with its number where people know it by one.
    """
    page = route_words(str((detail or {}).get("route", "")))
    if object_type == "user_activity":
        # The data protection officer reading someone's activity, perhaps with one family.
        words = f"Activity of {subject_name or f'user {object_id}'}"
        if family_reference and family_name:
            return f"{words} with {family_name} family, {family_reference}"
        return f"{words} with {family_reference}" if family_reference else words
    if family_reference:
        noun = page or ("" if object_type == "family" else _object_noun(object_type))
        preposition = " in" if object_type == "person" and not page else " for"
        if family_name:
            family = f"{family_name} family, {family_reference}"
            return f"{noun}{preposition} {family}" if noun else family
        return f"{noun}, {family_reference}" if noun else f"Family {family_reference}"
    if object_type == "person":
        return f"Person not in a family (record {object_id})"
    if object_type == "family":
        return f"Family record {object_id}"
    noun = _object_noun(object_type)
    if object_type in OBJECT_WORDS and object_type not in _NUMBERED:
        return noun
    return f"{noun} {object_id}".strip()


def _object_noun(object_type: str) -> str:
    return OBJECT_WORDS.get(object_type) or (object_type.replace("_", " ").capitalize() or "Record")
