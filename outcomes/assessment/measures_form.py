"""The outcome measures part of the Outcome Plan editor's form (``forms.OutcomePlanForm``):
for each criterion (a tf2 problem, DOMAIN.md 4.2; an sf2022 headline, 4.3) the outcome
measures from the measure menu with their settings, and the result rules' framework-wide
settings (tf2's continuous employment, sf2022's months sustained).

The measures are checked only by the result rules' own parsing (``parse_parameters`` of
``tf2_results`` and ``sf2022_results``, and ``Measure.from_json``, which it calls for each
measure): the form passes what was typed to them as it is, and turns each
``ParameterError`` into a message on the field it is about, in the page's words.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.forms.boundfield import BoundField

from oneplan.forms import GOVUKForm
from outcomes.assessment.editable import (
    EditableFramework,
    ResultSetting,
    results_json,
    setting_value,
)
from outcomes.frameworks.measures import MEASURE_KINDS, Measure, MeasureKind
from outcomes.frameworks.registry import CRITERIA
from outcomes.frameworks.rules import result_rules_for
from outcomes.frameworks.types import ParameterError
from outcomes.frameworks.wording import percent_text

_NUMBER = {"inputmode": "numeric", "spellcheck": "false", "class": "govuk-input--width-3"}


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:]


@dataclass(frozen=True)
class MeasureBlock:
    """One outcome measure on the page: its "use it" box, then its settings."""

    kind: MeasureKind
    fields: list[BoundField]


@dataclass(frozen=True)
class OutcomeSection:
    code: str
    label: str
    blocks: list[MeasureBlock]


def _measure_setting_labels(kind: MeasureKind) -> dict[str, str]:
    name = kind.menu_label
    reduction = kind.code in ("offending_reduction", "asb_reduction", "callout_reduction")
    return {
        "months": (
            f"{name}: months compared, before attachment and most recently"
            if reduction
            else f"{name}: months to look back"
        ),
        "percent": (
            f"{name}: at least what percentage fewer"
            if reduction
            else f"{name}: unauthorised absence under what percentage"
        ),
        "count": f"{name}: fewer than how many fixed-term exclusions",
        "terms": f"{name}: over how many complete terms",
        "weeks": f"{name}: weeks in work",
        "weeks_after_jsa": f"{name}: weeks in work after Jobseeker's Allowance",
        "codes": f"{name}: also needed"
        if kind.code == "school_attendance"
        else f"{name}: which count",
        "min_age": f"{name}: youngest age",
        "max_age": f"{name}: oldest age",
    }


# What messages call a measure's settings, for the result rules' own messages, which
# name them as the parameters do ("percent must be more than 0 and at most 100").
_SETTING_WORDS = {
    "weeks_after_jsa": "the weeks in work after Jobseeker's Allowance",
    "min_age": "the youngest age",
    "max_age": "the oldest age",
    "months": "the number of months",
    "percent": "the percentage",
    "count": "the number of fixed-term exclusions",
    "terms": "the number of terms",
    "weeks": "the weeks in work",
    "codes": "the options",
}
_SETTING_TOKEN = re.compile(r"\b(" + "|".join(_SETTING_WORDS) + r")\b")
# Where a ``ParameterError`` of the ``results`` parameters points: a criterion's list of
# measures, one measure in it, or a framework-wide setting; then what is wrong.
_WHERE = re.compile(
    r"^results\.(?:outcomes\.(?P<code>\w+)(?:\[(?P<n>\d+)\])?|(?P<top>employment|sustain_months))"
    r"(?P<tail>.*)$",
    re.S,
)
_NOT_GIVEN = ("must be a whole number", "must be a number")


class _AnyOfTheChoices(forms.MultipleChoiceField):
    """Checkboxes whose values the result rules check (an unknown code is theirs to
    refuse), so the form keeps no second copy of that rule."""

    def valid_value(self, value: Any) -> bool:
        return True


def _typed(setting: str, value: Any) -> Any:
    """What was typed, as the ``results`` parameters hold it, without judging it: a
    whole number as a number, anything else as the text typed (the rules say what is
    wrong with it), nothing as None, a percentage as its text (the rules read it)."""
    if setting == "codes":
        return list(value or [])
    text = str(value or "").strip()
    if not text:
        return None
    if setting != "percent" and re.fullmatch(r"-?\d+", text):
        return int(text)
    return text


def _shown(setting: str, value: Any) -> Any:
    """A saved setting as the form shows it."""
    if setting == "codes":
        return list(value or [])
    if value is None:
        return None
    if setting == "percent":
        return percent_text(Decimal(str(value)))
    return str(value)


class OutcomeMeasuresForm(GOVUKForm):
    """The outcome measures fields and their checking; ``OutcomePlanForm`` calls
    ``measures_prepare`` before the form is made, ``measures_add_fields`` after the
    indicators' fields, and ``measures_clean`` from its ``clean``."""

    editor: EditableFramework
    labels: dict[str, str]

    def measures_prepare(
        self, editor: EditableFramework, parameters: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        """Read the version's measures; returns the fields' initial values."""
        self.editor = editor
        self.labels = dict(CRITERIA[editor.code])
        # The outcome measures start from the version's ``results`` (the defaults where
        # it has none); the edited ones are ``results`` once the form is valid.
        self.base_results = results_json(editor.code, parameters or {})
        self.results: dict[str, Any] | None = None
        # Fields shown as required whose values only the result rules check.
        self.judged_by_rules: list[str] = []
        self.measure_menu = _measure_menu_for(editor, self.base_results)
        # A kind offered under several criteria has the same labels in each; its
        # messages name the criterion, so the error summary says which one is wrong.
        offered = Counter(code for kinds in self.measure_menu.values() for code in kinds)
        self.repeated_measures = {code for code, times in offered.items() if times > 1}
        return _measure_initial(editor, self.base_results, self.measure_menu)

    def measures_add_fields(self) -> None:
        for problem, kinds in self.measure_menu.items():
            for code in kinds:
                self._add_measure_fields(problem, MEASURE_KINDS[code])
        for setting in self.editor.result_settings:
            self.fields[setting.field_name] = forms.CharField(
                label=setting.label, help_text=setting.hint, widget=forms.TextInput(attrs=_NUMBER)
            )
            self.judged_by_rules.append(setting.field_name)

    def _measure_where(self, problem: str, kind: MeasureKind) -> str:
        if kind.code not in self.repeated_measures:
            return ""
        return f" (under “{_lower(self.labels[problem])}”)"

    def _add_measure_fields(self, problem: str, kind: MeasureKind) -> None:
        """A measure's "use it" box and its settings, as plain text: what is typed goes
        to the result rules as it is, and they judge it (``clean``)."""
        prefix = f"outcome__{problem}__{kind.code}"
        labels = _measure_setting_labels(kind)
        self.fields[f"{prefix}__on"] = forms.BooleanField(label=kind.menu_label, required=False)
        for setting in kind.settings:
            name = f"{prefix}__{setting}"
            if setting == "codes":
                self.fields[name] = _AnyOfTheChoices(
                    label=labels[setting],
                    choices=list((kind.code_choices or {}).items()),
                    widget=forms.CheckboxSelectMultiple,
                    required=False,
                    help_text=(
                        "" if kind.code == "school_attendance" else "Tick none to count every one"
                    ),
                )
                continue
            attrs = {**_NUMBER, "inputmode": "decimal"} if setting == "percent" else _NUMBER
            optional = setting in ("min_age", "max_age")
            self.fields[name] = forms.CharField(
                label=labels[setting],
                required=not optional,
                help_text="Leave empty for no limit" if optional else "",
                widget=forms.TextInput(attrs=attrs),
            )
            if not optional:
                self.judged_by_rules.append(name)

    # -- layout for the template ------------------------------------------------------

    def outcome_sections(self) -> list[OutcomeSection]:
        sections = []
        for problem, label in CRITERIA[self.editor.code]:
            blocks = []
            for code in self.measure_menu[problem]:
                kind = MEASURE_KINDS[code]
                prefix = f"outcome__{problem}__{code}"
                names = [f"{prefix}__on", *(f"{prefix}__{s}" for s in kind.settings)]
                blocks.append(MeasureBlock(kind, [self[n] for n in names]))
            sections.append(OutcomeSection(problem, label, blocks))
        return sections

    def result_setting_fields(self) -> list[BoundField]:
        return [self[setting.field_name] for setting in self.editor.result_settings]

    # -- the outcome measures, judged by the result rules -------------------------------

    def _results_draft(
        self, data: Mapping[str, Any]
    ) -> tuple[dict[str, Any], dict[str, list[str]]]:
        """The ``results`` parameters as typed, and the measure kinds in use under each
        criterion in the order they are listed (to find the field a message is about)."""
        draft = copy.deepcopy(self.base_results)
        outcomes: dict[str, list[dict[str, Any]]] = {}
        in_use: dict[str, list[str]] = {}
        for problem, kinds in self.measure_menu.items():
            outcomes[problem], in_use[problem] = [], []
            for code in kinds:
                prefix = f"outcome__{problem}__{code}"
                if not data.get(f"{prefix}__on"):
                    continue
                item: dict[str, Any] = {"kind": code}
                for setting in MEASURE_KINDS[code].settings:
                    item[setting] = _typed(setting, data.get(f"{prefix}__{setting}"))
                outcomes[problem].append(item)
                in_use[problem].append(code)
        draft["outcomes"] = outcomes
        for rule in self.editor.result_settings:
            *parents, last = rule.path.split(".")
            target = draft
            for part in parents:
                target = target.setdefault(part, {})
            target[last] = _typed(last, data.get(rule.field_name))
        return draft, in_use

    def measures_clean(self, data: Mapping[str, Any]) -> None:
        """Judge the outcome measures with the result rules' parsing and nothing else.
        Each measure on its own first (``Measure.from_json``, as the rules' parsing calls
        it), so that every wrong setting is reported at once; then the whole, for what
        is about a criterion's list or the framework-wide settings. A wrong part is put
        back to its default to look for the next mistake; nothing of that is kept."""
        draft, in_use = self._results_draft(data)
        wrong = False
        for problem, items in draft["outcomes"].items():
            for n, item in enumerate(items):
                try:
                    Measure.from_json(item, f"results.outcomes.{problem}[{n}]")
                except ParameterError as exc:
                    self._results_error(str(exc), in_use)
                    items[n] = MEASURE_KINDS[item["kind"]].default.to_json()
                    wrong = True
        rules = result_rules_for(self.editor.code)
        defaults = rules.default_parameters()
        for _ in range(len(self.measure_menu) + len(self.editor.result_settings) + 1):
            try:
                parsed = rules.parse_parameters(draft)
            except ParameterError as exc:
                wrong = True
                where = self._results_error(str(exc), in_use)
                if where is None:
                    return
                if where in defaults:
                    draft[where] = copy.deepcopy(defaults[where])
                else:
                    draft["outcomes"][where] = copy.deepcopy(defaults["outcomes"][where])
                    in_use[where] = [i["kind"] for i in draft["outcomes"][where]]
                continue
            if not wrong:
                self.results = parsed.to_json()
            return

    def _results_error(self, message: str, in_use: Mapping[str, list[str]]) -> str | None:
        """Put the result rules' ``message`` on the field it is about, in the page's
        words; returns what it is about (a criterion code, ``employment`` or
        ``sustain_months``), or None for a message about no one field."""
        match = _WHERE.match(message)
        if match is None:
            self._error_once(None, message)
            return None
        tail = match["tail"].lstrip(": ")
        if match["top"]:
            return self._setting_error(match["top"], tail, message)
        code = match["code"]
        if code not in self.measure_menu:
            self._error_once(None, message)
            return None
        kinds = in_use.get(code, [])
        n = match["n"]
        if n is not None and int(n) < len(kinds):
            self._measure_error(code, MEASURE_KINDS[kinds[int(n)]], tail)
            return code
        first = f"outcome__{code}__{self.measure_menu[code][0]}__on"
        if "at least one" in tail:
            self._error_once(
                first, f"Select at least one outcome measure for “{_lower(self.labels[code])}”"
            )
            return code
        recorded = f"outcome__{code}__recorded__on"
        field = recorded if "recorded" in tail and recorded in self.fields else first
        self._error_once(field, f"{self.labels[code]}: {tail}")
        return code

    def _measure_error(self, problem: str, kind: MeasureKind, tail: str) -> None:
        prefix = f"outcome__{problem}__{kind.code}"
        token = _SETTING_TOKEN.search(tail)
        setting = token.group(1) if token else ("codes" if "unknown code" in tail else "")
        if setting not in kind.settings:
            setting = ""
        field = f"{prefix}__{setting}" if setting else f"{prefix}__on"
        typed = str(self.data.get(self.add_prefix(field), "") or "").strip()
        if setting and setting != "codes" and not typed and tail.endswith(_NOT_GIVEN):
            words = f"enter {_SETTING_WORDS[setting]}"
        else:
            words = re.sub(r"unknown code '(.*)'", r"“\1” is not one of the options", tail)
            words = _SETTING_TOKEN.sub(lambda m: _SETTING_WORDS[m.group(1)], words)
        where = self._measure_where(problem, kind)
        self._error_once(field, f"{kind.menu_label}: {words}{where}")

    def _setting_error(self, top: str, tail: str, message: str) -> str:
        token = _SETTING_TOKEN.search(tail) if top == "employment" else None
        path = f"employment.{token.group(1)}" if token else top
        setting = next((s for s in self.editor.result_settings if s.path == path), None)
        if setting is None:
            self._error_once(None, message)
            return top
        rest = tail[token.end() :].strip() if token else tail
        self._error_once(setting.field_name, _setting_message(setting, rest, self.data))
        return top

    def _error_once(self, field: str | None, message: str) -> None:
        if field is not None and field not in self.fields:
            field = None
        if message not in self.errors.get(field or "__all__", []):
            self.add_error(field, message)


def _setting_message(setting: ResultSetting, rest: str, data: Mapping[str, Any]) -> str:
    typed = str(data.get(setting.field_name, "") or "").strip()
    if not typed and rest.endswith(_NOT_GIVEN):
        return f"Enter {_lower(setting.noun)}"
    return f"{setting.noun} {rest}"


def _measure_menu_for(
    editor: EditableFramework, results: Mapping[str, Any]
) -> dict[str, tuple[str, ...]]:
    """Each criterion's measure kinds: the menu's, then any other the version uses."""
    menu = {problem: list(kinds) for problem, kinds in editor.measure_menu.items()}
    for problem, items in (results.get("outcomes") or {}).items():
        if problem not in menu:
            continue
        for item in items:
            code = item.get("kind")
            if code in MEASURE_KINDS and code not in menu[problem]:
                menu[problem].append(code)
    return {problem: tuple(kinds) for problem, kinds in menu.items()}


def _measure_initial(
    editor: EditableFramework,
    results: Mapping[str, Any],
    menu: Mapping[str, tuple[str, ...]],
) -> dict[str, Any]:
    """Form values from a version's ``results``: its measures ticked with their
    settings, the others with their kind's defaults; the framework-wide settings."""
    initial: dict[str, Any] = {}
    outcomes = results.get("outcomes") or {}
    for problem, kinds in menu.items():
        saved: dict[str, Measure] = {}
        for item in outcomes.get(problem, []):
            saved.setdefault(item["kind"], Measure.from_json(item))
        for code in kinds:
            kind = MEASURE_KINDS[code]
            source = saved.get(code, kind.default)
            prefix = f"outcome__{problem}__{code}"
            initial[f"{prefix}__on"] = code in saved
            for setting in kind.settings:
                initial[f"{prefix}__{setting}"] = _shown(setting, getattr(source, setting))
    for rule in editor.result_settings:
        last = rule.path.rsplit(".", 1)[-1]
        initial[rule.field_name] = _shown(last, setting_value(results, rule.path))
    return initial
