from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

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


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin[Staff]):
    list_display = ["user", "agency", "job_title", "roles"]
    list_filter = ["agency__kind"]
    search_fields = ["user__username", "user__last_name", "agency__name"]
    autocomplete_fields = ["agency", "user"]
