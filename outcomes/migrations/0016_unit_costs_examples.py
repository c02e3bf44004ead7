"""The unit cost table's example lines (DOMAIN.md 6), every one labelled an example
figure with where it comes from: the five figures of the domain reference, and a figure
for each other kind of service use OnePlan can count from evidence. Programme managers
replace them with their council's own figures."""

from django.db import migrations
from django.utils import timezone

DOMAIN = (
    "Example figure from OnePlan's domain reference (DOMAIN.md section 6, Troubled "
    "Families unit cost examples; price year not stated there, 2015 assumed): check "
    "against your council's unit cost database"
)
LOCAL = (
    "Example figure for trying OnePlan out, not from a published source: replace it "
    "with your council's own figure"
)

# name, agency kind, unit, pence, price year, source, categories
LINES = [
    ("ASB warning letter", "police", "event", 6600, 2015, DOMAIN, ["asb_warning"]),
    ("Acceptable behaviour contract", "police", "event", 23000, 2015, DOMAIN, ["asb_abc"]),
    ("Foster care", "childrens_services", "week", 64600, 2015, DOMAIN, ["looked_after_week"]),
    # The social care feed does not say where a looked-after child lives: every week
    # looked after is priced as foster care, and this line prices nothing until a feed
    # tells residential placements apart.
    ("Residential care", "childrens_services", "week", 300000, 2015, DOMAIN, []),
    # No feed counts hours of a social worker's time.
    ("Social worker", "childrens_services", "hour", 4000, 2015, DOMAIN, []),
    ("Police call-out", "police", "event", 10000, 2025, LOCAL, ["police_callout"]),
    ("Proven offence (youth justice)", "youth_offending", "event", 150000, 2025, LOCAL,
     ["proven_offence"]),
    ("ASB injunction or order", "district_council", "event", 200000, 2025, LOCAL,
     ["asb_injunction_order"]),
    ("Eviction", "housing", "event", 700000, 2025, LOCAL, ["eviction"]),
    ("Homelessness or temporary accommodation", "housing", "event", 250000, 2025, LOCAL,
     ["homeless"]),
    ("Fixed-term exclusion", "school", "event", 50000, 2025, LOCAL, ["exclusion_fixed"]),
    ("Permanent exclusion", "school", "event", 1000000, 2025, LOCAL, ["exclusion_permanent"]),
    ("Children's social care episode", "childrens_services", "event", 150000, 2025, LOCAL,
     ["social_care_episode"]),
    ("Out-of-work benefit", "dwp", "week", 10000, 2025, LOCAL, ["out_of_work_benefit_week"]),
]  # fmt: skip


def seed(apps, schema_editor):
    unit_cost = apps.get_model("outcomes", "UnitCost")
    if unit_cost.objects.exists():
        return
    now = timezone.now()
    for name, agency, unit, pence, year, source, categories in LINES:
        unit_cost.objects.create(
            name=name,
            agency=agency,
            unit=unit,
            price_pence=pence,
            price_year=year,
            source=source,
            is_example=True,
            categories=categories,
            updated_at=now,
        )


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0015_costs_avoided_and_evaluation_extracts")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
