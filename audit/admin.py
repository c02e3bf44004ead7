"""Access events in the admin: read-only, and only for the data protection officer.

Being a superuser is not enough: system administrators manage accounts and see no case
data (DOMAIN.md section 2), and this log says which families each person works with.
The database refuses changes anyway (AccessEvent's triggers); the admin does not offer
them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from audit.access import can_view_access_events_in_admin
from audit.models import AccessEvent


@admin.register(AccessEvent)
class AccessEventAdmin(admin.ModelAdmin[AccessEvent]):
    list_display = [
        "occurred_at",
        "user",
        "action",
        "object_type",
        "family_reference",
        "ip_address",
    ]
    list_filter = ["action", "object_type"]
    search_fields = ["family_reference", "user__username", "request_id"]
    list_select_related = ["user"]
    ordering = ["-occurred_at", "-id"]
    # The table only grows: counting all of it for every page would get slow.
    show_full_result_count = False
    readonly_fields = [field.name for field in AccessEvent._meta.fields]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_view_access_events_in_admin(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
