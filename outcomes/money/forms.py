"""Forms of the Money pages: the financial year shown, and an attachment fee."""

from __future__ import annotations

from typing import Any

from django import forms

from oneplan.forms import GOVUKForm
from outcomes.models import Framework
from outcomes.money.rules import FIRST_YEAR, financial_year_label
from outcomes.money.services import AMOUNT_MAX, SOURCE_MAX


class MoneyYearForm(GOVUKForm):
    """The financial year to show (a GET form: the page works without JavaScript)."""

    year = forms.TypedChoiceField(
        label="Financial year",
        coerce=int,
        error_messages={
            "required": "Select a financial year",
            "invalid_choice": "Select a financial year from the list",
        },
    )

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["year"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(str(year), financial_year_label(year)) for year in years]


def _amount_field() -> forms.DecimalField:
    return forms.DecimalField(
        label="Fee per family (£)",
        max_digits=9,
        decimal_places=2,
        min_value=0,
        max_value=AMOUNT_MAX - 1,
        error_messages={
            "required": "Enter the fee per family",
            "invalid": "Enter the fee in pounds, like 1000 or 1000.00",
            "min_value": "The fee cannot be negative",
            "max_value": f"Enter a fee under £{AMOUNT_MAX:,.0f}",
            "max_digits": f"Enter a fee under £{AMOUNT_MAX:,.0f}",
            "max_decimal_places": "Enter the fee in pounds and pence, like 1000.50",
        },
    )


def _source_field() -> forms.CharField:
    return forms.CharField(
        label="Where the figure comes from",
        help_text="For example, National default, or the council's local agreement of 1 April",
        max_length=SOURCE_MAX,
        error_messages={
            "required": "Enter where the figure comes from",
            "max_length": f"Where the figure comes from must be {SOURCE_MAX} characters or fewer",
        },
    )


class AttachmentFeeForm(GOVUKForm):
    framework = forms.ChoiceField(
        label="Framework",
        widget=forms.RadioSelect,
        choices=Framework.choices,
        error_messages={"required": "Select a framework"},
    )
    financial_year = forms.IntegerField(
        label="Financial year it starts in",
        help_text="For example, 2025 for 1 April 2025 to 31 March 2026",
        min_value=FIRST_YEAR,
        error_messages={
            "required": "Enter the year the financial year starts in",
            "invalid": "Enter the year the financial year starts in, like 2025",
            "min_value": f"The financial year must be from {FIRST_YEAR}",
        },
    )
    amount = _amount_field()
    source = _source_field()


class AttachmentFeeChangeForm(GOVUKForm):
    amount = _amount_field()
    source = _source_field()
