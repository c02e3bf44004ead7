"""Seed the retention periods with examples for the council to confirm (is_example):
a closed case 6 years after it ended, a family identified but not taken on 2 years after
it was identified, an agency's record never matched to a family 1 year after it last
arrived. The DPO changes them on the retention periods page (docs/retention.md)."""

from django.db import migrations
from django.utils import timezone

EXAMPLES = [
    ("closed_case", 6, "anonymise"),
    ("not_taken_on", 2, "anonymise"),
    ("unmatched_feed_record", 1, "delete"),
]
SOURCE = "Example seeded by OnePlan: to be confirmed by the council"


def seed(apps, schema_editor):
    policy = apps.get_model("lcgs", "RetentionPolicy")
    now = timezone.now()
    for record_class, years, action in EXAMPLES:
        policy.objects.get_or_create(
            record_class=record_class,
            defaults={
                "years": years,
                "action": action,
                "source": SOURCE,
                "is_example": True,
                "updated_at": now,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("lcgs", "RetentionPolicy").objects.filter(is_example=True).delete()


class Migration(migrations.Migration):
    dependencies = [("lcgs", "0010_retention")]

    operations = [migrations.RunPython(seed, unseed)]
