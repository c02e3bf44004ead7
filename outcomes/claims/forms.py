"""Forms of the claim pages."""

from __future__ import annotations

from typing import Any

from django import forms

from oneplan.forms import GOVUKDateField, GOVUKForm


class ClaimBatchForm(GOVUKForm):
    window_start = GOVUKDateField(
        label="Window starts",
        help_text="For example, 1 4 2025",
        error_messages={"required": "Enter the day the window starts"},
    )
    window_end = GOVUKDateField(
        label="Window ends",
        help_text="For example, 30 6 2025",
        error_messages={"required": "Enter the day the window ends"},
    )
    sample_percent = forms.IntegerField(
        label="Share of claims sampled for internal audit (%)",
        initial=10,
        min_value=0,
        max_value=100,
        error_messages={
            "required": "Enter the share of claims to sample, from 0 to 100",
            "invalid": "Enter the share of claims to sample as a whole number, from 0 to 100",
            "min_value": "The share of claims to sample must be 0 or more",
            "max_value": "The share of claims to sample must be 100 or less",
        },
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("window_start"), data.get("window_end")
        if start and end and end < start:
            self.add_error("window_end", "The window must end on or after the day it starts")
        return data


class ClaimRemoveForm(GOVUKForm):
    reason = forms.CharField(
        label="Why is this family taken out of the batch?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={
            "required": "Enter why the family is removed from the batch",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
    )


class ClaimAuditForm(GOVUKForm):
    """The internal audit's checklist for one sampled claim, and the decision."""

    confirmed = forms.MultipleChoiceField(
        label="Confirmed against the claim's evidence snapshot",
        help_text="Select every item the snapshot shows",
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    decision = forms.ChoiceField(
        label="Decision",
        widget=forms.RadioSelect,
        choices=[("pass", "Pass"), ("query", "Query"), ("fail", "Fail")],
        error_messages={"required": "Choose pass, query or fail"},
    )
    note = forms.CharField(
        label="Note (needed for a query or a failure)",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=2000,
        error_messages={"max_length": "The note must be 2,000 characters or fewer"},
    )

    def __init__(self, *args: Any, checklist: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["confirmed"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = checklist


class ClaimBatchOutcomeForm(GOVUKForm):
    accepted = forms.ChoiceField(
        label="What did government decide?",
        widget=forms.RadioSelect,
        choices=[("yes", "Accepted"), ("no", "Rejected")],
        error_messages={"required": "Choose accepted or rejected"},
    )
    note = forms.CharField(
        label="Note", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ClaimPaymentForm(GOVUKForm):
    amount = forms.DecimalField(
        label="Amount paid (£)",
        max_digits=11,
        decimal_places=2,
        min_value=0,
        error_messages={
            "required": "Enter the amount paid",
            "invalid": "Enter the amount paid in pounds, like 12800.00",
            "min_value": "The amount paid cannot be negative",
            "max_digits": "Enter an amount under £1 billion",
            "max_decimal_places": "Enter the amount in pounds and pence, like 12800.50",
        },
    )
    paid_on = GOVUKDateField(
        label="Paid on",
        help_text="For example, 15 5 2025",
        error_messages={"required": "Enter the day the payment was received"},
    )


class ClaimClawBackForm(GOVUKForm):
    reason = forms.CharField(
        label="Why is the claim clawed back?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={
            "required": "Enter why the claim is clawed back",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
    )


class ClaimEquivalentForm(GOVUKForm):
    """A senior officer's claim on equivalent progress: the family and the reason."""

    family = forms.CharField(
        label="Family reference",
        help_text="The family must be attached to the programme, and not claimable on its results",
        max_length=40,
        error_messages={
            "required": "Enter the family's reference",
            "max_length": "Enter a family reference of 40 characters or fewer",
        },
    )
    reason = forms.CharField(
        label="Why is the family's progress equivalent to the result?",
        help_text=(
            "Say what progress the family made against each problem that is not met, and "
            "the evidence for it. Internal audit checks every claim on equivalent progress. "
            "Everyone who sees claims reads the reason: leave out restricted information "
            "(a safe address, domestic abuse or health detail)."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        min_length=30,
        max_length=2000,
        error_messages={
            "required": "Enter why the family's progress is equivalent to the result",
            "min_length": "The reason must be at least 30 characters: say what progress the "
            "family made and why it is equivalent to the result",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
    )

    def clean_family(self) -> str:
        return str(self.cleaned_data["family"]).strip().upper()
