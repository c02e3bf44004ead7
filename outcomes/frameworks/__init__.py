"""Pure, versioned identification rules for each framework (DOMAIN.md section 4).

No ORM and no clock here: callers pass the household, its evidence, the framework
version's parameters and the assessment date, and get a result with plain-English reasons.
"""
