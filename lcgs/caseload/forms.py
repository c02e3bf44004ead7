"""The caseload list's filters and sort, for the page and the API alike.

A query string, so every filter (and every figure of the dashboard) is a link to share.
Choices that name the user's LCGs, agencies and key workers are built for the user: an
LCG, agency or person outside the caseload is not a valid choice.
"""

from __future__ import annotations

from typing import Any

from django import forms

from agencies.models import LCG, Agency, Staff
from families.models import Track
from families.states import FamilyStatus
from lcgs.caseload.conditions import NONE, UNASSIGNED
from lcgs.caseload.rules import AGE_BANDS, CONCERN_LABELS, STAGES, WAIT_BANDS
from lcgs.caseload.selectors import (
    DEFAULT_SORT,
    FILTER_NAMES,
    SORTS,
    CaseloadQuery,
    problem_choices,
)
from oneplan.forms import GOVUKForm
from outcomes.models import Readiness

STATUS_CHOICES: list[tuple[str, str]] = [
    ("", "Any status"),
    ("open", "Any open status (not closed or left)"),
    ("ended", "Closed or left the journey"),
    *FamilyStatus.choices,
]
TRACK_CHOICES: list[tuple[str, str]] = [
    ("", "Any track"),
    *Track.choices,
    (NONE, "Not allocated to a track"),
]
READINESS_CHOICES: list[tuple[str, str]] = [
    ("", "Any readiness"),
    *Readiness.choices,
    (NONE, "Not evaluated"),
]
AGE_CHOICES: list[tuple[str, str]] = [("", "Any age"), *((b.key, b.label) for b in AGE_BANDS)]
STAGE_CHOICES: list[tuple[str, str]] = [("", "Any stage"), *((s.key, s.label) for s in STAGES)]
WAITED_CHOICES: list[tuple[str, str]] = [
    ("", "Any time"),
    *((b.key, b.label) for b in WAIT_BANDS),
]
CONCERN_CHOICES: list[tuple[str, str]] = [("", "None chosen"), *CONCERN_LABELS.items()]
SORT_CHOICES: list[tuple[str, str]] = [
    *((key, label) for key, (_, label) in SORTS.items()),
    *((f"-{key}", f"{label}, reversed") for key, (_, label) in SORTS.items()),
]


def _choice(label: str, choices: list[tuple[str, str]], what: str, **kwargs: Any) -> forms.Field:
    return forms.ChoiceField(
        label=label,
        required=False,
        choices=choices,
        error_messages={"invalid_choice": f"Select {what}"},
        **kwargs,
    )


class CaseloadFilterForm(GOVUKForm):
    lcg = _choice("LCG", [], "an LCG")
    status = _choice("Status", STATUS_CHOICES, "a status")
    track = _choice("Track", TRACK_CHOICES, "a track")
    lead_agency = _choice("Lead agency", [], "a lead agency")
    key_worker = _choice("Key worker (lead professional)", [], "a key worker")
    problem = _choice(
        "Problem", [], "a problem", help_text="Families with an open need of this kind"
    )
    readiness = _choice("Results", READINESS_CHOICES, "a readiness")
    age = _choice(
        "Age of case",
        AGE_CHOICES,
        "an age",
        help_text="Time since the family was identified (or re-opened)",
    )
    stage = _choice("Waiting at", STAGE_CHOICES, "a stage")
    waited = _choice("Waited", WAITED_CHOICES, "a time", help_text="Time at the stage above")
    concern = _choice("Needs chasing", CONCERN_CHOICES, "what needs chasing")
    overdue_agency = _choice("Overdue actions of", [], "an agency")
    sort = _choice("Sort by", SORT_CHOICES, "how to sort")

    def __init__(
        self,
        *args: Any,
        lcgs: list[LCG],
        unassigned: bool,
        agencies: list[Agency],
        key_workers: list[Staff],
        restricted_problems: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        lcg_choices = [("", "Any LCG"), *((str(lcg.pk), lcg.name) for lcg in lcgs)]
        if unassigned:
            lcg_choices.append((UNASSIGNED, "Unassigned (outside every LCG)"))
        agency_choices = [(str(a.pk), a.name) for a in agencies]
        self._set("lcg", lcg_choices)
        self._set("lead_agency", [("", "Any lead agency"), *agency_choices, (NONE, "None")])
        self._set(
            "key_worker",
            [
                ("", "Any key worker"),
                *((str(s.pk), s.display_name) for s in key_workers),
                (NONE, "No lead professional"),
            ],
        )
        self._set(
            "problem", [("", "Any problem"), *problem_choices(restricted=restricted_problems)]
        )
        self._set("overdue_agency", [("", "Any agency"), *agency_choices])

    def _set(self, name: str, choices: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("waited") and not cleaned.get("stage"):
            self.add_error("waited", "Select the stage the time was waited at")
        return cleaned

    def query(self) -> CaseloadQuery:
        """The query asked for: the valid filters (none when the form is not valid, so
        a mistyped link shows its error over the whole caseload, not a wrong subset)."""
        if not self.is_bound or not self.is_valid():
            return CaseloadQuery()
        values = {name: self.cleaned_data.get(name) or "" for name in FILTER_NAMES}
        return CaseloadQuery(**values, sort=self.cleaned_data.get("sort") or DEFAULT_SORT)
