"""The negotiation record cannot be emptied with TRUNCATE either (0002's
row triggers do not see it): a statement-level trigger on PostgreSQL."""

from django.db import migrations

from drafting.migrations._event_triggers import POSTGRES_NO_TRUNCATE, POSTGRES_NO_TRUNCATE_REVERSE


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        for sql in POSTGRES_NO_TRUNCATE:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        for sql in POSTGRES_NO_TRUNCATE_REVERSE:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("drafting", "0009_api_tokens")]
    operations = [migrations.RunPython(forwards, backwards)]
