"""Accounts, staff profiles and agencies in the admin.

The admin hands nobody someone else's access (the security review of the admin, docs
decision 0009): no password of another person is set or shown here, there is no page for
API tokens or authenticator apps, and nobody changes their own roles, agency or
administrator status. Writes go through ``agencies.services``, which enforce the same
rules for every caller; the forms below only turn a refusal into a message on the page.
"""

from typing import Any

from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from agencies.models import Agency, Staff, User
from oneplan.errors import ApplicationError

# Shown read-only on one's own account and staff profile: another administrator changes
# them (agencies.services.access_change_check).
OWN_USER_READONLY = ("is_active", "is_staff", "is_superuser")
OWN_STAFF_READONLY = ("user", "agency", "roles")


# Admin pages that installed packages register and OnePlan takes away, by label so this
# holds whichever of them are installed. Each hands over someone else's access or runs
# code as the service:
# - API tokens (DRF's, or any other token model): a token minted for someone signs in as
#   them, and the access log then names them.
# - allauth's authenticators and email addresses: the rows hold second-factor secrets,
#   and an address decides where any account email goes. Two-step verification is
#   reset with the action on the user page, which is audited.
# - Groups: agency groups carry object permissions on families and are derived from staff
#   profiles (families.access.guardian_sync), never edited by hand.
# - Periodic tasks: any Celery task with any arguments, on a schedule; the schedule is
#   declared in code (oneplan/celery.py).
# oneplan/tests/test_admin.py holds the allow-list of what may stay.
NOT_IN_THE_ADMIN = frozenset(
    {
        "authtoken.token",
        "authtoken.tokenproxy",
        "mfa.authenticator",
        "account.emailaddress",
        "auth.group",
        "django_celery_beat.periodictask",
        "django_celery_beat.clockedschedule",
        "django_celery_beat.crontabschedule",
        "django_celery_beat.solarschedule",
        "django_celery_beat.intervalschedule",
    }
)
for _model in list(admin.site._registry):
    if _model._meta.label_lower in NOT_IN_THE_ADMIN:
        admin.site.unregister(_model)


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin[Agency]):
    list_display = ["code", "name", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name"]


class StaffAdminForm(forms.ModelForm):
    """Refuses, with a message on the page, a profile that would change its own holder's
    access (new, moved onto their account, or a different agency or roles)."""

    actor: User | None = None  # set for each request by the admin

    class Meta:
        model = Staff
        fields = ["user", "agency", "job_title", "roles", "phone"]

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        access_changed = self.instance.pk is None or bool(
            {"user", "agency", "roles"} & set(self.changed_data)
        )
        if self.actor is not None and access_changed:
            from agencies.services import access_change_check

            chosen = cleaned.get("user")
            user_ids = [self.instance.user_id, chosen.pk if chosen is not None else None]
            try:
                access_change_check(actor=self.actor, user_ids=user_ids)
            except ApplicationError as refused:
                raise ValidationError(refused.message) from refused
        return cleaned


class StaffInline(admin.StackedInline[Staff, User]):
    model = Staff
    form = StaffAdminForm
    can_delete = False
    autocomplete_fields = ["agency"]

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        form_class: Any = formset.form
        form_class.actor = _actor(request)
        return formset

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and obj.pk == request.user.pk:
            return [*super().get_readonly_fields(request, obj), "agency", "roles"]
        return super().get_readonly_fields(request, obj)


@admin.register(User)
class OnePlanUserAdmin(UserAdmin):
    inlines = [StaffInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    # No password (not even its hash), and no groups or permissions: agency groups are
    # derived from staff profiles (families.access.guardian_sync), never picked by hand.
    fieldsets = (
        (None, {"fields": ("username",)}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("Two-step verification", {"fields": ("two_step_verification",)}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    filter_horizontal = ()
    readonly_fields = ["two_step_verification", "last_login", "date_joined"]
    actions = ["mfa_reset"]

    DEACTIVATED_IN_ADMIN = "Active unticked in the admin"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and obj.pk == request.user.pk:
            return [*super().get_readonly_fields(request, obj), *OWN_USER_READONLY]
        return super().get_readonly_fields(request, obj)

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        """No administrator sets another person's password: they could then sign in as
        that person, and the access log would name the wrong one."""
        raise PermissionDenied

    @admin.display(description="Set up")
    def two_step_verification(self, obj: User) -> str:
        # Kinds and dates only: ``data`` holds the (encrypted) secret.
        kinds = [
            f"{authenticator.get_type_display()} since {authenticator.created_at:%d %B %Y}"
            for authenticator in Authenticator.objects.filter(user_id=obj.pk).order_by("type")
        ]
        return "; ".join(kinds) or "Not set up"

    @admin.action(description="Reset two-step verification of selected users")
    def mfa_reset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        from agencies.services import MFA_RESET_IN_ADMIN, user_mfa_reset

        for user in queryset:
            try:
                user_mfa_reset(actor=_actor(request), user=user, reason=MFA_RESET_IN_ADMIN)
            except ApplicationError as refused:
                self.message_user(request, f"{user}: {refused.message}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"{user} will set up a new authenticator app when they next sign in",
                    messages.SUCCESS,
                )

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        """Unticking "Active" goes through ``user_deactivate``, which also ends the user's
        sessions and API token and records who did it."""
        from agencies.services import user_deactivate, user_save

        deactivating = change and "is_active" in form.changed_data and not obj.is_active
        if deactivating:
            obj.is_active = True  # the service makes this change
        try:
            user_save(actor=_actor(request), user=obj)
        except ApplicationError as refused:
            raise PermissionDenied(refused.message) from refused
        if deactivating:
            user_deactivate(actor=_actor(request), user=obj, reason=self.DEACTIVATED_IN_ADMIN)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not Staff:
            super().save_formset(request, form, formset, change)
            return
        from agencies.services import staff_save

        try:
            for staff in formset.save(commit=False):
                staff_save(actor=_actor(request), staff=staff)
        except ApplicationError as refused:
            raise PermissionDenied(refused.message) from refused
        formset.save_m2m()


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin[Staff]):
    form = StaffAdminForm
    list_display = ["user", "agency", "job_title", "roles"]
    list_filter = ["agency__kind"]
    search_fields = ["user__username", "user__last_name", "agency__name"]
    autocomplete_fields = ["agency", "user"]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form: Any = super().get_form(request, obj, change, **kwargs)
        form.actor = _actor(request)
        return form

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and obj.user_id == request.user.pk:
            return [*super().get_readonly_fields(request, obj), *OWN_STAFF_READONLY]
        return super().get_readonly_fields(request, obj)

    def save_model(self, request: HttpRequest, obj: Staff, form: Any, change: bool) -> None:
        from agencies.services import staff_save

        try:
            staff_save(actor=_actor(request), staff=obj)
        except ApplicationError as refused:
            raise PermissionDenied(refused.message) from refused

    def delete_model(self, request: HttpRequest, obj: Staff) -> None:
        from agencies.services import staff_delete

        try:
            staff_delete(actor=_actor(request), staff=obj)
        except ApplicationError as refused:
            raise PermissionDenied(refused.message) from refused

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Staff]) -> None:
        from agencies.services import staff_delete

        try:
            with transaction.atomic():
                for staff in queryset:
                    staff_delete(actor=_actor(request), staff=staff)
        except ApplicationError as refused:
            raise PermissionDenied(refused.message) from refused
