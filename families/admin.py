"""Case data in the admin is read-only: changes go through services with a reason.

System administrators manage accounts and see no case data (DOMAIN.md section 2), so
being a superuser is not enough to see these pages: the account must also hold a
programme-wide oversight role.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from agencies.models import User
from agencies.roles import Role
from families.models import Family, Person

_CASE_DATA_ADMIN_ROLES = {Role.PROGRAMME_MANAGER, Role.DATA_PROTECTION_OFFICER}


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        user = request.user
        if not isinstance(user, User) or not user.is_active or not user.is_staff:
            return False
        staff = user.staff_or_none
        return staff is not None and bool(_CASE_DATA_ADMIN_ROLES & set(staff.roles))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Family)
class FamilyAdmin(ReadOnlyAdmin):
    list_display = ["reference", "lcg", "status", "lead_agency"]
    list_filter = ["status", "lcg"]
    search_fields = ["reference"]


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ["family_name", "given_name", "date_of_birth"]
    search_fields = ["family_name"]
