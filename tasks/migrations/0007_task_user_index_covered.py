"""The task's user_id loses its single-column index: every index of the table leads with
user_id already. Only the index is dropped (Django's AlterField would also drop and re-add the
foreign key, re-checking every row under a lock)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tasks", "0006_sync_backfill"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="task",
                    name="user",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="tasks",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "tasks_task_user_id_f0e531b0"',
                    reverse_sql='CREATE INDEX "tasks_task_user_id_f0e531b0" ON "tasks_task" '
                    '("user_id")',
                ),
            ],
        ),
    ]
