"""Forms of the costs avoided pages: the cohort shown, a line of the unit cost table,
and the programme's spend for a year."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from agencies.models import AgencyKind
from oneplan.forms import GOVUKForm
from outcomes.costs.models import CostUnit
from outcomes.costs.rules import CATEGORIES
from outcomes.costs.services import (
    NAME_MAX,
    PRICE_MAX_PENCE,
    SOURCE_MAX,
    SPEND_MAX_PENCE,
    SPEND_SOURCE_MAX,
)
from outcomes.money.rules import financial_year_label

KIND_LABELS = {
    "police_callouts": "police call-outs",
    "offences": "offences",
    "asb": "anti-social behaviour",
    "housing": "housing",
    "exclusions": "exclusions",
    "social_care": "children's social care",
    "benefits": "benefits",
}


def category_choices() -> list[tuple[str, str]]:
    return [
        (
            c.code,
            f"{c.label} ({'weeks' if c.measure == 'weeks' else 'events'}, from "
            f"{KIND_LABELS.get(c.kind, c.kind)} files)",
        )
        for c in CATEGORIES
    ]


class CohortYearForm(GOVUKForm):
    """The financial year of attachment to show (a GET form)."""

    year = forms.TypedChoiceField(
        label="Families attached in the financial year",
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


def pence_of(pounds: Decimal) -> int:
    return int((pounds * 100).to_integral_value())


class UnitCostForm(GOVUKForm):
    name = forms.CharField(
        label="Service",
        help_text="For example, Police call-out",
        max_length=NAME_MAX,
        error_messages={"required": "Enter the service's name"},
    )
    agency = forms.ChoiceField(
        label="Agency that pays",
        choices=[("", "Select an agency"), *AgencyKind.choices],
        error_messages={"required": "Select the agency that pays"},
    )
    unit = forms.ChoiceField(
        label="The price is",
        widget=forms.RadioSelect,
        choices=CostUnit.choices,
        error_messages={"required": "Select what the price is per"},
    )
    price = forms.DecimalField(
        label="Price (£)",
        max_digits=9,
        decimal_places=2,
        min_value=0,
        max_value=Decimal(PRICE_MAX_PENCE) / 100 - Decimal("0.01"),
        error_messages={
            "required": "Enter the price",
            "invalid": "Enter the price in pounds, like 230 or 66.50",
            "min_value": "The price cannot be negative",
            "max_value": f"Enter a price under £{PRICE_MAX_PENCE // 100:,}",
            "max_digits": f"Enter a price under £{PRICE_MAX_PENCE // 100:,}",
            "max_decimal_places": "Enter the price in pounds and pence, like 66.50",
        },
    )
    price_year = forms.IntegerField(
        label="Price year",
        help_text="The year whose prices the figure is in, for example 2024",
        error_messages={
            "required": "Enter the price year",
            "invalid": "Enter the price year, like 2024",
        },
    )
    source = forms.CharField(
        label="Where the figure comes from",
        help_text="For example, the unit cost database and its version",
        max_length=SOURCE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter where the figure comes from"},
    )
    is_example = forms.BooleanField(
        label="This is an example figure, not the council's own",
        required=False,
    )
    categories = forms.MultipleChoiceField(
        label="Service use it prices",
        help_text="Counted from agencies' files. Each is priced by one line at most.",
        widget=forms.CheckboxSelectMultiple,
        choices=category_choices,
        required=False,
    )


class UnitCostChangeForm(UnitCostForm):
    in_use = forms.BooleanField(
        label="In use (clear this to stop using the line; its history is kept)",
        required=False,
    )


class ProgrammeSpendForm(GOVUKForm):
    amount = forms.DecimalField(
        label="Programme spend (£)",
        max_digits=14,
        decimal_places=2,
        min_value=0,
        max_value=Decimal(SPEND_MAX_PENCE) / 100 - Decimal("0.01"),
        error_messages={
            "required": "Enter the programme spend",
            "invalid": "Enter the spend in pounds, like 1200000",
            "min_value": "The spend cannot be negative",
            "max_value": f"Enter a spend under £{SPEND_MAX_PENCE // 100:,}",
            "max_digits": f"Enter a spend under £{SPEND_MAX_PENCE // 100:,}",
            "max_decimal_places": "Enter the spend in pounds and pence",
        },
    )
    source = forms.CharField(
        label="Where the figure comes from",
        help_text="For example, the programme's outturn report for the year",
        max_length=SPEND_SOURCE_MAX,
        error_messages={"required": "Enter where the figure comes from"},
    )
