# Moved from signals (issue 11): idempotency keys are infrastructure. The table keeps its name
# (Meta.db_table), so this changes the migration state only; the content type is renamed in
# place, so that permissions and admin log entries stay attached.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def content_type_follows(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="signals", model="idempotencyrecord").update(
        app_label="core"
    )


def content_type_returns(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="core", model="idempotencyrecord").update(
        app_label="signals"
    )


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('signals', '0004_bound_usage_quantity_and_claim_idempotency_keys'),  # the table exists
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.CreateModel(
            name='IdempotencyRecord',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(max_length=200)),
                ('endpoint', models.CharField(max_length=100)),
                ('request_hash', models.CharField(blank=True, max_length=64)),
                ('status_code', models.PositiveSmallIntegerField(blank=True, null=True)),
                ('response', models.JSONField(blank=True, null=True)),
                ('created', models.DateTimeField(auto_now_add=True, db_index=True)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'signals_idempotencyrecord',
                'constraints': [models.UniqueConstraint(fields=('user', 'endpoint', 'key'), name='idempotency_key')],
            },
        )]),
        migrations.RunPython(content_type_follows, content_type_returns),
    ]
