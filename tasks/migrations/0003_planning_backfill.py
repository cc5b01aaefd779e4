"""Existing tasks get values for what is new (a data migration of its own: PostgreSQL will not
change a table's schema in the transaction that changed its rows)."""

from django.db import migrations, models


def backfill(apps, schema_editor):
    """Existing tasks keep everything; what is new gets its value.

    - completed_at: for a task already completed, the time it last changed (`updated_at`): the
      best record there is of when it was done.
    - title_folded / description_folded: the folded text search and ordering use (Python's
      case folding, which SQL cannot do alike on both databases), written in batches.
    Priority (medium), tags ([]), due/remind dates and recurrence (none) take their defaults.
    """
    from tasks.rules import fold

    Task = apps.get_model("tasks", "Task")
    Task.objects.filter(completed=True).update(completed_at=models.F("updated_at"))
    batch = []
    for task in Task.objects.only("id", "title", "description").iterator(chunk_size=2000):
        task.title_folded = fold(task.title)
        task.description_folded = fold(task.description or "")
        batch.append(task)
        if len(batch) == 2000:
            Task.objects.bulk_update(batch, ["title_folded", "description_folded"])
            batch = []
    Task.objects.bulk_update(batch, ["title_folded", "description_folded"])


class Migration(migrations.Migration):
    dependencies = [("tasks", "0002_planning")]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
