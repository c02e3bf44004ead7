from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from agencies.models import Agency, Staff, User


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin[Agency]):
    list_display = ["code", "name", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name"]


class StaffInline(admin.StackedInline[Staff, User]):
    model = Staff
    can_delete = False
    autocomplete_fields = ["agency"]


@admin.register(User)
class OnePlanUserAdmin(UserAdmin):  # type: ignore[type-arg]
    inlines = [StaffInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active"]

    DEACTIVATED_IN_ADMIN = "Active unticked in the admin"

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        """Unticking "Active" goes through ``user_deactivate``, which also ends the user's
        sessions and API token and records who did it."""
        from agencies.services import user_deactivate

        deactivating = change and "is_active" in form.changed_data and not obj.is_active
        if deactivating:
            obj.is_active = True  # the service makes this change
        super().save_model(request, obj, form, change)
        if deactivating:
            assert isinstance(request.user, User)
            user_deactivate(actor=request.user, user=obj, reason=self.DEACTIVATED_IN_ADMIN)


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin[Staff]):
    list_display = ["user", "agency", "job_title", "roles"]
    list_filter = ["agency__kind"]
    search_fields = ["user__username", "user__last_name", "agency__name"]
    autocomplete_fields = ["agency", "user"]
