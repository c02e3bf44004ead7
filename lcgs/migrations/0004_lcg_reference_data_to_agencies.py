"""LCG, LCGMembership and its history leave this app's migration state: they live in
`agencies` now, in the same tables (agencies 0007, docs/decisions/0015). State only:
nothing in the database is dropped. Their triggers were renamed by agencies 0007."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0007_lcg_reference_data_from_lcgs"),
        # Family.lcg points at agencies.LCG before lcgs.LCG leaves.
        ("families", "0008_family_lcg_in_agencies"),
        ("lcgs", "0003_lcg_membership_names"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="lcgmembershipevent", name="lcg"),
                migrations.RemoveField(model_name="lcgmembership", name="lcg"),
                migrations.RemoveField(model_name="lcgmembership", name="staff"),
                migrations.RemoveField(model_name="lcgmembershipevent", name="pgh_obj"),
                migrations.RemoveField(model_name="lcgmembershipevent", name="pgh_context"),
                migrations.RemoveField(model_name="lcgmembershipevent", name="staff"),
                migrations.DeleteModel(name="LCG"),
                migrations.DeleteModel(name="LCGMembership"),
                migrations.DeleteModel(name="LCGMembershipEvent"),
            ],
            database_operations=[],
        ),
    ]
