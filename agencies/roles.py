"""The roles of DOMAIN.md section 2, as data every other module reads."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    FAMILY_SUPPORT_WORKER = "family_support_worker", "Family support worker"
    AGENCY_PRACTITIONER = "agency_practitioner", "Agency practitioner"
    LCG_COORDINATOR = "lcg_coordinator", "LCG coordinator"
    PROGRAMME_MANAGER = "programme_manager", "Programme manager"
    INTERNAL_AUDITOR = "internal_auditor", "Internal auditor"
    # Approves "equivalent progress" claims with a written reason (DOMAIN.md 4.2, 5).
    SENIOR_OFFICER = "senior_officer", "Senior officer"
    DATA_PROTECTION_OFFICER = "data_protection_officer", "Data protection officer"
    SYSTEM_ADMINISTRATOR = "system_administrator", "System administrator"


# Roles whose work spans the whole council's programme rather than named families.
PROGRAMME_WIDE_ROLES = frozenset(
    {
        Role.PROGRAMME_MANAGER,
        Role.INTERNAL_AUDITOR,
        Role.SENIOR_OFFICER,
        Role.DATA_PROTECTION_OFFICER,
    }
)
