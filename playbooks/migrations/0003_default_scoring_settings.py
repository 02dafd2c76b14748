from django.db import migrations


def create_defaults(apps, schema_editor):
    # Every column's default is the spec's (ScoringConfig); one row is the settings in force.
    ScoringSettings = apps.get_model("playbooks", "ScoringSettings")
    if not ScoringSettings.objects.exists():
        ScoringSettings.objects.create()


class Migration(migrations.Migration):
    dependencies = [("playbooks", "0002_scoring_settings")]
    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
