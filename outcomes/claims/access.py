"""Who may see and make claims (DOMAIN.md 2): programme managers make and change claim
batches; internal auditors read them (they audit the sample); senior officers read them
and add "equivalent progress" claims to a draft batch; nobody else sees them."""

from __future__ import annotations

from agencies.models import AnyUser
from agencies.roles import Role
from families.access.access import staff_for


def can_make_claims(user: AnyUser) -> bool:
    staff = staff_for(user)
    return staff is not None and staff.has_role(Role.PROGRAMME_MANAGER)


def can_see_claims(user: AnyUser) -> bool:
    staff = staff_for(user)
    return staff is not None and (
        staff.has_role(Role.PROGRAMME_MANAGER)
        or staff.has_role(Role.INTERNAL_AUDITOR)
        or staff.has_role(Role.SENIOR_OFFICER)
    )


def can_audit_claims(user: AnyUser) -> bool:
    staff = staff_for(user)
    return staff is not None and staff.has_role(Role.INTERNAL_AUDITOR)


def can_see_money(user: AnyUser) -> bool:
    """The programme's money (attachment fees, result payments, the forecast, the payment
    rates) is the programme manager's (DOMAIN.md 2: "targets, outcomes, claims export,
    money"): the Money page, its CSV and the API. Internal auditors check sampled claims,
    not the council's income, so they do not see it."""
    staff = staff_for(user)
    return staff is not None and staff.has_role(Role.PROGRAMME_MANAGER)


def can_change_payment_rates(user: AnyUser) -> bool:
    """Programme managers set the attachment fees (configuration of rules, DOMAIN.md 2)."""
    return can_see_money(user)


def can_export_claims(user: AnyUser) -> bool:
    """Exporting a batch's claims as CSV or XLSX: whoever sees claims
    (``can_see_claims``). The file holds what the batch page shows, with the family's
    attachment date; the lead adult's identifiers only by ``can_see_claim_identifiers``."""
    return can_see_claims(user)


def can_see_claim_identifiers(user: AnyUser) -> bool:
    """The lead adult's name and date of birth in a claim export: programme managers
    only. Internal auditors verify evidence (DOMAIN.md 2) against each claim's frozen
    snapshot, which the family reference finds, and others who read claims only check
    them: none of them needs personal identifiers."""
    staff = staff_for(user)
    return staff is not None and staff.has_role(Role.PROGRAMME_MANAGER)


def can_claim_equivalent_progress(user: AnyUser) -> bool:
    """Adding a family whose results are not fully met to a draft batch on "equivalent
    progress", with a written reason: only a senior officer (DOMAIN.md 4.2, 5), never
    the programme manager who makes the batch, so that two people stand behind it."""
    staff = staff_for(user)
    return staff is not None and staff.has_role(Role.SENIOR_OFFICER)
