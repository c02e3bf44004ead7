from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest

from agencies.models import User
from lcgs.models import LCG, LCGMembership
from oneplan.errors import ApplicationError


class MembershipForm(forms.ModelForm):
    """Refuses, with a message on the page, adding or changing one's own membership
    (``lcgs.services.lcg_membership_save`` enforces it for every caller)."""

    actor: User | None = None  # set for each request by the admin

    class Meta:
        model = LCGMembership
        fields = ["lcg", "staff", "is_coordinator"]

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if self.actor is None or not self.has_changed():
            return cleaned
        from agencies.services import access_change_check

        chosen = cleaned.get("staff")
        user_ids = [chosen.user_id if chosen is not None else None]
        if self.instance.pk is not None:
            user_ids.append(self.instance.staff.user_id)
        try:
            access_change_check(actor=self.actor, user_ids=user_ids)
        except ApplicationError as refused:
            raise ValidationError(refused.message) from refused
        return cleaned


class MembershipInline(admin.TabularInline[LCGMembership, LCG]):
    model = LCGMembership
    form = MembershipForm
    extra = 0
    autocomplete_fields = ["staff"]

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        assert isinstance(request.user, User)
        form_class: Any = formset.form
        form_class.actor = request.user
        return formset


@admin.register(LCG)
class LCGAdmin(admin.ModelAdmin[LCG]):
    list_display = ["code", "name", "sro"]
    search_fields = ["code", "name"]
    inlines = [MembershipInline]
    autocomplete_fields = ["sro"]

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not LCGMembership:
            super().save_formset(request, form, formset, change)
            return
        from lcgs.services import lcg_membership_delete, lcg_membership_save

        assert isinstance(request.user, User)
        instances = formset.save(commit=False)
        try:
            for membership in formset.deleted_objects:
                lcg_membership_delete(actor=request.user, membership=membership)
            for membership in instances:
                lcg_membership_save(actor=request.user, membership=membership)
        except ApplicationError as refused:
            # The admin's transaction is rolled back: the LCG is left as it was.
            raise PermissionDenied(refused.message) from refused
        formset.save_m2m()
