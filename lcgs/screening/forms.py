"""Forms for nominations and screening. They check input; services enforce the rules."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms

from agencies.models import LCG
from families import identifiers
from families.models import MemberRole
from families.services import MemberData
from lcgs.screening.selectors import Source
from lcgs.screening.services import NewHousehold
from oneplan.forms import GOVUKDateField, GOVUKForm

OTHER_MEMBER_SLOTS = 3
_REASON_ERRORS = {
    "required": "Enter why you are nominating the family",
    "max_length": "The reason must be 2,000 characters or fewer",
}


def _criteria_field(choices: list[tuple[str, str]]) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label="Which problems do you believe the family has?",
        help_text="Select all that apply.",
        choices=choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select the problems you believe the family has",
            "invalid_choice": "Select the problems from the list",
        },
    )


def _reason_field() -> forms.CharField:
    return forms.CharField(
        label="Why are you nominating this family?",
        help_text="What you know about the family's needs. The LCG's coordinators read "
        "this when they screen the family.",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=2000,
        error_messages=_REASON_ERRORS,
    )


class NominationForm(GOVUKForm):
    """Nominate a family the user can already see."""

    def __init__(self, *args: Any, criteria: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["criteria"] = _criteria_field(criteria)
        self.fields["reason"] = _reason_field()


class NewFamilyNominationForm(GOVUKForm):
    """Nominate a family OnePlan does not know yet: who they are and where they live."""

    main_carer_given_name = forms.CharField(
        label="First name",
        max_length=100,
        error_messages={"required": "Enter the main carer's first name"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    main_carer_family_name = forms.CharField(
        label="Last name",
        max_length=100,
        error_messages={"required": "Enter the main carer's last name"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    main_carer_date_of_birth = GOVUKDateField(
        label="Date of birth",
        help_text="For example, 27 3 1987",
        allow_future=False,
        error_messages={"required": "Enter the main carer's date of birth"},
    )
    address_line_1 = forms.CharField(
        label="Address line 1",
        max_length=200,
        error_messages={"required": "Enter the first line of the address"},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    postcode = forms.CharField(
        label="Postcode",
        max_length=10,
        error_messages={"required": "Enter a postcode"},
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, criteria: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for slot in range(1, OTHER_MEMBER_SLOTS + 1):
            self.fields[f"member_{slot}_given_name"] = forms.CharField(
                label="First name", max_length=100, required=False
            )
            self.fields[f"member_{slot}_family_name"] = forms.CharField(
                label="Last name", max_length=100, required=False
            )
            self.fields[f"member_{slot}_date_of_birth"] = GOVUKDateField(
                label="Date of birth", required=False, allow_future=False
            )
            self.fields[f"member_{slot}_role"] = forms.ChoiceField(
                label="Role in the family",
                required=False,
                choices=[
                    (MemberRole.CHILD.value, "Child"),
                    (MemberRole.PARENT_CARER.value, "Parent or carer"),
                    (MemberRole.OTHER_ADULT.value, "Other adult"),
                ],
            )
        self.fields["criteria"] = _criteria_field(criteria)
        self.fields["reason"] = _reason_field()

    @property
    def member_slots(self) -> list[dict[str, Any]]:
        """The bound fields of each "other member" slot, for the template's fieldsets."""
        return [
            {
                "number": slot,
                "fields": [
                    self[f"member_{slot}_{part}"]
                    for part in ("given_name", "family_name", "date_of_birth", "role")
                ],
            }
            for slot in range(1, OTHER_MEMBER_SLOTS + 1)
        ]

    def clean_postcode(self) -> str:
        value = str(self.cleaned_data["postcode"])
        message = identifiers.postcode_error(value)
        if message:
            raise forms.ValidationError(message)
        return identifiers.normalise_postcode(value)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for slot in range(1, OTHER_MEMBER_SLOTS + 1):
            given = cleaned.get(f"member_{slot}_given_name", "")
            family = cleaned.get(f"member_{slot}_family_name", "")
            born = cleaned.get(f"member_{slot}_date_of_birth")
            date_typed = any(
                str(self.data.get(f"member_{slot}_date_of_birth_{part}", "")).strip()
                for part in ("day", "month", "year")
            )
            if not (given or family or born or date_typed):
                continue
            # A half-described person would be created wrongly: ask for the rest.
            if not given:
                self.add_error(
                    f"member_{slot}_given_name", f"Enter a first name for family member {slot}"
                )
            if not family:
                self.add_error(
                    f"member_{slot}_family_name", f"Enter a last name for family member {slot}"
                )
            if born is None and not self.has_error(f"member_{slot}_date_of_birth"):
                self.add_error(
                    f"member_{slot}_date_of_birth",
                    f"Enter a date of birth for family member {slot}",
                )
        return cleaned

    def household(self) -> NewHousehold:
        data = self.cleaned_data
        others: list[MemberData] = []
        for slot in range(1, OTHER_MEMBER_SLOTS + 1):
            given = data.get(f"member_{slot}_given_name", "")
            if not given:
                continue
            born = data[f"member_{slot}_date_of_birth"]
            assert isinstance(born, datetime.date)
            others.append(
                MemberData(
                    given_name=given.strip(),
                    family_name=data[f"member_{slot}_family_name"].strip(),
                    date_of_birth=born,
                    role=MemberRole(data.get(f"member_{slot}_role") or MemberRole.CHILD),
                )
            )
        return NewHousehold(
            main_carer=MemberData(
                given_name=data["main_carer_given_name"].strip(),
                family_name=data["main_carer_family_name"].strip(),
                date_of_birth=data["main_carer_date_of_birth"],
                role=MemberRole.PARENT_CARER,
            ),
            address_line_1=data["address_line_1"].strip(),
            postcode=data["postcode"],
            other_members=tuple(others),
        )


class NominationWithdrawForm(GOVUKForm):
    reason = forms.CharField(
        label="Why are you withdrawing the nomination?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={
            "required": "Enter why you are withdrawing the nomination",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
    )


class ScreeningDecisionForm(GOVUKForm):
    decision = forms.ChoiceField(
        label="Is the family eligible for the programme?",
        widget=forms.RadioSelect,
        choices=[
            ("eligible", "Eligible: move to screened"),
            ("not_eligible", "Not eligible"),
        ],
        error_messages={"required": "Select whether the family is eligible"},
    )
    reason = forms.CharField(
        label="Reason",
        help_text="Required if the family is not eligible. This is kept in the family's "
        "history and shown to whoever nominated the family.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"max_length": "The reason must be 2,000 characters or fewer"},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("decision") == "not_eligible" and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Enter why the family is not eligible")
        return cleaned


class ScreeningFilterForm(GOVUKForm):
    lcg = forms.ChoiceField(label="LCG", required=False)
    source = forms.ChoiceField(
        label="How identified",
        required=False,
        choices=[("", "Any"), *Source.CHOICES],
    )

    def __init__(
        self, *args: Any, lcgs: list[LCG], include_unassigned: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "All your LCGs"), *[(str(lcg.pk), lcg.name) for lcg in lcgs]]
        if include_unassigned:
            choices.append(("unassigned", "Unassigned (outside every LCG)"))
        field = self.fields["lcg"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices
