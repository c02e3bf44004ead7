"""Limits on free text, and how going over one is put into words, for pages and the API.

Every text field a person or a client can fill in has a length limit: a 60,000-character
note is a mistake (or an attack), and it would have to be shown on every page that lists
notes. Going over a limit answers, in the GOV.UK pattern, "Note must be 10,000 characters
or fewer", never Django's "Ensure this value has at most 10000 characters (it has
60000)." or DRF's "Ensure this field has no more than 10000 characters."

The wording lives here. The GOV.UK forms (``oneplan.forms.GOVUKFormMixin``) apply it to
every ``CharField`` that has no message of its own; a serializer that reads a request
body takes ``TextLimitsMixin``. The limits themselves belong to each app (the same
constant for its form, its serializer and, where it checks, its service).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.validators import MaxLengthValidator, MinLengthValidator
from django.db import models
from rest_framework import serializers

__all__ = [
    "TextLimitsMixin",
    "message_label",
    "model_max_length",
    "too_long_message",
    "too_short_message",
]


_QUESTION_WORDS = frozenset({"how", "what", "when", "where", "which", "who", "why"})


def message_label(label: object) -> str:
    """A field's label as the start of a sentence: "Note", "Anyone else who came".

    A question ("Why was it not done?", "Why") cannot start one: it becomes "Your answer".
    """
    text = str(label or "").strip()
    if not text or "?" in text or text.lower() in _QUESTION_WORDS:
        return "Your answer"
    return text[:1].upper() + text[1:]


def model_max_length(model: type[models.Model], name: str) -> int:
    """A model field's own ``max_length``, for a form or API field that takes its value."""
    limit = getattr(model._meta.get_field(name), "max_length", None)
    if not isinstance(limit, int):
        raise TypeError(f"{model.__name__}.{name} has no max_length")
    return limit


def too_long_message(label: object, limit: int) -> str:
    """'Note must be 10,000 characters or fewer'."""
    return f"{message_label(label)} must be {limit:,} characters or fewer"


def too_short_message(label: object, limit: int) -> str:
    """'Reason must be 10 characters or more'."""
    return f"{message_label(label)} must be {limit:,} characters or more"


def _reworded(
    validator: Any, field: serializers.CharField, label: object, *, each: bool = False
) -> Any:
    """The same length check in our words, unless the field was given words of its own.

    DRF builds its validators' messages when a field is made, so they are replaced.
    """
    defaults = serializers.CharField.default_error_messages
    for kind, words in (
        (MaxLengthValidator, too_long_message),
        (MinLengthValidator, too_short_message),
    ):
        code = "max_length" if kind is MaxLengthValidator else "min_length"
        if type(validator) is not kind or field.error_messages.get(code) != defaults[code]:
            continue
        message = words(label, validator.limit_value)
        if each:
            message = message.replace(" must be ", " must each be ", 1)
        # DRF fills in the validator's %(limit_value)s: a "%" in a label stays a "%".
        return kind(validator.limit_value, message=message.replace("%", "%%"))
    return validator


def _api_label(name: str, field: serializers.Field[Any, Any, Any, Any]) -> str:
    # Fields are not bound yet in get_fields, so DRF has not filled in its own default.
    return str(field.label) if field.label else name.replace("_", " ").capitalize()


def serializer_text_limits(fields: Mapping[str, serializers.Field[Any, Any, Any, Any]]) -> None:
    """Put the length checks of ``fields`` (and of lists of text) in our words."""
    for name, field in fields.items():
        if field.read_only:
            continue
        label = _api_label(name, field)
        if isinstance(field, serializers.CharField):
            field.validators = [_reworded(v, field, label) for v in field.validators]
        elif isinstance(field, serializers.ListField) and isinstance(
            field.child, serializers.CharField
        ):
            child = field.child
            child.validators = [_reworded(v, child, label, each=True) for v in child.validators]


if TYPE_CHECKING:
    _Base = serializers.Serializer[Any]
else:
    _Base = object


class TextLimitsMixin(_Base):
    """For a serializer that reads a request body: its length checks answer in words.

    Put it first among the bases: ``class NoteSerializer(TextLimitsMixin,
    serializers.Serializer[Any])``. Give each text field its ``max_length`` (a model's
    ``CharField`` brings its own); ``oneplan/tests/test_dates_and_text.py`` fails for a
    request body in the API schema with a string that has no limit.
    """

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        serializer_text_limits(fields)
        return fields
