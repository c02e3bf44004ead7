"""Drop the table knox's own migrations create for its default token model.

OnePlan swaps in ``oneplan.ApiToken`` (KNOX_TOKEN_MODEL), but knox's migrations create
``knox_authtoken`` regardless. Nothing reads it, and its foreign key to the user table
would stop the test database being emptied between transactional tests.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("oneplan", "0003_api_tokens_hashed_expiring_audited"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [
        migrations.RunSQL("DROP TABLE IF EXISTS knox_authtoken", migrations.RunSQL.noop),
    ]
