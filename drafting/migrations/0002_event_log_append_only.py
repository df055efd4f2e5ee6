"""The negotiation record is append-only: refuse UPDATE and DELETE on events
in the database itself, so no code path (a bug, a shell, a bulk update) can
rewrite history."""

from django.db import migrations

from drafting.migrations._event_triggers import POSTGRES, POSTGRES_REVERSE, SQLITE, SQLITE_REVERSE


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    statements = POSTGRES_REVERSE if schema_editor.connection.vendor == "postgresql" else SQLITE_REVERSE
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("drafting", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
