# State only: these tables now belong to the scoring app's models (scoring 0001, issue 11).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('playbooks', '0009_opportunity_criterion_check'),
        ('scoring', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='accountaction',
                    name='account',
                ),
                migrations.RemoveField(
                    model_name='healthsnapshot',
                    name='account',
                ),
                migrations.RemoveField(
                    model_name='healthsnapshot',
                    name='run',
                ),
                migrations.RemoveField(
                    model_name='notification',
                    name='user',
                ),
                migrations.DeleteModel(
                    name='ScoringSettings',
                ),
                migrations.RemoveField(
                    model_name='usagealert',
                    name='entitlement',
                ),
                migrations.RemoveField(
                    model_name='utilizationsnapshot',
                    name='entitlement',
                ),
                migrations.DeleteModel(
                    name='AccountAction',
                ),
                migrations.DeleteModel(
                    name='HealthSnapshot',
                ),
                migrations.DeleteModel(
                    name='ScoringRun',
                ),
                migrations.DeleteModel(
                    name='Notification',
                ),
                migrations.DeleteModel(
                    name='UsageAlert',
                ),
                migrations.DeleteModel(
                    name='UtilizationSnapshot',
                ),
            ],
        ),
    ]
