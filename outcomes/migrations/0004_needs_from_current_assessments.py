"""Open the needs that families assessed before needs flowed one way never got.

Until now a family's identified needs were opened only when its plan was started (or,
for a family with a plan, when a result changed). Now the assessment opens them for
every family as it writes a result, and starting a plan reads them. Families assessed
before this change and still without a plan get theirs here, from their current
assessment: the same rows the assessment would have written (source "assessment", in
the system account's name, people only where they are in the family now).

Families that have a plan are left alone: their needs were opened when the plan
started, and a need the key worker has since closed must stay closed.

The criterion labels are a frozen copy of the framework registry's, as this migration
must keep producing the same rows whatever the registry later says.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import migrations
from django.utils import timezone

SYSTEM_USERNAME = "oneplan-system"

LABELS: dict[str, list[tuple[str, str]]] = {
    "tf1": [
        ("crime_asb", "Crime or anti-social behaviour"),
        ("education", "Education: exclusion or absence from school"),
        ("work", "Adult on an out-of-work benefit"),
        ("local", "Local discretion"),
    ],
    "tf2": [
        ("crime", "Parents or children involved in crime or anti-social behaviour"),
        ("education", "Children not attending school regularly"),
        ("children_in_need", "Children who need help"),
        (
            "worklessness",
            "Adults out of work or at risk of financial exclusion, or young people at risk "
            "of worklessness",
        ),
        ("domestic_abuse", "Families affected by domestic violence and abuse"),
        ("health", "Parents and children with a range of health problems"),
    ],
    "sf2022": [
        ("education", "Getting a good education"),
        ("early_years", "Good early years development"),
        ("health", "Improved mental and physical health"),
        ("substance_use", "Promoting recovery and reducing harm from substance use"),
        ("family_relationships", "Improved family relationships"),
        ("child_safety", "Children safe from abuse and exploitation"),
        ("crime", "Crime prevention and tackling crime"),
        ("domestic_abuse", "Safe from domestic abuse"),
        ("housing", "Secure housing"),
        ("financial_stability", "Financial stability"),
    ],
}

OPEN_NEEDS = """
WITH latest AS (
    SELECT DISTINCT ON (a.family_id) a.family_id, a.framework, a.criteria
    FROM outcomes_assessment AS a
    WHERE a.is_current AND a.met_count > 0
      AND NOT EXISTS (SELECT 1 FROM plans_plan AS p WHERE p.family_id = a.family_id)
    ORDER BY a.family_id, a.assessed_at DESC, a.id DESC
), met AS (
    SELECT l.family_id, l.framework, c.key AS code, c.value AS result
    FROM latest AS l, jsonb_each(l.criteria) AS c
    WHERE (c.value ->> 'met')::boolean
), labels AS (
    SELECT * FROM unnest(%(frameworks)s::text[], %(codes)s::text[], %(labels)s::text[])
        WITH ORDINALITY AS t(framework, code, label, position)
), opened AS (
    INSERT INTO plans_need (family_id, code, label, detail, source, framework,
                            identified_on, created_by_id, created_at)
    SELECT m.family_id, m.code, COALESCE(l.label, m.code), '', 'assessment', m.framework,
           %(today)s, %(actor)s, %(now)s
    FROM met AS m LEFT JOIN labels AS l USING (framework, code)
    ORDER BY m.family_id, l.position NULLS LAST, m.code
    ON CONFLICT (family_id, code) WHERE closed_on IS NULL DO NOTHING
    RETURNING id, family_id, code
)
INSERT INTO plans_need_members (need_id, person_id)
SELECT DISTINCT o.id, p.person_id::bigint
FROM opened AS o
JOIN met AS m USING (family_id, code)
CROSS JOIN LATERAL jsonb_array_elements_text(COALESCE(m.result -> 'people', '[]'::jsonb))
    AS p(person_id)
WHERE EXISTS (
    SELECT 1 FROM families_householdmembership AS hm
    WHERE hm.family_id = o.family_id AND hm.person_id = p.person_id::bigint
      AND hm.end_date IS NULL
)
"""


def open_needs(apps: Any, schema_editor: Any) -> None:
    Assessment = apps.get_model("outcomes", "Assessment")
    if not Assessment.objects.filter(is_current=True, met_count__gt=0).exists():
        return
    User = apps.get_model("agencies", "User")
    actor, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"first_name": "OnePlan", "last_name": "system", "is_active": False},
    )
    if created:
        actor.password = make_password(None)  # unusable: it cannot sign in
        actor.save(update_fields=["password"])
    rows = [(fw, code, label) for fw, criteria in LABELS.items() for code, label in criteria]
    now = timezone.now()
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            OPEN_NEEDS,
            {
                "frameworks": [r[0] for r in rows],
                "codes": [r[1] for r in rows],
                "labels": [r[2] for r in rows],
                "today": timezone.localdate(now),
                "actor": actor.pk,
                "now": now,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("outcomes", "0003_evidence_fewer_indexes"),
        ("plans", "0002_plan_version_is_restricted"),
    ]

    operations = [migrations.RunPython(open_needs, migrations.RunPython.noop, elidable=True)]
