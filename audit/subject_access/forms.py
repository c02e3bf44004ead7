"""Forms of the subject access pages. They check the input's shape; the services check
the rules."""

from __future__ import annotations

from typing import Any

from django import forms

from audit.subject_access.models import Requester, SubjectAccessItem
from audit.subject_access.rules import MAX_EXTENSION_MONTHS
from oneplan.forms import GOVUKDateField, GOVUKForm


class PersonSearchForm(GOVUKForm):
    family_name = forms.CharField(
        label="Family name",
        max_length=100,
        error_messages={
            "required": "Enter the person's family name",
            "max_length": "The family name must be 100 characters or fewer",
        },
    )
    given_name = forms.CharField(
        label="Given name",
        required=False,
        max_length=100,
        error_messages={"max_length": "The given name must be 100 characters or fewer"},
    )
    date_of_birth = GOVUKDateField(
        label="Date of birth",
        required=False,
        allow_future=False,
        help_text="For example, 27 3 2012",
    )


class RequestForm(GOVUKForm):
    requester = forms.ChoiceField(
        label="Who made the request",
        choices=Requester.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select who made the request"},
    )
    requester_name = forms.CharField(
        label="Name of the person who made the request",
        max_length=200,
        error_messages={
            "required": "Enter the name of the person who made the request",
            "max_length": "The name must be 200 characters or fewer",
        },
    )
    requester_contact = forms.CharField(
        label="Where to send the response",
        help_text="A postal or email address",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={
            "required": "Enter where to send the response",
            "max_length": "Where to send the response must be 1000 characters or fewer",
        },
    )
    received_on = GOVUKDateField(
        label="Date the request was received",
        allow_future=False,
        help_text="The response is due one calendar month later. For example, 31 1 2025",
        error_messages={"required": "Enter the date the request was received"},
    )
    notes = forms.CharField(
        label="Notes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        error_messages={"max_length": "Notes must be 5000 characters or fewer"},
    )


class ExtendForm(GOVUKForm):
    months = forms.TypedChoiceField(
        label="How many further months",
        coerce=int,
        choices=[
            (n, f"{n} month{'s' if n > 1 else ''}") for n in range(1, MAX_EXTENSION_MONTHS + 1)
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select 1 or 2 months"},
    )
    reason = forms.CharField(
        label="Why the deadline is extended",
        help_text="You must tell the requester why, within the first month",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={
            "required": "Enter why the deadline is extended",
            "max_length": "The reason must be 2000 characters or fewer",
        },
    )


DECISIONS = [
    ("keep", "Keep it all in the response"),
    ("fields", "Withhold some details"),
    ("withhold", "Withhold the whole record"),
]


class ItemDecisionForm(GOVUKForm):
    decision = forms.ChoiceField(
        label="What to do with this record",
        choices=DECISIONS,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what to do with this record"},
    )
    withhold_fields = forms.MultipleChoiceField(
        label="Details to withhold",
        help_text="Only if you chose to withhold some details",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(
        label="Why it is withheld",
        help_text="For example, information about another person, or the exemption that applies",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"max_length": "The reason must be 2000 characters or fewer"},
    )

    def __init__(self, *args: Any, item: SubjectAccessItem, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field = self.fields["withhold_fields"]
        assert isinstance(choice_field, forms.MultipleChoiceField)
        choice_field.choices = [(v["field"], v["label"]) for v in item.values if v.get("value")]


class SentForm(GOVUKForm):
    sent_on = GOVUKDateField(
        label="Date the response was sent",
        allow_future=False,
        help_text="For example, 27 2 2025",
        error_messages={"required": "Enter the date the response was sent"},
    )


class CloseForm(GOVUKForm):
    reason = forms.CharField(
        label="Why the request is closed",
        help_text="For example, answered in full, withdrawn, or refused as manifestly unfounded",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={
            "required": "Enter why the request is closed",
            "max_length": "The reason must be 2000 characters or fewer",
        },
    )
