"""Agencies, user accounts and staff profiles, and LCGs with their members."""

from __future__ import annotations

import pghistory
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.contrib.postgres.fields import ArrayField
from django.core.validators import RegexValidator
from django.db import models

from agencies.roles import Role
from oneplan.dates import govuk_datetime


class AgencyKind(models.TextChoices):
    # Codes are part of the stable command line (FEEDS.md `agency_add --kind`).
    POLICE = "police", "Police"
    YOUTH_OFFENDING = "youth_offending", "Youth offending team"
    SCHOOL = "school", "School"
    CHILDRENS_SERVICES = "childrens_services", "Children's services"
    DWP = "dwp", "DWP / Jobcentre Plus"
    HOUSING = "housing", "Housing"
    HEALTH = "health", "Health"
    PROBATION = "probation", "Probation"
    DISTRICT_COUNCIL = "district_council", "District council"
    VOLUNTARY_SECTOR = "voluntary_sector", "Voluntary sector"
    INTENSIVE_SUPPORT_PROVIDER = "intensive_support_provider", "Intensive support provider"
    OTHER = "other", "Other"


agency_code_validator = RegexValidator(
    r"^[A-Z0-9][A-Z0-9_-]{1,31}$",
    "Enter a code of 2 to 32 capital letters, digits, hyphens or underscores, like HCP-POLICE",
)


class Agency(models.Model):
    code = models.CharField(max_length=32, unique=True, validators=[agency_code_validator])
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=AgencyKind.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


# Who changed an account or a staff profile, and what it was before: database triggers,
# so a bulk update or a shell session is recorded as well as the admin. The password hash
# and the last sign-in time are not copied into the history (a hash is a credential, and
# a row per sign-in would bury the changes that matter).
def _account_history() -> tuple[pghistory.RowEvent, ...]:
    # New trackers per model: a tracker remembers the model it was first used on.
    return (pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())


@pghistory.track(*_account_history(), exclude=["password", "last_login"], append_only=True)
class User(AbstractUser):
    """A person who signs in. Their work context lives on ``Staff``."""

    class Meta:
        ordering = ["username"]

    @property
    def staff_or_none(self) -> Staff | None:
        try:
            return self.staff
        except Staff.DoesNotExist:
            return None


@pghistory.track(*_account_history(), append_only=True)
class Staff(models.Model):
    """A user's place in the programme: agency, job title and role(s)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="staff")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="staff")
    job_title = models.CharField(max_length=120, blank=True)
    roles = ArrayField(models.CharField(max_length=40, choices=Role.choices), default=list)
    phone = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user__last_name", "user__first_name"]
        verbose_name_plural = "staff"
        indexes = [models.Index(fields=["agency"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(roles__contained_by=[r.value for r in Role]),
                name="staff_roles_known",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user.get_full_name() or self.user.username} ({self.agency.code})"

    def has_role(self, role: Role) -> bool:
        return role.value in self.roles

    @property
    def display_name(self) -> str:
        return self.user.get_full_name() or self.user.username


# Whoever is making a request: a signed-in user or an anonymous visitor.
AnyUser = User | AnonymousUser


class UserSession(models.Model):
    """A session a user signed in with, so that deactivating the user can end it.

    Written by ``oneplan.site.sessions.SessionLimitsMiddleware`` when a session key first
    carries a signed-in user; read by ``agencies.services.user_deactivate``.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="signed_in_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self) -> str:
        return f"Session of {self.user} from {govuk_datetime(self.created_at)}"


# When someone set up, or lost, an authenticator app or recovery codes: who, which kind
# and when, never ``data`` (which holds the encrypted secret). Updates are left out: allauth
# writes one on every sign-in (``last_used_at``) and for each recovery code used.
# Tracked through a proxy so the triggers live in this app's migrations, not allauth's.
@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.DeleteEvent(),
    fields=["user", "type", "created_at", "last_used_at"],
    append_only=True,
    model_name="AuthenticatorEvent",
)
class TrackedAuthenticator(Authenticator):
    class Meta:
        proxy = True


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    exclude=["digest"],
    append_only=True,
)
class AccountSetUpLink(models.Model):
    """A one-time link a new member of staff opens to choose their first password.

    There is no email: the system administrator who invited the person passes the link on
    (``agencies.staff.services``). Only a SHA-256 digest of the link's token is stored,
    and the history leaves even that out. The link works once, until ``expires_at``, and
    only while the account has never had a password (docs/decisions/0014).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="set_up_links")
    digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    # A newer link, or deactivating the account, ends a link before it is used.
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self) -> str:
        return f"Set-up link for {self.user} from {govuk_datetime(self.created_at)}"


# LCGs are organisation reference data, kept here since the `lcgs` app became the LCG's
# work on top of every other app (docs/decisions/0015). Their tables keep the names they
# were created with in `lcgs`: the move changed where the models live, not the database.
class LCG(models.Model):
    """A Local Coordination Group: reviews its area's caseload and allocates work.

    A family belongs to the LCG whose postcode districts contain its address
    (DOMAIN.md section 3); a postcode district belongs to at most one LCG.
    """

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=120, unique=True)
    districts = ArrayField(
        models.CharField(max_length=80),
        default=list,
        help_text="Council districts the group covers, e.g. Hart, Rushmoor",
    )
    postcode_districts = ArrayField(
        models.CharField(max_length=4),
        default=list,
        help_text="Outward codes the group covers, e.g. SO23",
    )
    sro = models.ForeignKey(
        Staff,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lcgs_led",
        verbose_name="senior responsible officer",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "lcgs_lcg"
        ordering = ["name"]
        verbose_name = "LCG"
        verbose_name_plural = "LCGs"

    def __str__(self) -> str:
        return self.name


# A coordinator sees every family of their LCGs: who added or removed whom is recorded.
@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    append_only=True,
    meta={"db_table": "lcgs_lcgmembershipevent"},
)
class LCGMembership(models.Model):
    """A member of staff who coordinates (or sits on) an LCG."""

    lcg = models.ForeignKey(LCG, on_delete=models.CASCADE, related_name="memberships")
    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="lcg_memberships")
    is_coordinator = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "lcgs_lcgmembership"
        # Django would say "Lcg membership".
        verbose_name = "LCG membership"
        verbose_name_plural = "LCG memberships"
        constraints = [
            models.UniqueConstraint(fields=["lcg", "staff"], name="lcg_membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.staff} in {self.lcg}"
