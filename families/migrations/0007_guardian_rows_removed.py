"""OnePlan no longer keeps a django-guardian copy of its grants (docs/decisions/0013):
its two direct-foreign-key tables go, and so do guardian's own generic tables and the
"agency:<id>" groups the sync kept. Grants are untouched; they decide access."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("families", "0006_break_glass_reason_category"),
    ]

    operations = [
        migrations.RunSQL(
            "DROP TABLE IF EXISTS guardian_userobjectpermission, "
            "guardian_groupobjectpermission; "
            "DELETE FROM agencies_user_groups WHERE group_id IN "
            "(SELECT id FROM auth_group WHERE name LIKE 'agency:%'); "
            "DELETE FROM auth_group_permissions WHERE group_id IN "
            "(SELECT id FROM auth_group WHERE name LIKE 'agency:%'); "
            "DELETE FROM auth_group WHERE name LIKE 'agency:%';",
            migrations.RunSQL.noop,
            elidable=True,
        ),
        migrations.AlterUniqueTogether(
            name="familyuserobjectpermission",
            unique_together=None,
        ),
        migrations.RemoveField(
            model_name="familyuserobjectpermission",
            name="content_object",
        ),
        migrations.RemoveField(
            model_name="familyuserobjectpermission",
            name="permission",
        ),
        migrations.RemoveField(
            model_name="familyuserobjectpermission",
            name="user",
        ),
        migrations.DeleteModel(
            name="FamilyGroupObjectPermission",
        ),
        migrations.DeleteModel(
            name="FamilyUserObjectPermission",
        ),
    ]
