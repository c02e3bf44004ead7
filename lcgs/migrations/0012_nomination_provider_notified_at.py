"""When the provider was emailed about a nomination (once per nomination)."""

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("lcgs", "0011_retention_policy_examples"),
    ]

    operations = [
        pgtrigger.migrations.RemoveTrigger(
            model_name="intensivenomination",
            name="insert_insert",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="intensivenomination",
            name="update_update",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="intensivenomination",
            name="delete_delete",
        ),
        migrations.AddField(
            model_name="intensivenomination",
            name="provider_notified_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="intensivenominationevent",
            name="provider_notified_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="intensivenomination",
            trigger=pgtrigger.compiler.Trigger(
                name="insert_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "lcgs_intensivenominationevent" ("decided_at", "decided_by_id", "decision_note", "family_id", "id", "lcg_id", "lead_professional_id", "nominated_at", "nominated_by_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "place_year", "provider_id", "provider_notified_at", "reason", "status") VALUES (NEW."decided_at", NEW."decided_by_id", NEW."decision_note", NEW."family_id", NEW."id", NEW."lcg_id", NEW."lead_professional_id", NEW."nominated_at", NEW."nominated_by_id", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."place_year", NEW."provider_id", NEW."provider_notified_at", NEW."reason", NEW."status"); RETURN NULL;',
                    hash="6adb2cc482d08b1501a30b8821c4eef01908282a",
                    operation="INSERT",
                    pgid="pgtrigger_insert_insert_14955",
                    table="lcgs_intensive_nomination",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="intensivenomination",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN (OLD.* IS DISTINCT FROM NEW.*)",
                    func='INSERT INTO "lcgs_intensivenominationevent" ("decided_at", "decided_by_id", "decision_note", "family_id", "id", "lcg_id", "lead_professional_id", "nominated_at", "nominated_by_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "place_year", "provider_id", "provider_notified_at", "reason", "status") VALUES (NEW."decided_at", NEW."decided_by_id", NEW."decision_note", NEW."family_id", NEW."id", NEW."lcg_id", NEW."lead_professional_id", NEW."nominated_at", NEW."nominated_by_id", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."place_year", NEW."provider_id", NEW."provider_notified_at", NEW."reason", NEW."status"); RETURN NULL;',
                    hash="cda75afdd3f90ca9aabb375e053ed72922af4979",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_b5350",
                    table="lcgs_intensive_nomination",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="intensivenomination",
            trigger=pgtrigger.compiler.Trigger(
                name="delete_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "lcgs_intensivenominationevent" ("decided_at", "decided_by_id", "decision_note", "family_id", "id", "lcg_id", "lead_professional_id", "nominated_at", "nominated_by_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "place_year", "provider_id", "provider_notified_at", "reason", "status") VALUES (OLD."decided_at", OLD."decided_by_id", OLD."decision_note", OLD."family_id", OLD."id", OLD."lcg_id", OLD."lead_professional_id", OLD."nominated_at", OLD."nominated_by_id", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."place_year", OLD."provider_id", OLD."provider_notified_at", OLD."reason", OLD."status"); RETURN NULL;',
                    hash="2ebd34506c564684c71ce3a50bc26e703734aab3",
                    operation="DELETE",
                    pgid="pgtrigger_delete_delete_48915",
                    table="lcgs_intensive_nomination",
                    when="AFTER",
                ),
            ),
        ),
    ]
