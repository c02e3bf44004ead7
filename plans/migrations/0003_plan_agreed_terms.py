"""Plan.agreed_terms: what the family last agreed, as a fingerprint, so that Plan.status
says whether the plan is still as agreed (only changes to what the family agrees to
count: needs, goals, actions with who does them and when, the family's voice).

Existing plans with an agreement get the fingerprint of the agreed version, and their
status from comparing it with the current version. The rule is written out here as it
stood when this migration was made (migrations do not import live code, which may
change after them); plans/tests/test_plan_agreement.py holds it to the live
``plans.plan.rules.terms_fingerprint``.
"""

import hashlib
import json

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models
from django.db.models import Q

VOICE = (
    ("working_well", "What is working well"),
    ("worries", "What we are worried about"),
    ("family_wants", "What the family wants to change"),
)


def _text(value):
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def agreed_terms(snapshot):
    voice = snapshot.get("voice", {})
    goals = snapshot.get("goals", [])
    return {
        "voice": {"voice": {label: _text(voice.get(key)) for key, label in VOICE}},
        "needs": {
            str(n["id"]): {
                "Need": _text(n.get("label")),
                "Detail": _text(n.get("detail")),
                "Who it is about": sorted(n.get("member_ids", [])),
            }
            for n in snapshot.get("needs", [])
        },
        "goals": {
            str(g["id"]): {
                "Goal": _text(g.get("title")),
                "Detail": _text(g.get("description")),
                "Needs it covers": sorted(g.get("needs", [])),
                "Who it is for": sorted(g.get("member_ids", [])),
            }
            for g in goals
        },
        "actions": {
            str(a["id"]): {
                "Action": _text(a.get("description")),
                "Goal": g["id"],
                "Who will do it": [
                    a.get("owner"),
                    a.get("agency_id"),
                    a.get("practitioner_id"),
                    a.get("family_member_id"),
                ],
                "Due date": a.get("due_on"),
            }
            for g in goals
            for a in g.get("actions", [])
        },
    }


def terms_fingerprint(snapshot):
    text = json.dumps(agreed_terms(snapshot), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def mark_agreed_terms(apps, schema_editor):
    Plan = apps.get_model("plans", "Plan")
    Agreement = apps.get_model("plans", "Agreement")
    PlanVersion = apps.get_model("plans", "PlanVersion")
    agreed_version = dict(
        Agreement.objects.order_by("plan_id", "plan_version", "pk").values_list(
            "plan_id", "plan_version"
        )
    )
    plan_ids = sorted(agreed_version)
    for start in range(0, len(plan_ids), 500):
        plans = list(Plan.objects.filter(pk__in=plan_ids[start : start + 500]))
        wanted = Q(pk__in=[])
        for plan in plans:
            wanted |= Q(plan_id=plan.pk, number__in={agreed_version[plan.pk], plan.version})
        snapshots = {
            (plan_id, number): snapshot
            for plan_id, number, snapshot in PlanVersion.objects.filter(wanted).values_list(
                "plan_id", "number", "snapshot"
            )
        }
        changed = []
        for plan in plans:
            agreed = snapshots.get((plan.pk, agreed_version[plan.pk]))
            if agreed is None:
                continue  # no snapshot of what was agreed: leave the plan as it is
            plan.agreed_terms = terms_fingerprint(agreed)
            current = snapshots.get((plan.pk, plan.version))
            if current is not None:
                same = terms_fingerprint(current) == plan.agreed_terms
                plan.status = "agreed" if same else "draft"
            changed.append(plan)
        Plan.objects.bulk_update(changed, ["agreed_terms", "status"])


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0002_plan_version_is_restricted"),
    ]

    operations = [
        pgtrigger.migrations.RemoveTrigger(
            model_name="plan",
            name="insert_insert",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="plan",
            name="update_update",
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name="plan",
            name="delete_delete",
        ),
        migrations.AddField(
            model_name="plan",
            name="agreed_terms",
            field=models.CharField(blank=True, db_default="", default="", max_length=64),
        ),
        migrations.AddField(
            model_name="planevent",
            name="agreed_terms",
            field=models.CharField(blank=True, db_default="", default="", max_length=64),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="plan",
            trigger=pgtrigger.compiler.Trigger(
                name="insert_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "plans_planevent" ("agreed_terms", "created_at", "created_by_id", "family_id", "family_wants", "id", "next_review_on", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "status", "updated_at", "updated_by_id", "version", "working_well", "worries") VALUES (NEW."agreed_terms", NEW."created_at", NEW."created_by_id", NEW."family_id", NEW."family_wants", NEW."id", NEW."next_review_on", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."status", NEW."updated_at", NEW."updated_by_id", NEW."version", NEW."working_well", NEW."worries"); RETURN NULL;',
                    hash="2d829c17dfe12999084b9784f014b5f53614c29d",
                    operation="INSERT",
                    pgid="pgtrigger_insert_insert_8b340",
                    table="plans_plan",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="plan",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN (OLD.* IS DISTINCT FROM NEW.*)",
                    func='INSERT INTO "plans_planevent" ("agreed_terms", "created_at", "created_by_id", "family_id", "family_wants", "id", "next_review_on", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "status", "updated_at", "updated_by_id", "version", "working_well", "worries") VALUES (NEW."agreed_terms", NEW."created_at", NEW."created_by_id", NEW."family_id", NEW."family_wants", NEW."id", NEW."next_review_on", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."status", NEW."updated_at", NEW."updated_by_id", NEW."version", NEW."working_well", NEW."worries"); RETURN NULL;',
                    hash="70b85fb9adf3f5bd0337afadd7b4df78858266c8",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_ee9c7",
                    table="plans_plan",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="plan",
            trigger=pgtrigger.compiler.Trigger(
                name="delete_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "plans_planevent" ("agreed_terms", "created_at", "created_by_id", "family_id", "family_wants", "id", "next_review_on", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "status", "updated_at", "updated_by_id", "version", "working_well", "worries") VALUES (OLD."agreed_terms", OLD."created_at", OLD."created_by_id", OLD."family_id", OLD."family_wants", OLD."id", OLD."next_review_on", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."status", OLD."updated_at", OLD."updated_by_id", OLD."version", OLD."working_well", OLD."worries"); RETURN NULL;',
                    hash="134e9c6466c5cf97f5c1025e19f2cd25b1d66457",
                    operation="DELETE",
                    pgid="pgtrigger_delete_delete_3e165",
                    table="plans_plan",
                    when="AFTER",
                ),
            ),
        ),
        migrations.RunPython(mark_agreed_terms, migrations.RunPython.noop),
    ]
