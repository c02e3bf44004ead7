"""Forms for intensive support. They check input; the services enforce the rules."""

from __future__ import annotations

from typing import Any

from django import forms

from agencies.models import Agency
from lcgs.allocation.forms import HintedRadioSelect
from lcgs.allocation.selectors import KeyWorkerCaseload
from lcgs.intensive.selectors import ProviderPlaces, provider_choices
from lcgs.intensive.services import MAX_PLACES, REASON_MAX_LENGTH
from oneplan.forms import GOVUKForm
from outcomes.money.rules import financial_year_label

# The lead professional's value when the provider names one later.
NOT_YET = "none"

_TOO_LONG = "The reason must be 2,000 characters or fewer"


def _reason(label: str, missing: str, hint: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=hint,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=REASON_MAX_LENGTH,
        error_messages={"required": missing, "max_length": _TOO_LONG},
    )


class NominateForm(GOVUKForm):
    provider = forms.ModelChoiceField(
        label="Which provider?",
        queryset=Agency.objects.none(),
        widget=HintedRadioSelect,
        empty_label=None,
        error_messages={
            "required": "Select an intensive support provider",
            "invalid_choice": "Select an intensive support provider",
        },
    )
    reason = _reason(
        "Why does the family need intensive support?",
        "Enter why the family needs intensive support",
        "The provider reads this to decide. It is kept with the nomination.",
    )

    def __init__(self, *args: Any, places: list[ProviderPlaces], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["provider"]
        assert isinstance(field, forms.ModelChoiceField)
        assert isinstance(field.widget, HintedRadioSelect)
        field.queryset = provider_choices()
        field.widget.hints = {str(row.provider.pk): _places_hint(row) for row in places}


def _places_hint(row: ProviderPlaces) -> str:
    year = financial_year_label(row.financial_year)
    if row.contracted is None:
        places = f"No places contracted for {year}"
    else:
        places = f"{row.left} of {row.contracted} places left in {year}"
    return f"{places}; {row.waiting} waiting for a decision"


class AcceptForm(GOVUKForm):
    lead_professional = forms.ChoiceField(
        label="Lead professional",
        widget=HintedRadioSelect,
        error_messages={
            "required": "Select a lead professional, or that you will name one later",
            "invalid_choice": "Select one of your key workers, or that you will name one later",
        },
    )
    note = forms.CharField(
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=REASON_MAX_LENGTH,
        error_messages={"max_length": "The note must be 2,000 characters or fewer"},
    )

    def __init__(
        self, *args: Any, provider: Agency, key_workers: list[KeyWorkerCaseload], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["lead_professional"]
        assert isinstance(field, forms.ChoiceField)
        assert isinstance(field.widget, HintedRadioSelect)
        field.help_text = (
            f"The key workers of {provider.name}, with the families they lead and the open "
            "actions that name them today."
        )
        choices = [(str(load.staff.pk), load.staff.display_name) for load in key_workers]
        field.choices = [*choices, (NOT_YET, f"Not yet: {provider.name} names one later")]
        field.widget.hints = {str(load.staff.pk): load.summary for load in key_workers}
        field.widget.dividers = {NOT_YET: "or"} if choices else {}


class DeclineForm(GOVUKForm):
    reason = _reason(
        "Why are you declining the family?",
        "Enter why you are declining the family",
        "The LCG's coordinators read this to nominate the family elsewhere or allocate it locally.",
    )


class WithdrawForm(GOVUKForm):
    reason = _reason(
        "Why are you withdrawing the nomination?",
        "Enter why you are withdrawing the nomination",
    )


class PlacesForm(GOVUKForm):
    provider = forms.ModelChoiceField(
        label="Provider",
        queryset=Agency.objects.none(),
        empty_label="Select a provider",
        error_messages={
            "required": "Select a provider",
            "invalid_choice": "Select a provider",
        },
    )
    financial_year = forms.TypedChoiceField(
        label="Financial year",
        coerce=int,
        error_messages={
            "required": "Select a financial year",
            "invalid_choice": "Select a financial year",
        },
    )
    places = forms.IntegerField(
        label="Contracted places",
        help_text="The number of families the provider is contracted to take on that year",
        min_value=0,
        max_value=MAX_PLACES,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-5"}),
        error_messages={
            "required": "Enter the number of places",
            "invalid": "Enter the number of places as a whole number, like 94",
            "min_value": "Enter a number of places of 0 or more",
            "max_value": f"Enter a number of places of {MAX_PLACES:,} or fewer",
        },
    )

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        provider = self.fields["provider"]
        assert isinstance(provider, forms.ModelChoiceField)
        provider.queryset = provider_choices()
        year = self.fields["financial_year"]
        assert isinstance(year, forms.TypedChoiceField)
        year.choices = [(str(y), financial_year_label(y)) for y in years]
