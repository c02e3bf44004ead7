"""``Family.first_local_lead_at``: when the family's first lead assignment on the local
track started (the LCG grant's "taken on"), filled in from the lead history while the
history triggers are off, so the fill writes no family events."""

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models

FILL = """
UPDATE families_family AS family
SET first_local_lead_at = first.started_at
FROM (
    SELECT family_id, MIN(started_at) AS started_at
    FROM families_leadassignment
    WHERE track = 'local'
    GROUP BY family_id
) AS first
WHERE family.id = first.family_id
"""


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0007_lcg_reference_data_from_lcgs"),
        ("families", "0012_dashboard_allocated_index"),
    ]

    operations = [
        pgtrigger.migrations.RemoveTrigger(
            model_name="family",
            name="insert_insert",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="family",
            name="update_update",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="family",
            name="delete_delete",
        ),
        migrations.AddField(
            model_name="family",
            name="first_local_lead_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="familyevent",
            name="first_local_lead_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunSQL(FILL, reverse_sql=migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="family",
            index=models.Index(
                condition=models.Q(("first_local_lead_at__isnull", False)),
                fields=["first_local_lead_at"],
                include=("lcg",),
                name="family_first_local_lead",
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="family",
            trigger=pgtrigger.compiler.Trigger(
                name="insert_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "families_familyevent" ("address_id", "attached_on", "created_at", "first_local_lead_at", "id", "lcg_id", "lead_agency_id", "lead_professional_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "reference", "status", "status_changed_at", "track", "updated_at") VALUES (NEW."address_id", NEW."attached_on", NEW."created_at", NEW."first_local_lead_at", NEW."id", NEW."lcg_id", NEW."lead_agency_id", NEW."lead_professional_id", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."reference", NEW."status", NEW."status_changed_at", NEW."track", NEW."updated_at"); RETURN NULL;',
                    hash="8e4710d428afdbc089f871561e4303f8815f1d05",
                    operation="INSERT",
                    pgid="pgtrigger_insert_insert_b3032",
                    table="families_family",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="family",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN (OLD.* IS DISTINCT FROM NEW.*)",
                    func='INSERT INTO "families_familyevent" ("address_id", "attached_on", "created_at", "first_local_lead_at", "id", "lcg_id", "lead_agency_id", "lead_professional_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "reference", "status", "status_changed_at", "track", "updated_at") VALUES (NEW."address_id", NEW."attached_on", NEW."created_at", NEW."first_local_lead_at", NEW."id", NEW."lcg_id", NEW."lead_agency_id", NEW."lead_professional_id", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."reference", NEW."status", NEW."status_changed_at", NEW."track", NEW."updated_at"); RETURN NULL;',
                    hash="a699bc6b1ef1316bde11061a1fccec7fab19870b",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_9cc70",
                    table="families_family",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="family",
            trigger=pgtrigger.compiler.Trigger(
                name="delete_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "families_familyevent" ("address_id", "attached_on", "created_at", "first_local_lead_at", "id", "lcg_id", "lead_agency_id", "lead_professional_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "reference", "status", "status_changed_at", "track", "updated_at") VALUES (OLD."address_id", OLD."attached_on", OLD."created_at", OLD."first_local_lead_at", OLD."id", OLD."lcg_id", OLD."lead_agency_id", OLD."lead_professional_id", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."reference", OLD."status", OLD."status_changed_at", OLD."track", OLD."updated_at"); RETURN NULL;',
                    hash="2ec08aa187f3bcc69529f2065a3fc81cdd62d011",
                    operation="DELETE",
                    pgid="pgtrigger_delete_delete_9ca0f",
                    table="families_family",
                    when="AFTER",
                ),
            ),
        ),
    ]
