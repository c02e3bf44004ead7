"""Forms for the team, lawful basis and break-glass pages. They check input; services
enforce the rules."""

from __future__ import annotations

from typing import Any

from django import forms

from agencies.models import Agency
from families.access import rules
from families.grants_models import LawfulBasisKind
from oneplan.forms import GOVUKDateField, GOVUKForm


class TeamMemberAddForm(GOVUKForm):
    agency = forms.ModelChoiceField(
        label="Agency",
        queryset=Agency.objects.none(),
        empty_label="Select an agency",
        error_messages={"required": "Select an agency to add to the team"},
    )

    def __init__(self, *args: Any, exclude_ids: set[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Agency.objects.filter(is_active=True).exclude(pk__in=exclude_ids)


class ReasonForm(GOVUKForm):
    reason = forms.CharField(
        label="Why",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={
            "required": "Enter the reason",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
    )


class LawfulBasisForm(GOVUKForm):
    kind = forms.ChoiceField(
        label="What is the lawful basis for sharing?",
        widget=forms.RadioSelect,
        choices=LawfulBasisKind.choices,
        error_messages={"required": "Select consent or a statutory gateway"},
    )
    person = forms.ChoiceField(
        label="Who gave consent? (for consent)",
        required=False,
    )
    gateway = forms.CharField(
        label="Which law? (for a statutory gateway)",
        help_text="For example, Children Act 1989 section 47 (safeguarding enquiry)",
        required=False,
        max_length=300,
        error_messages={"max_length": "The name of the law must be 300 characters or fewer"},
    )
    given_on = GOVUKDateField(label="Date given", allow_future=False)
    family_agreed = forms.BooleanField(
        label="The family has agreed to work with the programme",
        help_text="The family moves to engaged.",
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        members: list[tuple[int, str]],
        offer_agreement: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["person"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Select a family member"), *[(str(pk), n) for pk, n in members]]
        # Asked only while the family waits to engage (allocated): DOMAIN.md 4.4.
        if not offer_agreement:
            del self.fields["family_agreed"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == LawfulBasisKind.CONSENT and not data.get("person"):
            self.add_error("person", "Select the family member who gave consent")
        if (
            data.get("kind") == LawfulBasisKind.STATUTORY_GATEWAY
            and not data.get("gateway", "").strip()
        ):
            self.add_error("gateway", "Enter the law the statutory gateway rests on")
        return data


class ConsentWithdrawForm(GOVUKForm):
    withdrawn_on = GOVUKDateField(label="Date consent was withdrawn", allow_future=False)
    note = forms.CharField(
        label="Note",
        help_text="How the family told us, and anything agencies need to know.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Enter a note about the withdrawal"},
    )


class BreakGlassForm(GOVUKForm):
    reference = forms.CharField(
        label="Family reference",
        help_text="For example, F-000123",
        max_length=12,
        error_messages={
            "required": "Enter the family reference",
            "max_length": "Family reference must be 12 characters or fewer",
        },
    )
    category = forms.ChoiceField(
        label="What kind of emergency is it?",
        widget=forms.RadioSelect,
        choices=rules.BreakGlassCategory.choices,
        error_messages={
            "required": rules.CATEGORY_MISSING,
            "invalid_choice": rules.CATEGORY_MISSING,
        },
    )
    reason = forms.CharField(
        label="Why do you need to see this family now?",
        help_text=(
            "Say what has happened, in words. Your access lasts a limited time, is "
            "recorded, and is reviewed by the data protection officer."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=rules.REASON_MAX_CHARACTERS,
        error_messages={"required": rules.REASON_MISSING, "max_length": rules.REASON_TOO_LONG},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # The service applies the same rules; here every field's problem shows at once.
        for problem in rules.break_glass_reason_problems(
            category=cleaned.get("category", ""), reason=cleaned.get("reason", "")
        ):
            if problem.field in cleaned:
                self.add_error(problem.field, problem.message)
        return cleaned


class BreakGlassReviewForm(GOVUKForm):
    outcome = forms.ChoiceField(
        label="Was this access justified?",
        widget=forms.RadioSelect,
        choices=[("justified", "Yes, justified"), ("not_justified", "No, not justified")],
        error_messages={"required": "Select whether the access was justified"},
    )
    note = forms.CharField(
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
