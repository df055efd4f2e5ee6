from django.db import migrations, models


class Migration(migrations.Migration):
    """Positions given on a wording that a re-fit has since changed are flagged
    (issue 11: accepting a proposal re-fits the others on its paragraph)."""

    dependencies = [
        ("drafting", "0006_import_jobs"),
    ]

    operations = [
        migrations.AddField(
            model_name="position",
            name="earlier_wording",
            field=models.BooleanField(default=False),
        ),
    ]
