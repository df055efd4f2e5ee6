# The proposal's stored diff-match-patch patch (base_text -> text) was written
# on every submission and re-fit and read by nothing: the API, the pages, the
# exports and the re-fit all work from base_text and text, from which the patch
# can always be made again (textengine.make_patch). Making it was a word diff on
# every submission's path (up to ~0.2 ms for a paragraph rewritten whole).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("drafting", "0019_job_error_i18n"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="proposal",
            name="patch",
        ),
    ]
