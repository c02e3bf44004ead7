"""Version 1 of each framework's parameters, and the periods each framework was in force.

The parameters are a frozen copy of ``outcomes.frameworks.<framework>.default_parameters()``
as they stood when this migration was written: a migration must not change meaning when
the code later moves on (a test checks the copy still parses and matches v1's intent).
"""

from django.db import migrations

V1_PARAMETERS = {
    "tf1": {
        "household": {
            "adult_age": 18,
            "school_age_min": 5,
            "school_age_max": 16,
            "dependent_under": 16,
            "dependent_max_age": 18,
        },
        "criteria": {
            "crime_asb": [
                {"kind": "proven_offence", "months": 12, "min_age": None, "max_age": 17},
                {
                    "kind": "asb_intervention",
                    "months": 12,
                    "codes": [
                        "abc",
                        "injunction",
                        "order",
                        "notice_seeking_possession",
                        "eviction",
                    ],
                },
            ],
            "education": [
                {"kind": "exclusions", "count": 3, "terms": 3},
                {"kind": "unauthorised_absence", "percent": 15, "terms": 3},
            ],
            "work": [
                {
                    "kind": "out_of_work_benefit",
                    "codes": ["JSA", "ESA", "IB", "IS", "CA", "SDA", "UC"],
                }
            ],
            "local": [
                {"kind": "domestic_abuse", "months": 12, "codes": ["victim", "perpetrator"]},
                {
                    "kind": "children_social_care",
                    "months": 12,
                    "codes": ["child_in_need", "child_protection", "section_47"],
                },
                {
                    "kind": "health_need",
                    "months": 12,
                    "codes": ["mental_health", "substance_misuse"],
                    "min_age": None,
                    "max_age": None,
                },
                {
                    "kind": "housing_event",
                    "months": 12,
                    "codes": ["eviction", "homeless", "temporary_accommodation"],
                },
            ],
        },
        "eligibility": {"national_with_local": 2},
    },
    "tf2": {
        "household": {
            "adult_age": 18,
            "school_age_min": 5,
            "school_age_max": 16,
            "dependent_under": 16,
            "dependent_max_age": 18,
        },
        "criteria": {
            "crime": [
                {"kind": "proven_offence", "months": 12, "min_age": 10, "max_age": 17},
                {
                    "kind": "asb_intervention",
                    "months": 12,
                    "codes": [
                        "abc",
                        "injunction",
                        "order",
                        "notice_seeking_possession",
                        "eviction",
                    ],
                },
                {
                    "kind": "police_callouts",
                    "count": 3,
                    "months": 12,
                    "codes": ["domestic_abuse", "asb", "missing_person", "welfare", "other"],
                },
            ],
            "education": [
                {"kind": "unauthorised_absence", "percent": 10, "terms": 3},
                {"kind": "exclusions", "count": 3, "terms": 3},
            ],
            "children_in_need": [
                {
                    "kind": "children_social_care",
                    "months": 12,
                    "codes": ["child_in_need", "child_protection", "section_47"],
                },
                {"kind": "early_help", "months": 12, "min_age": None, "max_age": 17},
            ],
            "worklessness": [
                {
                    "kind": "out_of_work_benefit",
                    "codes": ["JSA", "ESA", "IB", "IS", "CA", "SDA", "UC"],
                },
                {"kind": "rent_arrears", "months": 12},
                {"kind": "neet", "min_age": 16, "max_age": 18},
            ],
            "domestic_abuse": [
                {
                    "kind": "domestic_abuse",
                    "months": 12,
                    "codes": ["victim", "perpetrator", "witness"],
                },
                {"kind": "police_callouts", "count": 1, "months": 12, "codes": ["domestic_abuse"]},
            ],
            "health": [
                {
                    "kind": "health_need",
                    "months": 12,
                    "codes": ["mental_health", "substance_misuse", "perinatal"],
                    "min_age": None,
                    "max_age": None,
                }
            ],
        },
        "eligibility": {"min_problems": 2},
    },
    "sf2022": {
        "household": {
            "adult_age": 18,
            "school_age_min": 5,
            "school_age_max": 16,
            "dependent_under": 16,
            "dependent_max_age": 18,
        },
        "criteria": {
            "education": [
                {"kind": "unauthorised_absence", "percent": 10, "terms": 3},
                {"kind": "exclusions", "count": 3, "terms": 3},
                {"kind": "neet", "min_age": 16, "max_age": 18},
            ],
            "early_years": [
                {"kind": "early_help", "months": 12, "min_age": None, "max_age": 4},
                {
                    "kind": "health_need",
                    "months": 12,
                    "codes": ["perinatal"],
                    "min_age": None,
                    "max_age": None,
                },
            ],
            "health": [
                {
                    "kind": "health_need",
                    "months": 12,
                    "codes": ["mental_health", "physical_health"],
                    "min_age": None,
                    "max_age": None,
                }
            ],
            "substance_use": [
                {
                    "kind": "health_need",
                    "months": 12,
                    "codes": ["substance_misuse"],
                    "min_age": None,
                    "max_age": None,
                }
            ],
            "family_relationships": [
                {"kind": "police_callouts", "count": 2, "months": 12, "codes": ["welfare", "other"]}
            ],
            "child_safety": [
                {
                    "kind": "children_social_care",
                    "months": 12,
                    "codes": ["child_in_need", "child_protection", "section_47", "looked_after"],
                },
                {"kind": "police_callouts", "count": 1, "months": 12, "codes": ["missing_person"]},
            ],
            "crime": [
                {"kind": "proven_offence", "months": 12, "min_age": None, "max_age": None},
                {
                    "kind": "asb_intervention",
                    "months": 12,
                    "codes": [
                        "abc",
                        "injunction",
                        "order",
                        "notice_seeking_possession",
                        "eviction",
                    ],
                },
            ],
            "domestic_abuse": [
                {
                    "kind": "domestic_abuse",
                    "months": 12,
                    "codes": ["victim", "perpetrator", "witness"],
                },
                {"kind": "police_callouts", "count": 1, "months": 12, "codes": ["domestic_abuse"]},
            ],
            "housing": [
                {
                    "kind": "housing_event",
                    "months": 12,
                    "codes": [
                        "notice_seeking_possession",
                        "eviction",
                        "homeless",
                        "temporary_accommodation",
                    ],
                }
            ],
            "financial_stability": [
                {
                    "kind": "out_of_work_benefit",
                    "codes": ["JSA", "ESA", "IB", "IS", "CA", "SDA", "UC"],
                },
                {"kind": "rent_arrears", "months": 12},
            ],
        },
        "eligibility": {"min_needs": 3},
    },
}

PERIODS = [("tf1", "2012-04-01"), ("tf2", "2015-04-01"), ("sf2022", "2022-04-01")]


def seed(apps, schema_editor):
    from django.utils import timezone

    FrameworkVersion = apps.get_model("outcomes", "FrameworkVersion")
    FrameworkPeriod = apps.get_model("outcomes", "FrameworkPeriod")
    now = timezone.now()
    for framework, parameters in V1_PARAMETERS.items():
        FrameworkVersion.objects.get_or_create(
            framework=framework,
            version=1,
            defaults={
                "parameters": parameters,
                "change_note": "Version 1: the national guidance's rules and OnePlan's defaults",
                "created_at": now,
            },
        )
    for framework, starts_on in PERIODS:
        FrameworkPeriod.objects.get_or_create(
            starts_on=starts_on, defaults={"framework": framework}
        )


def unseed(apps, schema_editor):
    FrameworkVersion = apps.get_model("outcomes", "FrameworkVersion")
    FrameworkPeriod = apps.get_model("outcomes", "FrameworkPeriod")
    FrameworkVersion.objects.filter(version=1, assessments__isnull=True).delete()
    FrameworkPeriod.objects.filter(starts_on__in=[day for _, day in PERIODS]).delete()


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0001_feeds_evidence_matching_frameworks_assessments")]

    operations = [migrations.RunPython(seed, unseed)]
