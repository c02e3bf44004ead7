"""The national attachment fees (DOMAIN.md 4.1, 4.2), as the defaults a council starts
from; the programme manager changes them on the payment rates page.

- tf1: 80%, 60% and 40% of the £4,000 per family in the programme's years 1, 2 and 3
  (April 2012 to March 2015).
- tf2: £1,000 per family, every year the framework was in force (April 2015 to March
  2022).
- sf2022: no national figure is known, so none is set: the Money page counts those
  families as "no fee set" until the programme manager adds one.

The figures are written here, not read from code, so the migration keeps its meaning.
"""

from decimal import Decimal

from django.db import migrations

TF1 = "National default: {percent}% of the £4,000 per family (Troubled Families year {n})"
TF2 = "National default: £1,000 per family (Troubled Families phase 2)"

DEFAULTS = [
    ("tf1", 2012, Decimal("3200.00"), TF1.format(percent=80, n=1)),
    ("tf1", 2013, Decimal("2400.00"), TF1.format(percent=60, n=2)),
    ("tf1", 2014, Decimal("1600.00"), TF1.format(percent=40, n=3)),
    *(("tf2", year, Decimal("1000.00"), TF2) for year in range(2015, 2022)),
]


def seed(apps, schema_editor):
    from django.utils import timezone

    AttachmentFee = apps.get_model("outcomes", "AttachmentFee")
    now = timezone.now()
    for framework, year, amount, source in DEFAULTS:
        AttachmentFee.objects.get_or_create(
            framework=framework,
            financial_year=year,
            defaults={"amount": amount, "source": source, "updated_at": now},
        )


def unseed(apps, schema_editor):
    AttachmentFee = apps.get_model("outcomes", "AttachmentFee")
    for framework, year, amount, source in DEFAULTS:
        AttachmentFee.objects.filter(
            framework=framework, financial_year=year, amount=amount, source=source
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0011_attachment_fees")]

    operations = [migrations.RunPython(seed, unseed)]
