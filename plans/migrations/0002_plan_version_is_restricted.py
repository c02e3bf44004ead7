"""PlanVersion.is_restricted: whether a saved change touched restricted content.

Existing versions are marked by comparing each with the one before it. The rule is
written out here as it stood when this migration was made (migrations do not import
live code, which may change after them): a need is restricted by its code; a goal when
every one of its needs is; a change is restricted when a goal (with its actions) that is
restricted in either version differs between them.
"""

from django.db import migrations, models

RESTRICTED = {"domestic_abuse", "health", "substance_use"}


def _restricted_goals(snapshot):
    codes = {n["id"]: n.get("code", "") for n in snapshot.get("needs", [])}
    goals = set()
    for goal in snapshot.get("goals", []):
        goal_codes = [codes.get(n, "") for n in goal.get("needs", [])]
        if goal_codes and all(code in RESTRICTED for code in goal_codes):
            goals.add(goal["id"])
    return goals


def _touches(before, after):
    if before is None:  # a plan's first version names no goal
        return False
    by_id = lambda rows: {r["id"]: r for r in rows or []}  # noqa: E731
    g_old, g_new = by_id(before.get("goals")), by_id(after.get("goals"))
    changed = _restricted_goals(before) | _restricted_goals(after)
    return any(g_old.get(i) != g_new.get(i) for i in changed)


def mark_restricted_versions(apps, schema_editor):
    PlanVersion = apps.get_model("plans", "PlanVersion")
    restricted_ids = []
    previous_plan, previous = None, None
    for version in PlanVersion.objects.order_by("plan_id", "number").iterator(chunk_size=500):
        if version.plan_id != previous_plan:
            previous_plan, previous = version.plan_id, None
        if _touches(previous, version.snapshot):
            restricted_ids.append(version.pk)
        previous = version.snapshot
    for start in range(0, len(restricted_ids), 5000):
        PlanVersion.objects.filter(pk__in=restricted_ids[start : start + 5000]).update(
            is_restricted=True
        )


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_plans_goals_actions_reviews_notes")]

    operations = [
        migrations.AddField(
            model_name="planversion",
            name="is_restricted",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(mark_restricted_versions, migrations.RunPython.noop),
    ]
