"""Forms of the LCG money pages: the financial year shown, a year's rates, an LCG's
targets. They check the input's shape; the services check the rules."""

from __future__ import annotations

from django import forms

from lcgs.money.services import RATE_MAX, TARGET_MAX
from oneplan.forms import GOVUKForm
from outcomes.money.forms import MoneyYearForm
from outcomes.money.rules import FIRST_YEAR
from outcomes.money.services import SOURCE_MAX

# The financial year to show: the Money page's own form (one list of years, one
# wording of its errors).
StatementYearForm = MoneyYearForm


def _rate_field(label: str, what: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=8,
        decimal_places=2,
        min_value=0,
        max_value=RATE_MAX - 1,
        error_messages={
            "required": f"Enter the {what}",
            "invalid": f"Enter the {what} in pounds, like 350 or 350.00",
            "min_value": f"The {what} cannot be negative",
            "max_value": f"Enter a {what} under £{RATE_MAX:,.0f}",
            "max_digits": f"Enter a {what} under £{RATE_MAX:,.0f}",
            "max_decimal_places": f"Enter the {what} in pounds and pence, like 350.50",
        },
    )


class GrantRateChangeForm(GOVUKForm):
    grant_per_family = _rate_field(
        "Grant per family taken on on the local track (£)", "grant per family"
    )
    reward_per_result = _rate_field(
        "Reward per family whose result claim is accepted (£)", "reward per result"
    )
    source = forms.CharField(
        label="Where the figures come from",
        help_text="For example, the council's LCG funding agreement of 1 April",
        max_length=SOURCE_MAX,
        error_messages={
            "required": "Enter where the figures come from",
            "max_length": f"Where the figures come from must be {SOURCE_MAX} characters or fewer",
        },
    )


class GrantRateForm(GrantRateChangeForm):
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
    field_order = ["financial_year", "grant_per_family", "reward_per_result", "source"]


def _target_field(label: str, what: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=TARGET_MAX,
        error_messages={
            "required": f"Enter the target for {what}",
            "invalid": f"Enter the target for {what} as a whole number, like 180",
            "min_value": f"The target for {what} cannot be negative",
            "max_value": f"Enter a target for {what} of {TARGET_MAX:,} or fewer",
        },
    )


class TargetForm(GOVUKForm):
    families_taken_on = _target_field("Families to take on on the local track", "families taken on")
    results = _target_field("Results (families whose claim is accepted)", "results")
