"""The frameworks whose local rules a programme manager edits, and what the pages call
them: the council's Troubled Families Outcome Plan (tf2, DOMAIN.md 4.2) and its
Supporting Families outcomes framework under the ten headlines (sf2022, DOMAIN.md 4.3).

Both are lists of indicators per criterion with one number the eligibility rule counts
against, so one editor, one preview and one save serve both; this is what differs.
Pure data: the services, selectors, forms and views all read it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from outcomes.frameworks import sf2022, tf2
from outcomes.frameworks.registry import CRITERIA


@dataclass(frozen=True)
class EditableFramework:
    code: str
    # The page heading ("Troubled Families Outcome Plan").
    title: str
    # In a sentence, after "Change" or "Version 2 of" ("the Outcome Plan").
    name: str
    # What each criterion is called, one and many ("problem", "problems").
    noun: str
    nouns: str
    # The eligibility parameter: how many criteria a family needs.
    count_key: str
    # What else the eligibility rule asks of the household, after "and".
    household_rule: str
    # How a family meets the count, before "at least 3 of the ten headlines".
    has: str
    # Which indicator kinds each criterion offers. A saved version may hold others (from
    # an earlier version); the editor offers those too, so editing never drops them.
    menu: Mapping[str, tuple[str, ...]]

    @property
    def criteria_count(self) -> int:
        return len(CRITERIA[self.code])

    @property
    def criteria_count_words(self) -> str:
        """ "six", "ten": how many criteria the framework has, as pages write it."""
        return _NUMBER_WORDS.get(self.criteria_count, str(self.criteria_count))


_NUMBER_WORDS = {6: "six", 10: "ten"}


EDITABLE: dict[str, EditableFramework] = {
    tf2.CODE: EditableFramework(
        code=tf2.CODE,
        title="Troubled Families Outcome Plan",
        name="the Outcome Plan",
        noun="problem",
        nouns="problems",
        count_key=next(iter(tf2.ELIGIBILITY_DEFAULTS)),
        household_rule="a dependent child",
        has="has",
        menu={
            "crime": ("proven_offence", "asb_intervention", "police_callouts"),
            "education": ("unauthorised_absence", "exclusions", "neet"),
            "children_in_need": ("children_social_care", "early_help"),
            "worklessness": ("out_of_work_benefit", "rent_arrears", "neet"),
            "domestic_abuse": ("domestic_abuse", "police_callouts"),
            "health": ("health_need",),
        },
    ),
    sf2022.CODE: EditableFramework(
        code=sf2022.CODE,
        title="Supporting Families outcomes framework",
        name="the outcomes framework",
        noun="headline",
        nouns="headlines",
        count_key=next(iter(sf2022.ELIGIBILITY_DEFAULTS)),
        household_rule="dependent children or an expectant parent",
        has="has needs under",
        menu={
            "education": ("unauthorised_absence", "exclusions", "neet"),
            "early_years": ("early_help", "health_need"),
            "health": ("health_need",),
            "substance_use": ("health_need",),
            "family_relationships": ("police_callouts", "domestic_abuse"),
            "child_safety": ("children_social_care", "early_help", "police_callouts"),
            "crime": ("proven_offence", "asb_intervention", "police_callouts"),
            "domestic_abuse": ("domestic_abuse", "police_callouts"),
            "housing": ("housing_event", "rent_arrears"),
            "financial_stability": ("out_of_work_benefit", "rent_arrears"),
        },
    ),
}


def editable_framework(code: str) -> EditableFramework | None:
    """The editor's description of ``code``, or None when it has no local rules to edit
    (tf1's are national)."""
    return EDITABLE.get(code)
