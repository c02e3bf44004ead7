"""Forms of the staff pages. They check what was typed; the services enforce the rules."""

from __future__ import annotations

from typing import Any

from django import forms

from agencies.models import Agency, Staff
from agencies.roles import Role
from agencies.staff.memberships import staff_membership_kinds
from agencies.staff.selectors import AccountStatus
from agencies.staff.services import JOB_TITLE_LENGTH, NAME_LENGTH, StaffAccess
from oneplan.forms import GOVUKForm

REASON_LENGTH = 1000


class StaffDetailsForm(GOVUKForm):
    """Name, email address, agency, job title, roles and memberships (LCGs)."""

    first_name = forms.CharField(
        label="First name",
        max_length=NAME_LENGTH,
        error_messages={
            "required": "Enter a first name",
            "max_length": f"First name must be {NAME_LENGTH} characters or fewer",
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    last_name = forms.CharField(
        label="Last name",
        max_length=NAME_LENGTH,
        error_messages={
            "required": "Enter a last name",
            "max_length": f"Last name must be {NAME_LENGTH} characters or fewer",
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    email = forms.EmailField(
        label="Email address",
        required=False,
        max_length=254,
        help_text="For colleagues to contact them. OnePlan does not send email to it.",
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.org",
            "max_length": "Email address must be 254 characters or fewer",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    agency = forms.ModelChoiceField(
        label="Agency",
        queryset=Agency.objects.none(),
        empty_label="Select an agency",
        help_text="The organisation they work for. Their agency's families are shared "
        "with them when the agency is on a family's team.",
        error_messages={
            "required": "Select an agency",
            "invalid_choice": "Select an agency from the list",
        },
    )
    job_title = forms.CharField(
        label="Job title",
        required=False,
        max_length=JOB_TITLE_LENGTH,
        error_messages={
            "max_length": f"Job title must be {JOB_TITLE_LENGTH} characters or fewer",
        },
    )
    roles = forms.MultipleChoiceField(
        label="Roles",
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply. Roles decide what they can see and do.",
        error_messages={
            "required": "Select at least one role",
            "invalid_choice": "Select roles from the list",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency_field = self.fields["agency"]
        assert isinstance(agency_field, forms.ModelChoiceField)
        agency_field.queryset = Agency.objects.filter(is_active=True).order_by("name")
        for kind in staff_membership_kinds():
            self.fields[kind.name] = forms.MultipleChoiceField(
                label=kind.label,
                choices=kind.choices(),
                required=False,
                widget=forms.CheckboxSelectMultiple,
                help_text=kind.hint,
                error_messages={"invalid_choice": f"Select {kind.label} from the list"},  # noqa: S608
            )

    def access(self) -> StaffAccess:
        data = self.cleaned_data
        return StaffAccess(
            agency=data["agency"],
            roles=list(data["roles"]),
            job_title=data.get("job_title", ""),
            memberships={kind.name: list(data[kind.name]) for kind in staff_membership_kinds()},
        )


class StaffInviteForm(StaffDetailsForm):
    username = forms.CharField(
        label="Username",
        max_length=NAME_LENGTH,
        help_text="What they will sign in with, like jsmith. Letters, numbers and "
        "@ . + - _ only. It cannot be changed later.",
        error_messages={
            "required": "Enter a username",
            "max_length": f"Username must be {NAME_LENGTH} characters or fewer",
        },
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"}
        ),
    )

    field_order = ["first_name", "last_name", "username", "email", "agency", "job_title", "roles"]


def staff_change_initial(staff: Staff, memberships: dict[str, list[str]]) -> dict[str, Any]:
    """What the change form starts with: the member of staff as they are."""
    return {
        "first_name": staff.user.first_name,
        "last_name": staff.user.last_name,
        "email": staff.user.email,
        "agency": staff.agency_id,
        "job_title": staff.job_title,
        "roles": list(staff.roles),
        **memberships,
    }


class ReasonForm(GOVUKForm):
    """Why an account is being deactivated, or its two-step verification reset."""

    reason = forms.CharField(
        label="Reason",
        max_length=REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, required_message: str, hint: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reason"]
        field.error_messages["required"] = required_message
        field.help_text = hint


class StaffFilterForm(GOVUKForm):
    """The staff list's filters, by agency, role, status and name."""

    name = forms.CharField(label="Name or username", required=False, max_length=NAME_LENGTH)
    agency = forms.ChoiceField(label="Agency", required=False)
    role = forms.ChoiceField(
        label="Role",
        required=False,
        choices=[("", "Any role"), *Role.choices],
        error_messages={"invalid_choice": "Select a role from the list"},
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), *AccountStatus.choices],
        error_messages={"invalid_choice": "Select a status from the list"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency = self.fields["agency"]
        assert isinstance(agency, forms.ChoiceField)
        agency.choices = [
            ("", "Any agency"),
            *Agency.objects.order_by("name").values_list("code", "name"),
        ]
        agency.error_messages["invalid_choice"] = "Select an agency from the list"


class SetUpPasswordForm(GOVUKForm):
    """The invited person's first password."""

    password1 = forms.CharField(
        label="Create a password",
        strip=False,
        help_text="Use at least 12 characters. Several words together are easy to "
        "remember and hard to guess.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Enter a password"},
    )
    password2 = forms.CharField(
        label="Confirm your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Confirm your password"},
    )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The passwords do not match")
        return cleaned
