"""Forms for the household pages. They check what was typed; the services enforce the
rules. Every form that changes a record carries the version the page was read at, so a
save made after someone else's change is refused rather than silently undoing it."""

from __future__ import annotations

from typing import Any

from django import forms

from families.household.services import NAME_MAX, REASON_MAX
from families.models import MemberRole, Sex
from oneplan.forms import GOVUKDateField, GOVUKForm


def _reason_field(label: str, hint: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=hint,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=REASON_MAX,
        error_messages={"required": "Enter the reason for the change"},
    )


class VersionedForm(GOVUKForm):
    version = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)


class PersonDetailsForm(VersionedForm):
    given_name = forms.CharField(
        label="First name",
        max_length=NAME_MAX,
        error_messages={"required": "Enter a first name"},
    )
    family_name = forms.CharField(
        label="Last name",
        max_length=NAME_MAX,
        error_messages={"required": "Enter a last name"},
    )
    date_of_birth = GOVUKDateField(label="Date of birth", allow_future=False)
    sex = forms.ChoiceField(
        label="Sex",
        widget=forms.RadioSelect,
        choices=Sex.choices,
        required=False,
    )
    upn = forms.CharField(label="Unique Pupil Number", required=False, max_length=20)
    nhs_number = forms.CharField(label="NHS number", required=False, max_length=20)
    ni_number = forms.CharField(label="National Insurance number", required=False, max_length=20)
    reason = _reason_field(
        "Why are you correcting these details?",
        "For example, the date of birth was typed wrongly. This is kept with the change.",
    )


class MemberAddNewForm(PersonDetailsForm):
    role = forms.ChoiceField(
        label="Role in the household",
        widget=forms.RadioSelect,
        choices=MemberRole.choices,
        error_messages={"required": "Select the person's role in the household"},
    )
    start_date = GOVUKDateField(label="Date they joined the household", allow_future=False)
    field_order = ["given_name", "family_name", "date_of_birth", "sex", "role", "start_date"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["version"]
        self.fields["reason"].label = "Why are you adding this person?"
        self.fields["reason"].help_text = "For example, a new baby, or a partner moving in."


class MemberAddExistingForm(GOVUKForm):
    role = forms.ChoiceField(
        label="Role in the household",
        widget=forms.RadioSelect,
        choices=MemberRole.choices,
        error_messages={"required": "Select the person's role in the household"},
    )
    start_date = GOVUKDateField(label="Date they joined the household", allow_future=False)
    reason = _reason_field(
        "Why are you adding this person?", "For example, they moved back in with the family."
    )


class PersonFindForm(GOVUKForm):
    given_name = forms.CharField(label="First name", required=False, max_length=NAME_MAX)
    family_name = forms.CharField(label="Last name", required=False, max_length=NAME_MAX)
    date_of_birth = GOVUKDateField(label="Date of birth", allow_future=False, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not (
            data.get("given_name") or data.get("family_name") or data.get("date_of_birth")
        ):
            self.add_error("family_name", "Enter a name or a date of birth to search for")
        return data


class MembershipEndForm(VersionedForm):
    end_date = GOVUKDateField(label="Date they left the household", allow_future=False)
    reason = _reason_field(
        "Why did they leave?", "For example, they moved to live with their father."
    )


class MembershipRoleForm(VersionedForm):
    role = forms.ChoiceField(
        label="Role in the household",
        widget=forms.RadioSelect,
        choices=MemberRole.choices,
        error_messages={"required": "Select the person's role in the household"},
    )
    reason = _reason_field(
        "Why are you changing their role?", "For example, the role was recorded wrongly."
    )


class AddressForm(VersionedForm):
    line_1 = forms.CharField(
        label="Address line 1",
        max_length=200,
        error_messages={"required": "Enter address line 1, typically the building and street"},
    )
    line_2 = forms.CharField(label="Address line 2", required=False, max_length=200)
    town = forms.CharField(label="Town or city", required=False, max_length=100)
    postcode = forms.CharField(
        label="Postcode",
        max_length=10,
        error_messages={"required": "Enter a postcode"},
    )
    is_protected = forms.BooleanField(
        label="This is a refuge or safe address: protect it",
        help_text="Only the lead professional, the LCG's coordinators and the data "
        "protection officer will see it.",
        required=False,
    )
    reason = _reason_field("Why are you changing the address?", "This is kept with the change.")

    def __init__(self, *args: Any, moving: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if moving:
            self.fields["reason"].label = "Why has the address changed?"
            self.fields["reason"].help_text = "For example, the family moved on 3 March."
        else:
            del self.fields["is_protected"]
            self.fields["reason"].label = "What was wrong with the address?"
            self.fields["reason"].help_text = "For example, the house number was typed wrongly."


class AddressProtectionForm(VersionedForm):
    reason = _reason_field(
        "Why?", "This is kept with the change, and only people who may see the address can read it."
    )
