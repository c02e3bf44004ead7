"""LCG, LCGMembership and its history move here from the `lcgs` app, without copying a
row (docs/decisions/0015).

The three models keep the tables they were created with in `lcgs` (their Meta.db_table),
so the models enter this app's migration state only: the `SeparateDatabaseAndState`
below has no database operation. `lcgs` 0004 takes them out of that app's state and
`families` 0008 points `Family.lcg` at this app's `LCG`, both also state only.

Two things in the database do change, in this migration's one transaction:

- django-pgtrigger names a trigger after its model's app and class, so the history
  triggers of `LCGMembership` and the append-only trigger of its history table get new
  names. The old triggers (and their functions) are dropped and the same SQL installed
  under the new names; no write to the table can happen in between.
- The content types of the three models are relabelled from `lcgs` to `agencies`, so
  their permissions and admin log entries stay attached to them. A new database has no
  content types yet (they are made after migrating), so there it does nothing.
"""

import django.contrib.postgres.fields
import django.db.models.deletion
import pgtrigger.compiler
import pgtrigger.migrations
from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

# The triggers as `lcgs` 0002 installed them, named after lcgs.LCGMembership and
# lcgs.LCGMembershipEvent: dropped going forwards, installed again going backwards.
OLD_TRIGGERS = [
    pgtrigger.compiler.Trigger(
        name="insert_insert",
        sql=pgtrigger.compiler.UpsertTriggerSql(
            func='INSERT INTO "lcgs_lcgmembershipevent" ("created_at", "id", "is_coordinator", "lcg_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "staff_id") VALUES (NEW."created_at", NEW."id", NEW."is_coordinator", NEW."lcg_id", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."staff_id"); RETURN NULL;',
            hash="2dbf2102e5cbdc755831917a55a2d4bd337a1947",
            operation="INSERT",
            pgid="pgtrigger_insert_insert_e0d6d",
            table="lcgs_lcgmembership",
            when="AFTER",
        ),
    ),
    pgtrigger.compiler.Trigger(
        name="update_update",
        sql=pgtrigger.compiler.UpsertTriggerSql(
            condition="WHEN (OLD.* IS DISTINCT FROM NEW.*)",
            func='INSERT INTO "lcgs_lcgmembershipevent" ("created_at", "id", "is_coordinator", "lcg_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "staff_id") VALUES (NEW."created_at", NEW."id", NEW."is_coordinator", NEW."lcg_id", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."staff_id"); RETURN NULL;',
            hash="93c366e40923f7f6bb94999e5856ad9ab8950d69",
            operation="UPDATE",
            pgid="pgtrigger_update_update_63f42",
            table="lcgs_lcgmembership",
            when="AFTER",
        ),
    ),
    pgtrigger.compiler.Trigger(
        name="delete_delete",
        sql=pgtrigger.compiler.UpsertTriggerSql(
            func='INSERT INTO "lcgs_lcgmembershipevent" ("created_at", "id", "is_coordinator", "lcg_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "staff_id") VALUES (OLD."created_at", OLD."id", OLD."is_coordinator", OLD."lcg_id", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."staff_id"); RETURN NULL;',
            hash="3d987b98506dad223700a8f3e9cefb5ec7fa8ef2",
            operation="DELETE",
            pgid="pgtrigger_delete_delete_e6de7",
            table="lcgs_lcgmembership",
            when="AFTER",
        ),
    ),
    pgtrigger.compiler.Trigger(
        name="append_only",
        sql=pgtrigger.compiler.UpsertTriggerSql(
            func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;",
            hash="0c35c1d26df259a74430ad3af0cdd82de7d0fede",
            operation="UPDATE OR DELETE",
            pgid="pgtrigger_append_only_c3c2d",
            table="lcgs_lcgmembershipevent",
            when="BEFORE",
        ),
    ),
]

MOVED_MODELS = ("lcg", "lcgmembership", "lcgmembershipevent")


def _content_types_relabel(apps: Apps, using: str, old: str, new: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in MOVED_MODELS:
        if content_type.objects.using(using).filter(app_label=new, model=model).exists():
            continue
        content_type.objects.using(using).filter(app_label=old, model=model).update(app_label=new)


def content_types_to_agencies(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _content_types_relabel(apps, schema_editor.connection.alias, "lcgs", "agencies")


def content_types_to_lcgs(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _content_types_relabel(apps, schema_editor.connection.alias, "agencies", "lcgs")


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0006_senior_officer_role"),
        ("contenttypes", "0002_remove_content_type_name"),
        # The tables, and the triggers dropped below, are made by these.
        ("lcgs", "0003_lcg_membership_names"),
        ("pghistory", "0007_auto_20250421_0444"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="LCG",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("code", models.CharField(max_length=32, unique=True)),
                        ("name", models.CharField(max_length=120, unique=True)),
                        (
                            "districts",
                            django.contrib.postgres.fields.ArrayField(
                                base_field=models.CharField(max_length=80),
                                default=list,
                                help_text="Council districts the group covers, e.g. Hart, Rushmoor",
                                size=None,
                            ),
                        ),
                        (
                            "postcode_districts",
                            django.contrib.postgres.fields.ArrayField(
                                base_field=models.CharField(max_length=4),
                                default=list,
                                help_text="Outward codes the group covers, e.g. SO23",
                                size=None,
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "sro",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="lcgs_led",
                                to="agencies.staff",
                                verbose_name="senior responsible officer",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "LCG",
                        "verbose_name_plural": "LCGs",
                        "db_table": "lcgs_lcg",
                        "ordering": ["name"],
                    },
                ),
                migrations.CreateModel(
                    name="LCGMembership",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("is_coordinator", models.BooleanField(default=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "lcg",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="memberships",
                                to="agencies.lcg",
                            ),
                        ),
                        (
                            "staff",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="lcg_memberships",
                                to="agencies.staff",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "LCG membership",
                        "verbose_name_plural": "LCG memberships",
                        "db_table": "lcgs_lcgmembership",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("lcg", "staff"), name="lcg_membership_unique"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="LCGMembershipEvent",
                    fields=[
                        ("pgh_id", models.AutoField(primary_key=True, serialize=False)),
                        ("pgh_created_at", models.DateTimeField(auto_now_add=True)),
                        ("pgh_label", models.TextField(help_text="The event label.")),
                        ("id", models.BigIntegerField()),
                        ("is_coordinator", models.BooleanField(default=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "lcg",
                            models.ForeignKey(
                                db_constraint=False,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                related_query_name="+",
                                to="agencies.lcg",
                            ),
                        ),
                        (
                            "pgh_context",
                            models.ForeignKey(
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="pghistory.context",
                            ),
                        ),
                        (
                            "pgh_obj",
                            models.ForeignKey(
                                db_constraint=False,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="events",
                                to="agencies.lcgmembership",
                            ),
                        ),
                        (
                            "staff",
                            models.ForeignKey(
                                db_constraint=False,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                related_query_name="+",
                                to="agencies.staff",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "lcgs_lcgmembershipevent",
                        "abstract": False,
                    },
                ),
            ],
            database_operations=[],
        ),
        # The triggers under their new names: first the old ones go, function and all.
        migrations.RunSQL(
            sql=[trigger.uninstall_sql for trigger in OLD_TRIGGERS]
            + [f"DROP FUNCTION IF EXISTS {trigger.sql.pgid}();" for trigger in OLD_TRIGGERS],
            reverse_sql=[trigger.install_sql for trigger in OLD_TRIGGERS],
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="lcgmembership",
            trigger=pgtrigger.compiler.Trigger(
                name="insert_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "lcgs_lcgmembershipevent" ("created_at", "id", "is_coordinator", "lcg_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "staff_id") VALUES (NEW."created_at", NEW."id", NEW."is_coordinator", NEW."lcg_id", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."staff_id"); RETURN NULL;',
                    hash="4d9d4ca74a2d4c4e63c011406fd9deae84583256",
                    operation="INSERT",
                    pgid="pgtrigger_insert_insert_80a03",
                    table="lcgs_lcgmembership",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="lcgmembership",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN (OLD.* IS DISTINCT FROM NEW.*)",
                    func='INSERT INTO "lcgs_lcgmembershipevent" ("created_at", "id", "is_coordinator", "lcg_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "staff_id") VALUES (NEW."created_at", NEW."id", NEW."is_coordinator", NEW."lcg_id", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."staff_id"); RETURN NULL;',
                    hash="ec44cae0774f9f46111de0754590864ff82c14de",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_09c70",
                    table="lcgs_lcgmembership",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="lcgmembership",
            trigger=pgtrigger.compiler.Trigger(
                name="delete_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "lcgs_lcgmembershipevent" ("created_at", "id", "is_coordinator", "lcg_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "staff_id") VALUES (OLD."created_at", OLD."id", OLD."is_coordinator", OLD."lcg_id", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."staff_id"); RETURN NULL;',
                    hash="33c74949992b69e3f6679192f04fd900c96660ef",
                    operation="DELETE",
                    pgid="pgtrigger_delete_delete_4ecbd",
                    table="lcgs_lcgmembership",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="lcgmembershipevent",
            trigger=pgtrigger.compiler.Trigger(
                name="append_only",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;",
                    hash="d381493836f0a1111c842b8b64b0b0cf17387602",
                    operation="UPDATE OR DELETE",
                    pgid="pgtrigger_append_only_4ee26",
                    table="lcgs_lcgmembershipevent",
                    when="BEFORE",
                ),
            ),
        ),
        migrations.RunPython(content_types_to_agencies, content_types_to_lcgs),
    ]
