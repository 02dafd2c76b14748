# State only: the table now belongs to core's IdempotencyRecord (core 0001, issue 11).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('signals', '0004_bound_usage_quantity_and_claim_idempotency_keys'),
        ('core', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='IdempotencyRecord')],
        ),
    ]
