"""The families API's query-string filters, and the filter parts every area's API shares.

A list's FilterSet narrows what its selector returned: the selector alone scopes by user.
Where an answer is not one queryset (a search, a chronology, one assessment), a
``QueryParameters`` FilterSet only checks and documents the parameters and the view passes
the cleaned values to its selector. drf-spectacular documents every FilterSet in the
schema, so a filter's type, bounds and choices are what the server accepts; a value it
does not accept answers 400 naming the parameter, like any other refused input.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django_filters import fields as filter_fields
from django_filters.rest_framework import (
    BooleanFilter,
    CharFilter,
    ChoiceFilter,
    DjangoFilterBackend,
    Filter,
    FilterSet,
)
from django_filters.utils import translate_validation
from drf_spectacular.utils import extend_schema_field
from rest_framework.generics import GenericAPIView

from families.models import Family, HouseholdMembership
from families.states import FamilyStatus

AnyFilter = TypeVar("AnyFilter", bound=Filter)

TRUE_WORDS = frozenset({"1", "true", "yes"})
FALSE_WORDS = frozenset({"0", "false", "no"})


def documented(filter_: AnyFilter, schema: dict[str, Any]) -> AnyFilter:
    """``filter_`` with its parameter's schema stated (a type, bounds), where the filter
    class alone does not say it, and its help text as the description."""
    description = filter_.extra.get("help_text")
    stated = {**schema, "description": str(description)} if description else schema
    return extend_schema_field(stated)(filter_)


class YesNoField(forms.Field):
    """true or false (also 1/0 and yes/no, in any case); left out or empty is None."""

    default_error_messages = {"invalid": "Enter true or false"}

    def to_python(self, value: Any) -> bool | None:
        if value is None or value == "":
            return None
        word = str(value).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValidationError(self.error_messages["invalid"], code="invalid")


class YesNoFilter(BooleanFilter):
    """A boolean parameter that refuses anything but true or false, rather than reading
    a mistyped value as false."""

    field_class = YesNoField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Not django-filter's BooleanWidget, which reads any other word as "not given".
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(*args, **kwargs)


class GivenChoiceField(filter_fields.ChoiceField):
    """A choice that may be left out (for its default) but, when given, names a choice:
    an empty value is refused, not read as the default."""

    default_error_messages = {"blank": "Choose one, or leave the parameter out"}

    def clean(self, value: Any) -> Any:
        if value == "":
            raise ValidationError(self.error_messages["blank"], code="blank")
        return super().clean(value)


class GivenChoiceFilter(ChoiceFilter):
    field_class = GivenChoiceField


class WholeNumberFilter(Filter):
    """An id or a count: a whole number, not the decimal django-filter's NumberFilter
    reads."""

    field_class = forms.IntegerField


class QueryParameters(FilterSet):
    """Parameters for an answer that is not one queryset: the FilterSet checks and
    documents them (``query_parameters``) and narrows nothing itself; the view passes
    the cleaned values to the selector that builds the answer."""

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset


def query_parameters(view: GenericAPIView[Any]) -> dict[str, Any]:
    """The cleaned values of the view's ``filterset_class`` for this request, or a 400
    naming each wrong parameter, as DjangoFilterBackend answers for a list."""
    filterset = DjangoFilterBackend().get_filterset(view.request, view.queryset, view)
    if not filterset.is_valid():
        raise translate_validation(filterset.errors)
    return dict(filterset.form.cleaned_data)


LCG_ID_MESSAGE = "Enter an LCG id as a whole number"


class LCGFilterSet(FilterSet):
    """Lists of families by LCG: one LCG, or those outside every LCG."""

    lcg = documented(
        WholeNumberFilter(
            method="filter_lcg",
            min_value=1,
            help_text="LCG id (ignored with unassigned=true)",
            error_messages={"invalid": LCG_ID_MESSAGE, "min_value": LCG_ID_MESSAGE},
        ),
        {"type": "integer", "minimum": 1},
    )
    unassigned = YesNoFilter(
        method="filter_unassigned", help_text="Only families outside every LCG"
    )

    def filter_lcg(self, queryset: QuerySet[Family], name: str, value: int) -> QuerySet[Family]:
        # "Outside every LCG" wins over naming one, as on the pages.
        if self.form.cleaned_data.get("unassigned"):
            return queryset
        return queryset.filter(lcg_id=value)

    def filter_unassigned(
        self, queryset: QuerySet[Family], name: str, value: bool
    ) -> QuerySet[Family]:
        return queryset.filter(lcg__isnull=True) if value else queryset


class FamilyFilter(LCGFilterSet):
    """GET /api/families/: narrows ``families.selectors.family_list_for_user``."""

    status = ChoiceFilter(
        choices=FamilyStatus.choices,
        help_text="Only families at this point of their case journey",
        error_messages={"invalid_choice": "Unknown status %(value)r"},
    )
    q = CharFilter(method="filter_q", help_text="Family reference or surname")

    def filter_q(self, queryset: QuerySet[Family], name: str, value: str) -> QuerySet[Family]:
        # The same match as the families page's search box (family_list_for_user).
        surname = HouseholdMembership.objects.filter(person__family_name__iexact=value)
        return queryset.filter(Q(reference__iexact=value) | Q(pk__in=surname.values("family_id")))
