"""The frameworks whose local rules a programme manager edits, and what the pages call
them: the council's Troubled Families Outcome Plan (tf2, DOMAIN.md 4.2) and its
Supporting Families outcomes framework under the ten headlines (sf2022, DOMAIN.md 4.3).

Both are lists of indicators per criterion with one number the eligibility rule counts
against, and lists of outcome measures per criterion (the version's ``results``
parameters, which the result rules read), so one editor, one preview and one save serve
both; this is what differs. Pure: the services, selectors, forms and views all read it,
and the words for a version's outcome measures and for what changed between two versions
are here too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from outcomes.frameworks import sf2022, tf2
from outcomes.frameworks.indicators import Indicator
from outcomes.frameworks.measures import Measure
from outcomes.frameworks.registry import CRITERIA
from outcomes.frameworks.rules import result_rules_for, rules_for


@dataclass(frozen=True)
class ResultSetting:
    """A framework-wide setting of the result rules: where it sits in the ``results``
    parameters (``employment.weeks``: the ``weeks`` of the ``employment`` measure), its
    label, and what messages call it."""

    path: str
    label: str
    noun: str
    hint: str = ""

    @property
    def field_name(self) -> str:
        return "results__" + self.path.replace(".", "__")


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
    # Which outcome measure kinds (``measures.MEASURE_KINDS``) each criterion offers, in
    # the order the page shows them; the same rule about saved kinds applies.
    measure_menu: Mapping[str, tuple[str, ...]]
    # What a family must show against each criterion, after "What counts as".
    outcome: str
    # The result rules' framework-wide settings, in the order of the page.
    result_settings: tuple[ResultSetting, ...]

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
        # DOMAIN.md 4.2's outcomes for each problem. No "recorded by the lead
        # practitioner": tf2's result rules refuse it (it would pass a problem unmeasured).
        measure_menu={
            "crime": (
                "offending_reduction",
                "asb_reduction",
                "no_offending",
                "no_asb",
                "callout_reduction",
            ),
            "education": ("school_attendance",),
            "children_in_need": ("social_care_ended",),
            "worklessness": (
                "employment_or_arrears_cleared",
                "continuous_employment",
                "in_work",
                "arrears_cleared",
                "no_out_of_work_benefit",
            ),
            "domestic_abuse": ("no_domestic_abuse", "callout_reduction"),
            "health": ("health_improved",),
        },
        outcome="significant and sustained progress",
        result_settings=(
            ResultSetting(
                "employment.weeks",
                "Continuous employment on its own: weeks in work",
                "The weeks in work for continuous employment on its own",
                "The other way to a result: an adult who was on an out-of-work benefit at "
                "attachment in continuous employment for this many weeks",
            ),
            ResultSetting(
                "employment.weeks_after_jsa",
                "Continuous employment on its own: weeks in work after Jobseeker's Allowance",
                "The weeks in work after Jobseeker's Allowance for continuous employment on "
                "its own",
                "For an adult who came off Jobseeker's Allowance",
            ),
        ),
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
        # DOMAIN.md 4.3's positive outcomes, and "recorded by the lead practitioner" for
        # every need (where no feed carries the measure).
        measure_menu={
            "education": ("school_attendance", "recorded"),
            "early_years": ("recorded", "health_improved", "social_care_ended"),
            "health": ("health_improved", "recorded"),
            "substance_use": ("health_improved", "recorded"),
            "family_relationships": ("recorded", "no_domestic_abuse", "callout_reduction"),
            "child_safety": ("social_care_ended", "recorded"),
            "crime": (
                "no_offending",
                "no_asb",
                "offending_reduction",
                "asb_reduction",
                "callout_reduction",
                "recorded",
            ),
            "domestic_abuse": ("no_domestic_abuse", "callout_reduction", "recorded"),
            "housing": ("housing_stable", "no_housing_event", "arrears_cleared", "recorded"),
            "financial_stability": (
                "employment_or_arrears_cleared",
                "continuous_employment",
                "in_work",
                "no_out_of_work_benefit",
                "arrears_cleared",
                "recorded",
            ),
        },
        outcome="a positive outcome",
        result_settings=(
            ResultSetting(
                "sustain_months",
                "Months every outcome must be sustained after the case closes",
                "The months every outcome must be sustained after the case closes",
                "The claim date is the case closure plus this many months",
            ),
        ),
    ),
}


def editable_framework(code: str) -> EditableFramework | None:
    """The editor's description of ``code``, or None when it has no local rules to edit
    (tf1's are national)."""
    return EDITABLE.get(code)


# ---------------------------------------------------------------------------
# A version's outcome measures, and what changed between two versions, in words
# ---------------------------------------------------------------------------


def results_json(framework: str, parameters: Mapping[str, Any]) -> dict[str, Any]:
    """A version's ``results`` parameters as the result rules read them (the defaults
    where the version has none, as for version 1), parsed and written back: the form
    every page and the editor start from. ``ParameterError`` if they cannot be used."""
    rules = result_rules_for(framework)
    parsed = rules.parse_parameters(parameters.get("results"))
    data: dict[str, Any] = parsed.to_json()
    return data


def setting_value(results: Mapping[str, Any], path: str) -> Any:
    """The value at ``path`` ("employment.weeks") of ``results`` parameters."""
    value: Any = results
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


@dataclass(frozen=True)
class CriterionOutcomes:
    code: str
    label: str
    measures: list[str]


@dataclass(frozen=True)
class OutcomesView:
    """A version's outcome measures in words: each criterion's, all of which must hold,
    and the framework-wide settings as sentences."""

    criteria: list[CriterionOutcomes]
    settings: list[str]


def _settings_text(results: Mapping[str, Any]) -> list[str]:
    lines = []
    if "employment" in results:
        employment = Measure.from_json(results["employment"]).description
        lines.append(f"Continuous employment on its own (the other way to a result): {employment}")
    if "sustain_months" in results:
        months = results["sustain_months"]
        lines.append(
            f"Every outcome sustained for {months} {'month' if months == 1 else 'months'} "
            "after the case closes (the claim date)"
        )
    return lines


def outcomes_view(framework: str, parameters: Mapping[str, Any]) -> OutcomesView:
    """The outcome measures of a version of ``framework`` (tf2, sf2022) in words."""
    results = results_json(framework, parameters)
    outcomes = results.get("outcomes", {})
    criteria = [
        CriterionOutcomes(
            code,
            label,
            [Measure.from_json(item).description for item in outcomes.get(code, [])],
        )
        for code, label in CRITERIA[framework]
    ]
    return OutcomesView(criteria, _settings_text(results))


def _by_kind(items: Iterable[Indicator | Measure]) -> dict[str, str]:
    """Each item's description by kind (the editor keeps one of each kind)."""
    described: dict[str, str] = {}
    for item in items:
        described.setdefault(item.kind, item.description)
    return described


def _measures(results: Mapping[str, Any], code: str) -> list[Measure]:
    return [Measure.from_json(item) for item in results["outcomes"].get(code, [])]


def _list_changes(
    label: str, what: str, before: dict[str, str], after: dict[str, str]
) -> list[str]:
    changes = []
    for kind, text in after.items():
        if kind not in before:
            changes.append(f"{label}: {what} added: {text}")
        elif before[kind] != text:
            changes.append(f"{label}: {what} changed from “{before[kind]}” to “{text}”")
    changes += [
        f"{label}: {what} removed: {text}" for kind, text in before.items() if kind not in after
    ]
    return changes


def version_changes(
    framework: str, before: Mapping[str, Any], after: Mapping[str, Any]
) -> list[str]:
    """What changed from one version of ``framework``'s local rules to the next, in
    words: how many criteria a family needs, each criterion's indicators and outcome
    measures (added, removed, settings changed) and the result rules' framework-wide
    settings. Empty when the rules are the same (only the wording of a saved list
    may differ)."""
    editor = EDITABLE[framework]
    rules = rules_for(framework)
    old, new = rules.parse_parameters(before), rules.parse_parameters(after)
    changes: list[str] = []
    key = editor.count_key
    if old.eligibility[key] != new.eligibility[key]:
        changes.append(
            f"A family needs at least {new.eligibility[key]} {editor.nouns} to be identified "
            f"(was {old.eligibility[key]})"
        )
    if old.household != new.household:
        changes.append("The household definitions (ages of children and adults) changed")
    old_results, new_results = results_json(framework, before), results_json(framework, after)
    for code, label in CRITERIA[framework]:
        changes += _list_changes(
            label, "indicator", _by_kind(old.criteria[code]), _by_kind(new.criteria[code])
        )
        changes += _list_changes(
            label,
            "outcome measure",
            _by_kind(_measures(old_results, code)),
            _by_kind(_measures(new_results, code)),
        )
    old_settings = _settings_text(old_results)
    new_settings = _settings_text(new_results)
    changes += [
        f"{now} (was: {was})"
        for was, now in zip(old_settings, new_settings, strict=False)
        if was != now
    ]
    return changes


__all__ = [
    "EDITABLE",
    "CriterionOutcomes",
    "EditableFramework",
    "OutcomesView",
    "ResultSetting",
    "editable_framework",
    "outcomes_view",
    "results_json",
    "setting_value",
    "version_changes",
]
