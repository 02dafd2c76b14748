from django.db import migrations

SWEEP = "playbooks.tasks.usage_alerts_sweep_task"
REAP = "playbooks.tasks.scoring_runs_reap_task"


def schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_15, _ = IntervalSchedule.objects.get_or_create(every=15, period="minutes")
    every_10, _ = IntervalSchedule.objects.get_or_create(every=10, period="minutes")
    PeriodicTask.objects.get_or_create(
        name="Unsent usage alerts", defaults={"task": SWEEP, "interval": every_15, "enabled": True}
    )
    PeriodicTask.objects.get_or_create(
        name="Stale scoring runs", defaults={"task": REAP, "interval": every_10, "enabled": True}
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        task__in=[SWEEP, REAP]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("playbooks", "0006_run_process_and_alert_delivery"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(schedule, unschedule)]
