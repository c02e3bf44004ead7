"""LCGs as reference data: name, districts, postcode districts and senior responsible
officer. Who coordinates an LCG is set on the staff pages (``agencies.staff``, through
``lcgs.memberships``), with the member of staff's roles (docs/decisions/0014)."""

from django.contrib import admin

from lcgs.models import LCG


@admin.register(LCG)
class LCGAdmin(admin.ModelAdmin[LCG]):
    list_display = ["code", "name", "sro"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["sro"]
