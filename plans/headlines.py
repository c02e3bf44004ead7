"""The Supporting Families headlines (DOMAIN.md 4.3): codes and labels, in the order
pages show them.

One list for both floors that need it: a need found during the work comes under one of
these (``plans.plan.rules.NEED_KINDS``), and they are the sf2022 framework's criteria
(``outcomes.frameworks.registry``). It lives here because plans sit below outcomes.
Codes are the stable ones in FEEDS.md ("Criterion codes"): nominations, screening and
claims store them, so a code never changes meaning once published. Which of them are
restricted information is ``plans.restricted``'s rule.

Pure data: no imports, no ORM.
"""

from __future__ import annotations

HEADLINES: tuple[tuple[str, str], ...] = (
    ("education", "Getting a good education"),
    ("early_years", "Good early years development"),
    ("health", "Improved mental and physical health"),
    ("substance_use", "Promoting recovery and reducing harm from substance use"),
    ("family_relationships", "Improved family relationships"),
    ("child_safety", "Children safe from abuse and exploitation"),
    ("crime", "Crime prevention and tackling crime"),
    ("domestic_abuse", "Safe from domestic abuse"),
    ("housing", "Secure housing"),
    ("financial_stability", "Financial stability"),
)
