from django.contrib.postgres.operations import (
    CreateExtension,
    TrigramExtension,
    UnaccentExtension,
)
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("families", "0001_initial")]

    operations = [
        # Typo-tolerant search and matching of names (later issues) need these.
        TrigramExtension(),
        UnaccentExtension(),
        CreateExtension("fuzzystrmatch"),
        # Family references come from a sequence so concurrent writers never collide.
        migrations.RunSQL(
            "CREATE SEQUENCE IF NOT EXISTS families_family_reference_seq START 1",
            "DROP SEQUENCE IF EXISTS families_family_reference_seq",
        ),
    ]
