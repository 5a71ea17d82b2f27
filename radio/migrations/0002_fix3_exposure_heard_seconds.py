from django.db import migrations


class Migration(migrations.Migration):
    """One name for one figure: the seconds listeners heard on the radio (issue 5, audit 9)."""

    dependencies = [("radio", "0001_initial")]

    operations = [
        migrations.RenameField(
            model_name="artistexposure", old_name="airtime_seconds", new_name="heard_seconds"
        ),
    ]
