"""`Family.lcg` (and its history's copy) point at `agencies.LCG`, which is the same
table as `lcgs.LCG` was (agencies 0007, docs/decisions/0015): a change to the migration
state only. Altering the field in the database would drop and re-make the foreign key
constraint for nothing."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0007_lcg_reference_data_from_lcgs"),
        ("families", "0007_guardian_rows_removed"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="family",
                    name="lcg",
                    field=models.ForeignKey(
                        blank=True,
                        help_text="Empty when the address is outside every LCG (the unassigned list)",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="families",
                        to="agencies.lcg",
                    ),
                ),
                migrations.AlterField(
                    model_name="familyevent",
                    name="lcg",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="Empty when the address is outside every LCG (the unassigned list)",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        related_query_name="+",
                        to="agencies.lcg",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
