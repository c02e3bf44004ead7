"""Agencies and LCGs in the admin, and accounts and staff profiles to look at only.

The admin keeps reference data (agencies and LCGs). Accounts, staff profiles, roles and
LCG memberships are managed on the staff pages (``agencies.staff``,
docs/decisions/0014), whose services enforce the rules for every caller; here they can
be looked at, and picked as an LCG's senior responsible officer, but not changed.

The admin hands nobody someone else's access (the security review of the admin, docs
decision 0009): no password of another person is set or shown here, and there is no page
for API tokens or authenticator apps.
"""

from typing import Any

from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from agencies.models import LCG, Agency, Staff, User
from oneplan.dates import govuk_date

# Admin pages that installed packages register and OnePlan takes away, by label so this
# holds whichever of them are installed. Each hands over someone else's access or runs
# code as the service:
# - API tokens (DRF's, or any other token model): a token minted for someone signs in as
#   them, and the access log then names them.
# - allauth's authenticators and email addresses: the rows hold second-factor secrets,
#   and an address decides where any account email goes. Two-step verification is
#   reset on the staff pages, which record who did it and why.
# - Groups and permissions: nothing in OnePlan reads them (access comes from roles and
#   grants, docs/decisions/0013), so a group set up here would look like access and give
#   none.
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


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin[Agency]):
    list_display = ["code", "name", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name"]


class ViewOnly:
    """Shown, never added, changed or deleted here: the staff pages do that."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class StaffInline(ViewOnly, admin.StackedInline[Staff, User]):
    model = Staff
    can_delete = False
    fields = ["agency", "job_title", "roles", "phone"]


@admin.register(User)
class OnePlanUserAdmin(ViewOnly, UserAdmin):
    inlines = [StaffInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    # No password (not even its hash), and no groups or permissions: access comes from
    # roles and grants (docs/decisions/0013), never from rows picked by hand.
    fieldsets = (
        (None, {"fields": ("username",)}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("Two-step verification", {"fields": ("two_step_verification",)}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    filter_horizontal = ()
    readonly_fields = ["two_step_verification", "last_login", "date_joined"]

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
            f"{authenticator.get_type_display()} since {govuk_date(authenticator.created_at)}"
            for authenticator in Authenticator.objects.filter(user_id=obj.pk).order_by("type")
        ]
        return "; ".join(kinds) or "Not set up"


@admin.register(Staff)
class StaffAdmin(ViewOnly, admin.ModelAdmin[Staff]):
    # Searchable for the LCG page's senior responsible officer (LCGAdmin).
    list_display = ["user", "agency", "job_title", "roles"]
    list_filter = ["agency__kind"]
    search_fields = ["user__username", "user__last_name", "agency__name"]


@admin.register(LCG)
class LCGAdmin(admin.ModelAdmin[LCG]):
    """LCGs as reference data: name, districts, postcode districts and senior responsible
    officer. Who coordinates an LCG is set on the staff pages (``agencies.staff``, through
    ``agencies.lcgs.memberships``), with the member of staff's roles (docs/decisions/0014)."""

    list_display = ["code", "name", "sro"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["sro"]
