from django.contrib import admin

from lcgs.models import LCG, LCGMembership


class MembershipInline(admin.TabularInline[LCGMembership, LCG]):
    model = LCGMembership
    extra = 0
    autocomplete_fields = ["staff"]


@admin.register(LCG)
class LCGAdmin(admin.ModelAdmin[LCG]):
    list_display = ["code", "name", "sro"]
    search_fields = ["code", "name"]
    inlines = [MembershipInline]
    autocomplete_fields = ["sro"]
