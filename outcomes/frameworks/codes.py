"""Codes as the feeds store them (FEEDS.md), with the words the rules and pages use
for them. Pure data."""

from __future__ import annotations

ASB_INTERVENTIONS = {
    "warning": "warning",
    "abc": "acceptable behaviour contract",
    "injunction": "injunction",
    "order": "anti-social behaviour order",
    "notice_seeking_possession": "notice seeking possession",
    "eviction": "eviction",
    "incident": "recorded incident",
}
CALLOUT_CATEGORIES = {
    "domestic_abuse": "domestic abuse",
    "asb": "anti-social behaviour",
    "missing_person": "missing person",
    "welfare": "welfare",
    "other": "other",
}
BENEFITS = {
    "JSA": "Jobseeker's Allowance",
    "ESA": "Employment and Support Allowance",
    "IB": "Incapacity Benefit",
    "IS": "Income Support",
    "CA": "Carer's Allowance",
    "SDA": "Severe Disablement Allowance",
    "UC": "Universal Credit (out of work)",
}
SOCIAL_CARE = {
    "early_help": "early help",
    "child_in_need": "child in need",
    "child_protection": "child protection",
    "section_47": "section 47 enquiry",
    "looked_after": "looked after",
}
ABUSE_ROLES = {"victim": "victim", "perpetrator": "perpetrator", "witness": "witness"}
HEALTH_NEEDS = {
    "mental_health": "mental health",
    "substance_misuse": "substance misuse",
    "perinatal": "perinatal",
    "physical_health": "physical health",
}
HOUSING_EVENTS = {
    "rent_arrears": "rent arrears",
    "notice_seeking_possession": "notice seeking possession",
    "eviction": "eviction",
    "homeless": "homelessness",
    "temporary_accommodation": "temporary accommodation",
    "arrears_cleared": "arrears cleared",
}
