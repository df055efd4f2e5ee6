"""Issue 18: ``Meeting.access_version`` (cached roles key on it), and the
triggers that bump it and ``Declaration.version`` (see _access_triggers.py)."""

from django.db import migrations, models

from drafting.migrations import _access_triggers


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    sqls = _access_triggers.POSTGRES if schema_editor.connection.vendor == "postgresql" else _access_triggers.SQLITE
    for sql in sqls:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    postgres = schema_editor.connection.vendor == "postgresql"
    for sql in _access_triggers.POSTGRES_REVERSE if postgres else _access_triggers.SQLITE_REVERSE:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("drafting", "0012_bilingual_texts")]
    operations = [
        migrations.AddField(
            model_name="meeting",
            name="access_version",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
        migrations.RunPython(forwards, backwards),
    ]
