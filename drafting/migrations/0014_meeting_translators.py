from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("drafting", "0013_one_straight_line"),
    ]

    operations = [
        migrations.AddField(
            model_name="meeting",
            name="translators",
            field=models.ManyToManyField(blank=True, related_name="translator_meetings", to=settings.AUTH_USER_MODEL),
        ),
    ]
