# Section headings in both working languages (issue 15): "Preámbulo" / "Preamble", "ANEXO" / "ANNEX".

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("drafting", "0017_export_fingerprint_of_input"),
    ]

    operations = [
        migrations.AddField(
            model_name="section",
            name="heading_translation",
            field=models.CharField(blank=True, help_text="e.g. DECISIONES, ANEXO A", max_length=300),
        ),
        migrations.AddField(
            model_name="paragraph",
            name="section_heading_translation",
            field=models.CharField(blank=True, max_length=300),
        ),
    ]
