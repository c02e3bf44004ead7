"""Writes about access to a family: lawful bases, the team around it, break glass.

Each takes ``actor=`` (a user, or ``agencies.services.system_actor()`` for jobs), runs
in a transaction and leaves a record of who did what and why.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from agencies.models import Agency, User
from audit.services import access_event_record
from families.access import rules
from families.access.grants import grants_sync
from families.grants_models import (
    BreakGlassAccess,
    BreakGlassRefusal,
    LawfulBasis,
    LawfulBasisKind,
    TeamMember,
)
from families.models import (
    Family,
    HouseholdMembership,
    Person,
)
from families.services import family_transition
from families.states import TERMINAL_STATES, FamilyStatus
from oneplan.dates import govuk_date, govuk_time
from oneplan.errors import ApplicationError


@transaction.atomic
def lawful_basis_record(
    *,
    actor: User,
    family: Family,
    kind: LawfulBasisKind | str,
    given_on: datetime.date,
    person: Person | None = None,
    gateway: str = "",
    family_agreed: bool = False,
) -> LawfulBasis:
    """Record why agencies may share information about this family (DOMAIN.md 7).

    Consent comes from a current member of the family; a statutory gateway names the law.
    With ``family_agreed``, the family also agreed to work with the programme: an
    allocated family moves to engaged (DOMAIN.md 4.4), with this basis named as the
    reason. Only an allocated family can agree; a refusal records nothing.
    """
    kind = LawfulBasisKind(kind)
    if family_agreed:
        _check_can_engage(family)
    if kind == LawfulBasisKind.CONSENT:
        if person is None:
            raise ApplicationError("Select the family member who gave consent", field="person")
        if not HouseholdMembership.objects.filter(
            family=family, person=person, end_date__isnull=True
        ).exists():
            raise ApplicationError(
                "Consent must come from a current member of the family", field="person"
            )
        gateway = ""
    else:
        person = None
        if not gateway.strip():
            raise ApplicationError("Enter the law the statutory gateway rests on", field="gateway")
    if given_on > timezone.localdate():
        raise ApplicationError("The date must be today or in the past", field="given_on")
    basis = LawfulBasis(
        family=family,
        kind=kind,
        person=person,
        gateway=gateway.strip(),
        given_on=given_on,
        recorded_by=actor,
    )
    basis.full_clean()
    basis.save()
    if family_agreed:
        family_transition(
            actor=actor,
            family=family,
            to_status=FamilyStatus.ENGAGED,
            reason=f"The family agreed to work with the programme. {_basis_words(basis)}",
        )
    return basis


def _check_can_engage(family: Family) -> None:
    status = FamilyStatus(Family.objects.select_for_update().get(pk=family.pk).status)
    if status == FamilyStatus.ALLOCATED:
        return
    if status in (FamilyStatus.IDENTIFIED, FamilyStatus.SCREENED):
        message = (
            "The family's agreement to work with the programme is recorded once the LCG "
            "has allocated it: record the lawful basis on its own for now"
        )
    elif status in TERMINAL_STATES:
        message = f"The family is {status.label.lower()}: re-open it first"
    else:
        message = (
            "The family's agreement to work with the programme is already recorded: "
            f"it is {status.label.lower()}"
        )
    raise ApplicationError(message, field="family_agreed")


def _basis_words(basis: LawfulBasis) -> str:
    if basis.kind == LawfulBasisKind.CONSENT:
        return f"Consent to share given by {basis.person} on {govuk_date(basis.given_on)}."
    return f"Information is shared under a statutory gateway: {basis.gateway}."


@transaction.atomic
def lawful_basis_withdraw(
    *, actor: User, basis: LawfulBasis, withdrawn_on: datetime.date, note: str
) -> LawfulBasis:
    """Record that consent was withdrawn, and end the access that rested on it.

    Agencies on the team under this basis move to another basis still in force for the
    family, if there is one; otherwise they leave the team and lose their access.
    """
    locked = LawfulBasis.objects.select_for_update().get(pk=basis.pk)
    if locked.withdrawn_on is not None:
        raise ApplicationError("This has already been withdrawn")
    if locked.kind != LawfulBasisKind.CONSENT:
        raise ApplicationError("Only consent can be withdrawn; end a statutory gateway instead")
    if withdrawn_on < locked.given_on:
        raise ApplicationError(
            "The withdrawal date must be the same as or after the date consent was given",
            field="withdrawn_on",
        )
    if not note.strip():
        raise ApplicationError("Enter a note about the withdrawal", field="note")
    locked.withdrawn_on = withdrawn_on
    locked.withdrawn_by = actor
    locked.withdrawal_note = note.strip()
    locked.save(update_fields=["withdrawn_on", "withdrawn_by", "withdrawal_note"])
    other = (
        LawfulBasis.objects.filter(family_id=locked.family_id, withdrawn_on__isnull=True)
        .exclude(pk=locked.pk)
        .order_by("-given_on", "-pk")
        .first()
    )
    resting = TeamMember.objects.filter(lawful_basis=locked, removed_at__isnull=True)
    if other is not None:
        resting.update(lawful_basis=other)
    else:
        resting.update(
            removed_at=timezone.now(),
            removed_by=actor,
            removal_reason="Consent withdrawn and no other lawful basis",
        )
    grants_sync(actor=actor, family_ids=[locked.family_id], why="Consent withdrawn")
    return locked


@transaction.atomic
def team_member_add(*, actor: User, family: Family, agency: Agency) -> TeamMember:
    """Add an agency to the team around the family, which lets its staff see the family.

    Refused without a lawful basis in force: sharing must rest on consent or a gateway.
    """
    locked = Family.objects.select_for_update().get(pk=family.pk)
    basis = (
        LawfulBasis.objects.filter(family=locked, withdrawn_on__isnull=True)
        .order_by("-given_on", "-pk")
        .first()
    )
    if basis is None:
        raise ApplicationError(
            "Record consent or a statutory gateway for this family before adding an agency "
            "to the team",
            field="agency",
        )
    if TeamMember.objects.filter(family=locked, agency=agency, removed_at__isnull=True).exists():
        raise ApplicationError(f"{agency.name} is already on the team", field="agency")
    member = TeamMember.objects.create(
        family=locked, agency=agency, lawful_basis=basis, added_by=actor
    )
    grants_sync(actor=actor, family_ids=[locked.pk], why="Team changed")
    return member


@transaction.atomic
def team_member_remove(*, actor: User, member: TeamMember, reason: str) -> TeamMember:
    """Take an agency off the team; its staff lose access resting on the team."""
    if not reason.strip():
        raise ApplicationError("Enter why the agency is leaving the team", field="reason")
    locked = TeamMember.objects.select_for_update().get(pk=member.pk)
    if locked.removed_at is not None:
        raise ApplicationError(f"{locked.agency.name} has already left the team")
    locked.removed_at = timezone.now()
    locked.removed_by = actor
    locked.removal_reason = reason.strip()
    locked.save(update_fields=["removed_at", "removed_by", "removal_reason"])
    grants_sync(actor=actor, family_ids=[locked.family_id], why="Team changed")
    return locked


@dataclass(frozen=True)
class BreakGlassResult:
    """The access in force after a request: ``opened`` is False when one was already
    open, which the request left unchanged."""

    access: BreakGlassAccess
    opened: bool


class BreakGlassLimitReached(ApplicationError):
    """The user has opened as many emergency accesses as the daily limit allows."""


BREAK_GLASS_WINDOW = datetime.timedelta(hours=24)
BREAK_GLASS_NO_SUCH_FAMILY = "No family has this reference: check it and try again"


def break_glass_open(
    *, actor: User, reference: str, category: str, reason: str
) -> BreakGlassResult:
    """Emergency access to a family outside the user's scope (DOMAIN.md section 7).

    Needs a kind of emergency and a reason in words (``families.access.rules``); lasts
    ``ONEPLAN_BREAK_GLASS_HOURS``; goes on the data protection officer's review list.
    One open access per user and family: asking again while it is open changes nothing.
    At most ``ONEPLAN_BREAK_GLASS_DAILY_LIMIT`` in any 24 hours: past it the request is
    refused, kept as a ``BreakGlassRefusal`` and the data protection officers are emailed.

    A reference that names no family is refused only after every other check, with the
    same checks in the same order as a family outside the user's scope, so nothing but
    an opened (recorded and reviewed) access tells the user a family exists.
    """
    problems = rules.break_glass_reason_problems(category=category, reason=reason)
    if problems:
        raise ApplicationError(problems[0].message, field=problems[0].field)
    result = _break_glass_request(
        actor=actor,
        reference=reference.strip().upper(),
        category=category,
        reason=rules.break_glass_reason_clean(reason),
    )
    if isinstance(result, BreakGlassRefusal):
        # Raised after the transaction, so the refusal and its alert are kept.
        raise BreakGlassLimitReached(
            "You have used emergency access "
            f"{result.accesses_in_window} times in the last 24 hours, the most allowed. "
            "Ask your manager or the data protection officer for access. "
            "The data protection officer has been told about this request."
        )
    return result


@transaction.atomic
def _break_glass_request(
    *, actor: User, reference: str, category: str, reason: str
) -> BreakGlassResult | BreakGlassRefusal:
    from django.conf import settings

    # One user's requests queue on their own row: two at once cannot both pass the
    # one-open check or the daily limit.
    User.objects.select_for_update().filter(pk=actor.pk).first()
    now = timezone.now()
    family = Family.objects.filter(reference=reference).first()
    if family is not None:
        already = (
            BreakGlassAccess.objects.filter(user=actor, family=family, expires_at__gt=now)
            .order_by("-expires_at")
            .first()
        )
        if already is not None:
            return BreakGlassResult(access=already, opened=False)

    # From here a missing family and one outside the user's scope take the same path.
    used = BreakGlassAccess.objects.filter(
        user=actor, started_at__gt=now - BREAK_GLASS_WINDOW
    ).count()
    if used >= settings.ONEPLAN_BREAK_GLASS_DAILY_LIMIT:
        refusal = BreakGlassRefusal.objects.create(
            user=actor,
            reference=reference[:12],
            family=family,
            category=category,
            reason=reason,
            refused_at=now,
            accesses_in_window=used,
        )
        refusal_id = refusal.pk

        def alert() -> None:
            from families.access.tasks import break_glass_refusal_alert_task

            break_glass_refusal_alert_task.delay(refusal_id)

        transaction.on_commit(alert)
        return refusal
    if family is None:
        raise ApplicationError(BREAK_GLASS_NO_SUCH_FAMILY, field="reference")

    access = BreakGlassAccess.objects.create(
        family=family,
        user=actor,
        category=category,
        reason=reason,
        started_at=now,
        expires_at=now + datetime.timedelta(hours=settings.ONEPLAN_BREAK_GLASS_HOURS),
    )
    grants_sync(actor=actor, family_ids=[family.pk], why="Break glass")
    return BreakGlassResult(access=access, opened=True)


def break_glass_refusal_alert(*, refusal_id: int) -> int:
    """Email every data protection officer that a user was refused emergency access
    over the daily limit. Idempotent: a refusal is alerted once.

    The email carries no case detail (no family, no reason): it leaves the service's
    access control, so it only says who and when and links to the review page.
    """
    from django.conf import settings
    from django.core.mail import send_mail
    from django.urls import reverse

    from agencies.roles import Role

    with transaction.atomic():
        refusal = (
            BreakGlassRefusal.objects.select_for_update()
            .select_related("user")
            .filter(pk=refusal_id, dpo_alerted_at__isnull=True)
            .first()
        )
        if refusal is None:
            return 0
        recipients = sorted(
            User.objects.filter(
                is_active=True, staff__roles__contains=[Role.DATA_PROTECTION_OFFICER.value]
            )
            .exclude(email="")
            .exclude(pk=refusal.user_id)
            .values_list("email", flat=True)
        )
        who = refusal.user.get_full_name() or refusal.user.username
        when = timezone.localtime(refusal.refused_at)
        link = settings.ONEPLAN_BASE_URL + reverse("families:break-glass-review-list")
        # Marked before sending: once the email is out, nothing may fail before commit.
        refusal.dpo_alerted_at = timezone.now()
        refusal.save(update_fields=["dpo_alerted_at"])
        if recipients:
            send_mail(
                subject=f"{settings.ONEPLAN_SERVICE_NAME}: emergency access refused",
                message=(
                    f"{who} ({refusal.user.username}) asked for emergency access at "
                    f"{govuk_time(when)} on {govuk_date(when)} and was refused: they had "
                    f"already used emergency access {refusal.accesses_in_window} times in "
                    "the last 24 hours.\n\n"
                    f"Review their emergency access: {link}?show=refused\n"
                ),
                from_email=None,
                recipient_list=recipients,
                fail_silently=False,
            )
        return len(recipients)


@transaction.atomic
def break_glass_review(
    *, actor: User, access: BreakGlassAccess, outcome: str, note: str
) -> BreakGlassAccess:
    """The data protection officer's verdict on an emergency access."""
    if outcome not in ("justified", "not_justified"):
        raise ApplicationError("Select whether the access was justified", field="outcome")
    if outcome == "not_justified" and not note.strip():
        raise ApplicationError("Enter what will happen next", field="note")
    locked = BreakGlassAccess.objects.select_for_update().get(pk=access.pk)
    if locked.reviewed_at is not None:
        raise ApplicationError("This access has already been reviewed")
    if locked.user_id == actor.pk:
        raise ApplicationError("You cannot review your own emergency access")
    locked.reviewed_by = actor
    locked.reviewed_at = timezone.now()
    locked.review_outcome = outcome
    locked.review_note = note.strip()
    locked.save(update_fields=["reviewed_by", "reviewed_at", "review_outcome", "review_note"])
    return locked


def break_glass_opened_record(
    *, request: HttpRequest, user: User, access: BreakGlassAccess, via_api: bool = False
) -> None:
    """Log the emergency access just opened in the access log (who, when, from where,
    the category and the reason), the same way for the page and the API."""
    family = access.family
    detail: dict[str, object] = {"category": access.category}
    if via_api:
        detail["api"] = True
    access_event_record(
        user=user,
        action="break_glass",
        object_type="family",
        object_id=str(family.pk),
        family_id=family.pk,
        family_reference=family.reference,
        purpose=f"{access.get_category_display()}: {access.reason}",
        request=request,
        detail=detail,
    )
