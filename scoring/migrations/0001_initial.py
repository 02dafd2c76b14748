# Moved from playbooks (issue 11). The tables keep their names (Meta.db_table), so this changes
# the migration state only; the content types are renamed in place, so that permissions and
# admin log entries stay attached.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = [
    "accountaction",
    "healthsnapshot",
    "notification",
    "scoringrun",
    "scoringsettings",
    "usagealert",
    "utilizationsnapshot",
]


def content_types_follow(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="playbooks", model__in=MOVED).update(app_label="scoring")


def content_types_return(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="scoring", model__in=MOVED).update(app_label="playbooks")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0002_roles'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('playbooks', '0009_opportunity_criterion_check'),  # the tables exist
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ScoringSettings',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('updated', models.DateTimeField(auto_now=True)),
                        ('usage_window_days', models.IntegerField(default=30, verbose_name='usage window days')),
                        ('trend_prior_days', models.IntegerField(default=30, verbose_name='trend prior days')),
                        ('nps_window_days', models.IntegerField(default=180, verbose_name='nps window days')),
                        ('support_window_days', models.IntegerField(default=90, verbose_name='support window days')),
                        ('signal_window_days', models.IntegerField(default=90, verbose_name='signal window days')),
                        ('new_users_window_days', models.IntegerField(default=30, verbose_name='new users window days')),
                        ('renewal_window_days', models.IntegerField(default=90, verbose_name='renewal window days')),
                        ('onboarding_days', models.IntegerField(default=90, verbose_name='onboarding days')),
                        ('alert_level_1', models.IntegerField(default=80, verbose_name='alert level 1')),
                        ('alert_level_2', models.IntegerField(default=90, verbose_name='alert level 2')),
                        ('alert_level_3', models.IntegerField(default=95, verbose_name='alert level 3')),
                        ('weight_adoption', models.FloatField(default=35.0, verbose_name='weight adoption')),
                        ('weight_trend', models.FloatField(default=15.0, verbose_name='weight trend')),
                        ('weight_sentiment', models.FloatField(default=20.0, verbose_name='weight sentiment')),
                        ('weight_support', models.FloatField(default=15.0, verbose_name='weight support')),
                        ('weight_relationship', models.FloatField(default=15.0, verbose_name='weight relationship')),
                        ('adoption_no_entitlement', models.FloatField(default=50.0, verbose_name='adoption no entitlement')),
                        ('trend_base', models.FloatField(default=50.0, verbose_name='trend base')),
                        ('trend_slope', models.FloatField(default=50.0, verbose_name='trend slope')),
                        ('trend_no_prior', models.FloatField(default=50.0, verbose_name='trend no prior')),
                        ('sentiment_nps_multiplier', models.FloatField(default=10.0, verbose_name='sentiment nps multiplier')),
                        ('sentiment_no_nps', models.FloatField(default=50.0, verbose_name='sentiment no nps')),
                        ('support_base', models.FloatField(default=100.0, verbose_name='support base')),
                        ('support_ticket_penalty', models.FloatField(default=20.0, verbose_name='support ticket penalty')),
                        ('relationship_champion', models.FloatField(default=50.0, verbose_name='relationship champion')),
                        ('relationship_sponsor', models.FloatField(default=50.0, verbose_name='relationship sponsor')),
                        ('health_threshold', models.FloatField(default=70.0, verbose_name='health threshold')),
                        ('adoption_threshold', models.FloatField(default=50.0, verbose_name='adoption threshold')),
                        ('detractor_nps', models.FloatField(default=6.0, verbose_name='detractor nps')),
                        ('incident_severity', models.IntegerField(default=1, verbose_name='incident severity')),
                        ('incident_window_days', models.IntegerField(default=30, verbose_name='incident window days')),
                        ('seat_metric', models.CharField(default='seats', max_length=200, verbose_name='seat metric')),
                        ('seat_growth_level', models.FloatField(default=80.0, verbose_name='seat growth level')),
                        ('seat_new_users_share', models.FloatField(default=0.1, verbose_name='seat new users share')),
                        ('compliance_department', models.CharField(default='Compliance', max_length=200, verbose_name='compliance department')),
                        ('promoter_nps', models.FloatField(default=9.0, verbose_name='promoter nps')),
                        ('lookalike_min_share', models.FloatField(default=0.3, verbose_name='lookalike min share')),
                        ('lookalike_min_peers', models.IntegerField(default=5, verbose_name='lookalike min peers')),
                        ('tier_left_days', models.IntegerField(default=730, verbose_name='tier left days')),
                        ('ownership_days', models.IntegerField(default=90, verbose_name='ownership days')),
                        ('outcome_min_share', models.FloatField(default=0.5, verbose_name='outcome min share')),
                        ('lost_cooldown_days', models.IntegerField(default=180, verbose_name='lost cooldown days')),
                        ('sponsor_roles', models.CharField(default='executive_sponsor,economic_buyer', max_length=200, verbose_name='sponsor roles')),
                        ('champion_role', models.CharField(default='champion', max_length=200, verbose_name='champion role')),
                        ('points_utilization_80', models.FloatField(default=20.0, verbose_name='points utilization 80')),
                        ('points_utilization_90', models.FloatField(default=30.0, verbose_name='points utilization 90')),
                        ('points_utilization_95', models.FloatField(default=40.0, verbose_name='points utilization 95')),
                        ('points_seat_growth', models.FloatField(default=15.0, verbose_name='points seat growth')),
                        ('points_renewal_d90', models.FloatField(default=15.0, verbose_name='points renewal d90')),
                        ('points_internal_referral', models.FloatField(default=25.0, verbose_name='points internal referral')),
                        ('points_compliance_change', models.FloatField(default=25.0, verbose_name='points compliance change')),
                        ('points_feature_request', models.FloatField(default=15.0, verbose_name='points feature request')),
                        ('points_adjacent_workflow', models.FloatField(default=10.0, verbose_name='points adjacent workflow')),
                        ('points_lookalike', models.FloatField(default=15.0, verbose_name='points lookalike')),
                        ('points_promoter_nps', models.FloatField(default=10.0, verbose_name='points promoter nps')),
                        ('points_outcome_achieved', models.FloatField(default=15.0, verbose_name='points outcome achieved')),
                        ('points_reference', models.FloatField(default=5.0, verbose_name='points reference')),
                        ('needs_sponsor_factor', models.FloatField(default=0.5, verbose_name='needs sponsor factor')),
                    ],
                    options={
                        'verbose_name': 'scoring settings',
                        'verbose_name_plural': 'scoring settings',
                        'db_table': 'playbooks_scoringsettings',
                    },
                ),
                migrations.CreateModel(
                    name='ScoringRun',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('as_of', models.DateField()),
                        ('settings', models.JSONField(default=dict, help_text='The scoring settings this run used.')),
                        ('started', models.DateTimeField(auto_now_add=True)),
                        ('finished', models.DateTimeField(blank=True, null=True)),
                        ('status', models.CharField(choices=[('running', 'Running'), ('succeeded', 'Succeeded'), ('failed', 'Failed')], default='running', max_length=16)),
                        ('counts', models.JSONField(blank=True, default=dict)),
                        ('error', models.TextField(blank=True)),
                        ('skipped', models.JSONField(blank=True, default=list, help_text='Accounts left out for bad stored data: account_id, external_id, reason.')),
                        ('pid', models.PositiveIntegerField(blank=True, null=True)),
                        ('hostname', models.CharField(blank=True, max_length=255)),
                        ('heartbeat', models.DateTimeField(blank=True, help_text='Last sign of life.', null=True)),
                    ],
                    options={
                        'db_table': 'playbooks_scoringrun',
                        'ordering': ['-started'],
                        'indexes': [models.Index(fields=['as_of', 'status'], name='scoring_run_as_of')],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('status', 'running')), fields=('status',), name='scoring_run_one_running')],
                    },
                ),
                migrations.CreateModel(
                    name='AccountAction',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('as_of', models.DateField()),
                        ('code', models.CharField(choices=[('health_recovery', 'Health recovery'), ('adoption_intervention', 'Adoption intervention'), ('develop_sponsor', 'Develop sponsor')], max_length=32)),
                        ('detail', models.TextField(blank=True)),
                        ('account', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='actions', to='accounts.account')),
                    ],
                    options={
                        'db_table': 'playbooks_accountaction',
                        'ordering': ['account', '-as_of', 'code'],
                        'indexes': [models.Index(fields=['as_of', 'code'], name='account_action_as_of')],
                        'constraints': [models.UniqueConstraint(fields=('account', 'as_of', 'code'), name='account_action_key')],
                    },
                ),
                migrations.CreateModel(
                    name='Notification',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('message', models.CharField(max_length=500)),
                        ('url', models.CharField(blank=True, max_length=300)),
                        ('created', models.DateTimeField(auto_now_add=True)),
                        ('read_at', models.DateTimeField(blank=True, null=True)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'playbooks_notification',
                        'ordering': ['-created', '-id'],
                        'indexes': [models.Index(fields=['user', 'read_at'], name='notification_unread')],
                    },
                ),
                migrations.CreateModel(
                    name='HealthSnapshot',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('as_of', models.DateField()),
                        ('score', models.FloatField()),
                        ('adoption', models.FloatField()),
                        ('trend', models.FloatField()),
                        ('sentiment', models.FloatField()),
                        ('support', models.FloatField()),
                        ('relationship', models.FloatField()),
                        ('eligible', models.BooleanField()),
                        ('reasons', models.JSONField(blank=True, default=list)),
                        ('held_back', models.JSONField(blank=True, default=list, help_text='Candidates that wait: [{"play", "target_sku", "score", "reason", "detail"}].')),
                        ('account', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='health_snapshots', to='accounts.account')),
                        ('run', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to='scoring.scoringrun')),
                    ],
                    options={
                        'db_table': 'playbooks_healthsnapshot',
                        'ordering': ['account', '-as_of'],
                        'indexes': [models.Index(fields=['as_of', 'score'], name='health_snapshot_as_of')],
                        'constraints': [models.UniqueConstraint(fields=('account', 'as_of'), name='health_snapshot_key')],
                    },
                ),
                migrations.CreateModel(
                    name='UsageAlert',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('level', models.PositiveSmallIntegerField()),
                        ('ratio', models.FloatField()),
                        ('raised_on', models.DateField()),
                        ('sent_at', models.DateTimeField(blank=True, help_text='When the mail backend accepted every e-mail of it.', null=True)),
                        ('lease_token', models.CharField(blank=True, max_length=32)),
                        ('lease_until', models.DateTimeField(blank=True, null=True)),
                        ('attempts', models.PositiveSmallIntegerField(default=0)),
                        ('notified_at', models.DateTimeField(blank=True, help_text='When its in-app notifications were created.', null=True)),
                        ('entitlement', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='alerts', to='accounts.entitlement')),
                    ],
                    options={
                        'db_table': 'playbooks_usagealert',
                        'ordering': ['-raised_on', 'entitlement', 'level'],
                        'indexes': [models.Index(condition=models.Q(('sent_at__isnull', True)), fields=['lease_until'], name='usage_alert_unsent')],
                        'constraints': [models.UniqueConstraint(fields=('entitlement', 'level'), name='usage_alert_key')],
                    },
                ),
                migrations.CreateModel(
                    name='UtilizationSnapshot',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('as_of', models.DateField()),
                        ('used', models.FloatField()),
                        ('ratio', models.FloatField()),
                        ('level', models.PositiveSmallIntegerField(default=0, help_text='Highest alert level reached.')),
                        ('entitlement', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='utilization_snapshots', to='accounts.entitlement')),
                    ],
                    options={
                        'db_table': 'playbooks_utilizationsnapshot',
                        'ordering': ['entitlement', '-as_of'],
                        'indexes': [models.Index(fields=['as_of'], name='utilization_as_of')],
                        'constraints': [models.UniqueConstraint(fields=('entitlement', 'as_of'), name='utilization_key')],
                    },
                ),
            ],
        ),
        migrations.RunPython(content_types_follow, content_types_return),
    ]
