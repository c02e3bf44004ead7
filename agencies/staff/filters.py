"""Query-string filters of the staff API: narrow what ``staff_list_for_admin`` returned
(the selector alone decides who sees anything)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django_filters.rest_framework import CharFilter, ChoiceFilter, FilterSet

from agencies.models import Staff
from agencies.roles import Role
from agencies.staff.selectors import AccountStatus


class StaffFilter(FilterSet):
    """GET /api/staff/: by agency, role, account status and name."""

    agency = CharFilter(
        field_name="agency__code", help_text="Only the staff of the agency with this code"
    )
    role = ChoiceFilter(
        choices=Role.choices,
        method="filter_role",
        help_text="Only staff who hold this role",
        error_messages={"invalid_choice": "Unknown role %(value)r"},
    )
    status = ChoiceFilter(
        choices=AccountStatus.choices,
        field_name="account_status",
        help_text="invited: has not set a password yet; deactivated: cannot sign in",
        error_messages={"invalid_choice": "Unknown status %(value)r"},
    )
    name = CharFilter(method="filter_name", help_text="A part of their name or username")

    class Meta:
        model = Staff
        fields: list[str] = []

    def filter_role(self, queryset: QuerySet[Staff], name: str, value: str) -> QuerySet[Staff]:
        return queryset.filter(roles__contains=[value])

    def filter_name(self, queryset: QuerySet[Staff], name: str, value: str) -> QuerySet[Staff]:
        for word in value.split():
            queryset = queryset.filter(
                Q(user__first_name__icontains=word)
                | Q(user__last_name__icontains=word)
                | Q(user__username__icontains=word)
            )
        return queryset
