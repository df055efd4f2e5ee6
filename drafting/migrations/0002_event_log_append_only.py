"""The negotiation record is append-only: refuse UPDATE and DELETE on events
in the database itself, so no code path (a bug, a shell, a bulk update) can
rewrite history."""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER drafting_event_no_update BEFORE UPDATE ON drafting_event
       BEGIN SELECT RAISE(ABORT, 'drafting_event is append-only'); END;""",
    """CREATE TRIGGER drafting_event_no_delete BEFORE DELETE ON drafting_event
       BEGIN SELECT RAISE(ABORT, 'drafting_event is append-only'); END;""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS drafting_event_no_update;",
    "DROP TRIGGER IF EXISTS drafting_event_no_delete;",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION drafting_event_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'drafting_event is append-only'; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER drafting_event_append_only BEFORE UPDATE OR DELETE ON drafting_event
       FOR EACH ROW EXECUTE FUNCTION drafting_event_append_only();""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS drafting_event_append_only ON drafting_event;",
    "DROP FUNCTION IF EXISTS drafting_event_append_only();",
]


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
