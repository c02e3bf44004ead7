"""The allocation form. It checks input; ``services.family_allocate`` enforces the rules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms

from agencies.models import Agency
from families.models import Track
from lcgs.allocation.selectors import KeyWorkerCaseload, lead_agency_choices
from oneplan.forms import GOVUKForm

# The lead professional's value when the lead agency names one later.
NOT_YET = "none"

TRACK_HINTS = {
    Track.INTENSIVE: "An intensive family support service, for the families in greatest need. "
    "The lead agency is an intensive support provider.",
    Track.LOCAL: "Better-coordinated help from local agencies (early help).",
}


class HintedRadioSelect(forms.RadioSelect):
    """Radios whose options can each carry a hint and a divider before them (GOV.UK
    radios with hints; ``templates/govuk/forms/widgets/radios.html``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hints: Mapping[str, str] = {}
        self.dividers: Mapping[str, str] = {}

    def create_option(
        self,
        name: str,
        value: Any,
        label: Any,
        selected: Any,
        index: int,
        subindex: int | None = None,
        attrs: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        key = str(value)
        hint = self.hints.get(key, "")
        option["hint"] = hint
        option["divider"] = self.dividers.get(key, "")
        if hint and option["attrs"].get("id"):
            option["attrs"] = {
                **option["attrs"],
                "aria-describedby": f"{option['attrs']['id']}-hint",
            }
        return option


class AllocationForm(GOVUKForm):
    track = forms.ChoiceField(
        label="Which track?",
        choices=Track.choices,
        widget=HintedRadioSelect,
        error_messages={
            "required": "Select a track",
            "invalid_choice": "Select a track",
        },
    )
    lead_agency = forms.ModelChoiceField(
        label="Lead agency",
        queryset=Agency.objects.none(),
        empty_label="Select a lead agency",
        error_messages={
            "required": "Select a lead agency",
            "invalid_choice": "Select a lead agency",
        },
    )
    lead_professional = forms.ChoiceField(
        label="Lead professional",
        widget=HintedRadioSelect,
        error_messages={
            "required": "Select a lead professional, or that the lead agency names one"
        },
    )
    reason = forms.CharField(
        label="Why",
        help_text="The LCG's reasons. They are kept in the family's history and seen by "
        "everyone working with the family.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={
            "required": "Enter the reason for the allocation",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
    )

    def __init__(
        self,
        *args: Any,
        agency: Agency | None,
        key_workers: list[KeyWorkerCaseload],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        track = self.fields["track"]
        assert isinstance(track.widget, HintedRadioSelect)
        track.widget.hints = {t.value: hint for t, hint in TRACK_HINTS.items()}
        agency_field = self.fields["lead_agency"]
        assert isinstance(agency_field, forms.ModelChoiceField)
        agency_field.queryset = lead_agency_choices()
        professional = self.fields["lead_professional"]
        assert isinstance(professional, forms.ChoiceField)
        assert isinstance(professional.widget, HintedRadioSelect)
        if agency is None:
            professional.help_text = "Select the lead agency first, then show its key workers."
            professional.choices = []
            professional.required = False
            return
        # Only this agency's people are offered: one chosen at another agency (the lead
        # agency changed since the page was shown) is refused by name.
        professional.error_messages["invalid_choice"] = (
            f"Select a lead professional who works for {agency.name}"
        )
        professional.help_text = (
            f"The key workers and practitioners of {agency.name}, with the families they "
            "lead and the open actions that name them today."
        )
        choices = [
            (str(load.staff.pk), _who(load))
            for load in key_workers
            if load.staff.agency_id == agency.pk
        ]
        not_yet = f"Not yet: {agency.name} names one later"
        professional.choices = [*choices, (NOT_YET, not_yet)]
        professional.widget.hints = {str(load.staff.pk): load.summary for load in key_workers}
        professional.widget.dividers = {NOT_YET: "or"} if choices else {}


def _who(load: KeyWorkerCaseload) -> str:
    staff = load.staff
    return f"{staff.display_name}, {staff.job_title}" if staff.job_title else staff.display_name
