"""The editor's form for a framework's local rules: for each criterion (a tf2 Outcome Plan
problem, DOMAIN.md 4.2; an sf2022 headline, 4.3), the indicator kinds from the menu with
their thresholds and windows, and how many criteria a family needs; then each
criterion's outcome measures and the result settings (``measures_form``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.forms.boundfield import BoundField

from outcomes.assessment.editable import EditableFramework, results_json
from outcomes.assessment.measures_form import OutcomeMeasuresForm
from outcomes.frameworks.indicators import KINDS, Indicator, IndicatorKind
from outcomes.frameworks.registry import CRITERIA
from outcomes.frameworks.rules import rules_for
from outcomes.frameworks.types import ParameterError

_NUMBER = {"inputmode": "numeric", "spellcheck": "false", "class": "govuk-input--width-3"}
_LIMITS = {
    "months": (1, 60),
    "count": (1, 100),
    "terms": (1, 9),
    "min_age": (0, 120),
    "max_age": (0, 120),
}


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:]


def _setting_labels(kind: IndicatorKind) -> dict[str, str]:
    name = kind.menu_label
    count = {
        "police_callouts": f"{name}: at least how many",
        "exclusions": f"{name}: at least how many fixed-term exclusions",
    }.get(kind.code, f"{name}: at least how many")
    return {
        "months": f"{name}: months to look back",
        "count": count,
        "percent": f"{name}: at least what percentage of sessions",
        "terms": f"{name}: over how many terms",
        "codes": f"{name}: which ones count",
        "min_age": f"{name}: youngest age",
        "max_age": f"{name}: oldest age",
    }


@dataclass(frozen=True)
class IndicatorBlock:
    """One menu item on the page: its heading and its fields, in order."""

    kind: IndicatorKind
    fields: list[BoundField]


@dataclass(frozen=True)
class ProblemSection:
    code: str
    label: str
    blocks: list[IndicatorBlock]


class OutcomePlanForm(OutcomeMeasuresForm):
    """Every menu item of every criterion of ``editor``'s framework: a "use it" checkbox
    and its settings, and how many criteria a family needs (the field is named after the
    framework's eligibility parameter, ``min_problems`` or ``min_needs``).

    Settings are required only for the indicators in use; ``change_note`` only when
    saving. Values typed into unused indicators are kept and shown again. Then every
    criterion's outcome measures and the result settings (``OutcomeMeasuresForm``).
    """

    based_on = forms.IntegerField(widget=forms.HiddenInput)
    preview = forms.CharField(widget=forms.HiddenInput, required=False)
    change_note = forms.CharField(
        label="What changed and why",
        help_text="Saved with the new version, for the version history and audit.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        error_messages={
            "required": "Enter what changed and why",
            "max_length": "What changed and why must be 2,000 characters or fewer",
        },
    )

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        editor: EditableFramework,
        parameters: Mapping[str, Any] | None = None,
        based_on: int | None = None,
        preview: str = "",
        saving: bool = False,
    ) -> None:
        self.editor = editor
        self.saving = saving
        self.labels = dict(CRITERIA[editor.code])
        self.menu = _menu_for(editor, parameters)
        # A kind offered under several criteria has the same labels in each; its
        # messages name the criterion, so the error summary says which one is wrong.
        offered = Counter(code for kinds in self.menu.values() for code in kinds)
        self.repeated = {code for code, times in offered.items() if times > 1}
        initial: dict[str, Any] = {"based_on": based_on, "preview": preview}
        measures_initial = self.measures_prepare(editor, parameters)
        if parameters is not None:
            initial.update(_initial_from(editor, parameters, self.menu))
            initial.update(measures_initial)
        super().__init__(data, initial=initial)
        self.fields[editor.count_key] = self._count_field()
        for problem, kinds in self.menu.items():
            for code in kinds:
                self._add_indicator_fields(problem, KINDS[code])
        self.measures_add_fields()
        # In the order of the page, which the error summary follows.
        self.fields["change_note"] = self.fields.pop("change_note")

    # -- building -----------------------------------------------------------------

    def _count_field(self) -> forms.IntegerField:
        nouns, most = self.editor.nouns, self.editor.criteria_count
        between = f"How many {nouns} a family needs must be between 1 and {most}"
        return forms.IntegerField(
            label=(
                f"How many of the {self.editor.criteria_count_words} {nouns} a family "
                "needs to be identified"
            ),
            min_value=1,
            max_value=most,
            widget=forms.TextInput(attrs=_NUMBER),
            error_messages={
                "required": f"Enter how many {nouns} a family needs to be identified",
                "invalid": f"How many {nouns} a family needs must be a whole number",
                "min_value": between,
                "max_value": between,
            },
        )

    def count_field(self) -> BoundField:
        return self[self.editor.count_key]

    def _where(self, problem: str, kind: IndicatorKind) -> str:
        if kind.code not in self.repeated:
            return ""
        return f" (under “{_lower(self.labels[problem])}”)"

    def _add_indicator_fields(self, problem: str, kind: IndicatorKind) -> None:
        prefix = f"{problem}__{kind.code}"
        labels = _setting_labels(kind)
        where = self._where(problem, kind)
        self.fields[f"{prefix}__on"] = forms.BooleanField(
            label=kind.menu_label,
            required=False,
        )
        for setting in kind.settings:
            label = labels[setting]
            name = f"{prefix}__{setting}"
            name_lower = _lower(kind.menu_label)
            if setting == "codes":
                self.fields[name] = forms.MultipleChoiceField(
                    label=label,
                    choices=list((kind.code_choices or {}).items()),
                    widget=forms.CheckboxSelectMultiple,
                    error_messages={
                        "required": f"Select at least one option for {name_lower}{where}",
                        "invalid_choice": (
                            f"Choose the options for {name_lower} from the list{where}"
                        ),
                    },
                )
            elif setting == "percent":
                range_message = (
                    f"The percentage for {name_lower} must be between 0.1 and 100{where}"
                )
                self.fields[name] = forms.DecimalField(
                    label=label,
                    min_value=Decimal("0.1"),
                    max_value=Decimal("100"),
                    decimal_places=1,
                    widget=forms.TextInput(attrs={**_NUMBER, "inputmode": "decimal"}),
                    error_messages={
                        "required": f"Enter the percentage for {name_lower}{where}",
                        "invalid": (
                            f"The percentage for {name_lower} must be a number, like 15{where}"
                        ),
                        "min_value": range_message,
                        "max_value": range_message,
                        "max_digits": range_message,
                        "max_whole_digits": range_message,
                        "max_decimal_places": (
                            f"The percentage for {name_lower} can have at most 1 decimal "
                            f"place{where}"
                        ),
                    },
                )
            else:
                low, high = _LIMITS[setting]
                optional = setting in ("min_age", "max_age")
                between = f"{label} must be between {low} and {high}{where}"
                self.fields[name] = forms.IntegerField(
                    label=label,
                    min_value=low,
                    max_value=high,
                    required=not optional,
                    help_text="Leave empty for no limit" if optional else "",
                    widget=forms.TextInput(attrs=_NUMBER),
                    error_messages={
                        "required": f"Enter {_lower(label)}{where}",
                        "invalid": f"{label} must be a whole number{where}",
                        "min_value": between,
                        "max_value": between,
                    },
                )

    # -- layout for the template ------------------------------------------------------

    def sections(self) -> list[ProblemSection]:
        sections = []
        for problem, label in CRITERIA[self.editor.code]:
            blocks = []
            for code in self.menu[problem]:
                kind = KINDS[code]
                prefix = f"{problem}__{code}"
                names = [f"{prefix}__on", *(f"{prefix}__{s}" for s in kind.settings)]
                blocks.append(IndicatorBlock(kind, [self[n] for n in names]))
            sections.append(ProblemSection(problem, label, blocks))
        return sections

    # -- validation -------------------------------------------------------------------

    def _in_use(self, problem: str, code: str) -> bool:
        field = self.fields[f"{problem}__{code}__on"]
        return bool(
            field.widget.value_from_datadict(
                self.data, self.files, self.add_prefix(f"{problem}__{code}__on")
            )
        )

    def full_clean(self) -> None:
        # Settings count only for indicators in use: the others are neither required nor
        # checked, but what was typed into them is kept. Required is switched back
        # afterwards, so the page never labels them "(optional)".
        unused: list[str] = []
        if self.is_bound:
            for problem, kinds in self.menu.items():
                for code in kinds:
                    if not self._in_use(problem, code):
                        unused.extend(f"{problem}__{code}__{s}" for s in KINDS[code].settings)
            self.fields["change_note"].required = self.saving
        # The outcome measures' settings are the result rules' to judge, empty or not.
        unused.extend(self.judged_by_rules)
        relaxed = [self.fields[name] for name in unused if self.fields[name].required]
        for field in relaxed:
            field.required = False
        try:
            super().full_clean()
        finally:
            for field in relaxed:
                field.required = True
        for name in unused:
            if name not in self.judged_by_rules:
                self.errors.pop(name, None)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for problem, label in CRITERIA[self.editor.code]:
            in_use = [code for code in self.menu[problem] if data.get(f"{problem}__{code}__on")]
            if not in_use:
                first = self.menu[problem][0]
                self.add_error(
                    f"{problem}__{first}__on",
                    f"Select at least one indicator for “{_lower(label)}”",
                )
            for code in in_use:
                low = data.get(f"{problem}__{code}__min_age")
                high = data.get(f"{problem}__{code}__max_age")
                if low is not None and high is not None and low > high:
                    self.add_error(
                        f"{problem}__{code}__min_age",
                        f"{KINDS[code].menu_label}: the youngest age must not be more than "
                        f"the oldest{self._where(problem, KINDS[code])}",
                    )
        self.measures_clean(data)
        return data

    def parameters(self, base: Mapping[str, Any]) -> dict[str, Any]:
        """The edited rules as framework version parameters: the criteria, how many a
        family needs and the outcome measures (``results``) as edited; the household rules
        and anything else kept from ``base``. Call after ``is_valid()``."""
        data = self.cleaned_data
        criteria: dict[str, list[dict[str, Any]]] = {}
        for problem, kinds in self.menu.items():
            indicators = []
            for code in kinds:
                if not data.get(f"{problem}__{code}__on"):
                    continue
                values: dict[str, Any] = {"kind": code}
                for setting in KINDS[code].settings:
                    value = data.get(f"{problem}__{code}__{setting}")
                    if setting == "percent" and value is not None:
                        value = int(value) if value == value.to_integral() else float(value)
                    elif setting == "codes":
                        value = list(value or [])
                    values[setting] = value
                indicators.append(Indicator.from_json(values).to_json())
            criteria[problem] = indicators
        key = self.editor.count_key
        if self.results is None:
            raise ParameterError("The outcome measures have not been checked")
        # Whatever else the version holds (its result payments) is kept as it is.
        kept = {
            name: value
            for name, value in base.items()
            if name not in ("household", "criteria", "eligibility", "results")
        }
        edited = {
            **kept,
            "household": dict(base.get("household", {})),
            "criteria": criteria,
            "eligibility": {key: data[key]},
        }
        # A version without outcome measures of its own (version 1) uses the result
        # rules' defaults; while they are not changed, the new one does the same.
        if "results" in base or self.results != results_json(self.editor.code, base):
            edited["results"] = self.results
        return edited


def _menu_for(
    editor: EditableFramework, parameters: Mapping[str, Any] | None
) -> dict[str, tuple[str, ...]]:
    menu = {problem: list(kinds) for problem, kinds in editor.menu.items()}
    criteria = (parameters or {}).get("criteria", {}) or {}
    for problem, indicators in criteria.items():
        if problem not in menu or not isinstance(indicators, list):
            continue
        for item in indicators:
            code = item.get("kind") if isinstance(item, Mapping) else None
            if code in KINDS and code not in menu[problem]:
                menu[problem].append(code)
    return {problem: tuple(kinds) for problem, kinds in menu.items()}


def _initial_from(
    editor: EditableFramework,
    parameters: Mapping[str, Any],
    menu: Mapping[str, tuple[str, ...]],
) -> dict[str, Any]:
    """Form values from saved parameters: indicators in the version are ticked with their
    settings; the others show the menu's defaults."""
    key = editor.count_key
    default = rules_for(editor.code).default_parameters()["eligibility"][key]
    initial: dict[str, Any] = {key: (parameters.get("eligibility") or {}).get(key, default)}
    criteria = parameters.get("criteria") or {}
    for problem, kinds in menu.items():
        saved = {
            item.get("kind"): item
            for item in criteria.get(problem, [])
            if isinstance(item, Mapping)
        }
        for code in kinds:
            kind = KINDS[code]
            source = Indicator.from_json(saved[code]) if code in saved else kind.default
            initial[f"{problem}__{code}__on"] = code in saved
            for setting in kind.settings:
                value = getattr(source, setting)
                initial[f"{problem}__{code}__{setting}"] = (
                    list(value) if setting == "codes" else value
                )
    return initial
