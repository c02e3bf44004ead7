"""A family's track (intensive or local), set when the LCG allocates it; on each lead
assignment, the track it was made on, where the decision was made, and when the lead
professional was told (lcgs.allocation)."""

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0007_lcg_reference_data_from_lcgs"),
        ("families", "0008_family_lcg_in_agencies"),
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
        pgtrigger.migrations.RemoveTrigger(
            model_name="leadassignment",
            name="insert_insert",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="leadassignment",
            name="update_update",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="leadassignment",
            name="delete_delete",
        ),
        migrations.AddField(
            model_name="family",
            name="track",
            field=models.CharField(
                blank=True,
                choices=[("intensive", "Intensive"), ("local", "Local")],
                db_default="",
                default="",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="familyevent",
            name="track",
            field=models.CharField(
                blank=True,
                choices=[("intensive", "Intensive"), ("local", "Local")],
                db_default="",
                default="",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="leadassignment",
            name="notified_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="leadassignment",
            name="source",
            field=models.CharField(blank=True, db_default="", default="", max_length=200),
        ),
        migrations.AddField(
            model_name="leadassignment",
            name="track",
            field=models.CharField(
                blank=True,
                choices=[("intensive", "Intensive"), ("local", "Local")],
                db_default="",
                default="",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="leadassignmentevent",
            name="notified_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="leadassignmentevent",
            name="source",
            field=models.CharField(blank=True, db_default="", default="", max_length=200),
        ),
        migrations.AddField(
            model_name="leadassignmentevent",
            name="track",
            field=models.CharField(
                blank=True,
                choices=[("intensive", "Intensive"), ("local", "Local")],
                db_default="",
                default="",
                max_length=10,
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="family",
            trigger=pgtrigger.compiler.Trigger(
                name="insert_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "families_familyevent" ("address_id", "attached_on", "created_at", "id", "lcg_id", "lead_agency_id", "lead_professional_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "reference", "status", "status_changed_at", "track", "updated_at") VALUES (NEW."address_id", NEW."attached_on", NEW."created_at", NEW."id", NEW."lcg_id", NEW."lead_agency_id", NEW."lead_professional_id", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."reference", NEW."status", NEW."status_changed_at", NEW."track", NEW."updated_at"); RETURN NULL;',
                    hash="2c34dfaa5dcb305806468f5a263604738861f1c6",
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
                    func='INSERT INTO "families_familyevent" ("address_id", "attached_on", "created_at", "id", "lcg_id", "lead_agency_id", "lead_professional_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "reference", "status", "status_changed_at", "track", "updated_at") VALUES (NEW."address_id", NEW."attached_on", NEW."created_at", NEW."id", NEW."lcg_id", NEW."lead_agency_id", NEW."lead_professional_id", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."reference", NEW."status", NEW."status_changed_at", NEW."track", NEW."updated_at"); RETURN NULL;',
                    hash="1f84fd8571dc966002ce5e377fc6208e56cab853",
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
                    func='INSERT INTO "families_familyevent" ("address_id", "attached_on", "created_at", "id", "lcg_id", "lead_agency_id", "lead_professional_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "reference", "status", "status_changed_at", "track", "updated_at") VALUES (OLD."address_id", OLD."attached_on", OLD."created_at", OLD."id", OLD."lcg_id", OLD."lead_agency_id", OLD."lead_professional_id", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."reference", OLD."status", OLD."status_changed_at", OLD."track", OLD."updated_at"); RETURN NULL;',
                    hash="83c75ca312ac7b623aba0b5802a61cac9c636161",
                    operation="DELETE",
                    pgid="pgtrigger_delete_delete_9ca0f",
                    table="families_family",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="leadassignment",
            trigger=pgtrigger.compiler.Trigger(
                name="insert_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "families_leadassignmentevent" ("actor_id", "ended_at", "family_id", "id", "lead_agency_id", "lead_professional_id", "notified_at", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "reason", "source", "started_at", "track") VALUES (NEW."actor_id", NEW."ended_at", NEW."family_id", NEW."id", NEW."lead_agency_id", NEW."lead_professional_id", NEW."notified_at", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."reason", NEW."source", NEW."started_at", NEW."track"); RETURN NULL;',
                    hash="b88555a18a9f47495fba0c9c6c4e25b1790fc04f",
                    operation="INSERT",
                    pgid="pgtrigger_insert_insert_12d10",
                    table="families_leadassignment",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="leadassignment",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN (OLD.* IS DISTINCT FROM NEW.*)",
                    func='INSERT INTO "families_leadassignmentevent" ("actor_id", "ended_at", "family_id", "id", "lead_agency_id", "lead_professional_id", "notified_at", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "reason", "source", "started_at", "track") VALUES (NEW."actor_id", NEW."ended_at", NEW."family_id", NEW."id", NEW."lead_agency_id", NEW."lead_professional_id", NEW."notified_at", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."reason", NEW."source", NEW."started_at", NEW."track"); RETURN NULL;',
                    hash="90a078ee400472eed985f91208c117781a5f7cbf",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_bacf2",
                    table="families_leadassignment",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="leadassignment",
            trigger=pgtrigger.compiler.Trigger(
                name="delete_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "families_leadassignmentevent" ("actor_id", "ended_at", "family_id", "id", "lead_agency_id", "lead_professional_id", "notified_at", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "reason", "source", "started_at", "track") VALUES (OLD."actor_id", OLD."ended_at", OLD."family_id", OLD."id", OLD."lead_agency_id", OLD."lead_professional_id", OLD."notified_at", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."reason", OLD."source", OLD."started_at", OLD."track"); RETURN NULL;',
                    hash="2da8e5864499b0006ab3863a4a1ae241c2eda8ce",
                    operation="DELETE",
                    pgid="pgtrigger_delete_delete_8d60b",
                    table="families_leadassignment",
                    when="AFTER",
                ),
            ),
        ),
        migrations.AddConstraint(
            model_name="family",
            constraint=models.CheckConstraint(
                condition=models.Q(("track__in", ["", "intensive", "local"])),
                name="family_track_known",
            ),
        ),
    ]
