"""allauth's forms with GOV.UK Design System wording and markup.

``{{ form }}`` renders them with the project's GOV.UK renderer (error summary, labels,
hints, errors). These subclasses only change what the Design System asks for: sentence
case labels without placeholders, no browser ``required`` pop-ups, error messages that
say how to fix the problem, and no links to flows OnePlan does not offer (password reset
by email).
"""

from __future__ import annotations

from typing import Any, ClassVar

from allauth.account import forms as account_forms
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.totp import forms as totp_forms
from django import forms

CODE_HINT = "The 6-digit code your authenticator app shows now"


class GOVUKAllauthMixin:
    """Relabel an allauth form's fields for GOV.UK and drop their placeholders.

    ``govuk_fields`` maps field name to (label, hint, {error code: message}).
    """

    govuk_fields: ClassVar[dict[str, tuple[str, str, dict[str, str]]]] = {}
    use_required_attribute = False
    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs.pop("placeholder", None)
            if name in self.govuk_fields:
                label, hint, errors = self.govuk_fields[name]
                field.label = label
                field.help_text = hint
                field.error_messages.update(errors)


def _code_widget(field: forms.Field) -> None:
    field.widget.attrs.update(
        {
            "autocomplete": "one-time-code",
            "inputmode": "numeric",
            "spellcheck": "false",
            "autocapitalize": "none",
            "class": "govuk-input--width-10",
        }
    )


class SignInForm(GOVUKAllauthMixin, account_forms.LoginForm):
    govuk_fields: ClassVar[dict[str, tuple[str, str, dict[str, str]]]] = {
        "login": ("Username", "", {"required": "Enter your username"}),
        "password": ("Password", "", {"required": "Enter your password"}),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        login = self.fields["login"]
        login.widget.attrs.update({"spellcheck": "false", "autocapitalize": "none"})


class ReauthenticateForm(GOVUKAllauthMixin, account_forms.ReauthenticateForm):
    govuk_fields: ClassVar[dict[str, tuple[str, str, dict[str, str]]]] = {
        "password": ("Password", "", {"required": "Enter your password"}),
    }


class ChangePasswordForm(GOVUKAllauthMixin, account_forms.ChangePasswordForm):
    govuk_fields: ClassVar[dict[str, tuple[str, str, dict[str, str]]]] = {
        "oldpassword": ("Current password", "", {"required": "Enter your current password"}),
        "password1": (
            "New password",
            "Use at least 12 characters. Several words together are easy to remember "
            "and hard to guess.",
            {"required": "Enter a new password"},
        ),
        "password2": ("Confirm new password", "", {"required": "Confirm your new password"}),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password1"].widget.attrs["autocomplete"] = "new-password"

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            # allauth's own words for this are not in GOV.UK style.
            self.errors["password2"] = self.error_class(["The passwords do not match"])
        return cleaned


class MFAAuthenticateForm(GOVUKAllauthMixin, mfa_forms.AuthenticateForm):
    govuk_fields: ClassVar[dict[str, tuple[str, str, dict[str, str]]]] = {
        "code": (
            "Security code",
            f"{CODE_HINT}. If you do not have your phone, enter one of your recovery codes.",
            {"required": "Enter the code from your authenticator app"},
        ),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _code_widget(self.fields["code"])


class MFAReauthenticateForm(GOVUKAllauthMixin, mfa_forms.ReauthenticateForm):
    govuk_fields = MFAAuthenticateForm.govuk_fields

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _code_widget(self.fields["code"])


class ActivateTOTPForm(GOVUKAllauthMixin, totp_forms.ActivateTOTPForm):
    govuk_fields: ClassVar[dict[str, tuple[str, str, dict[str, str]]]] = {
        "code": (
            "Security code",
            f"{CODE_HINT}, to check it is set up",
            {"required": "Enter the code from your authenticator app"},
        ),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _code_widget(self.fields["code"])
