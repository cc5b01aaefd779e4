"""Existing tasks get change numbers 1..n per user (oldest first), and each user a counter at n:
the sync feed then lists them from the beginning, each with its own number."""

from django.db import migrations


def number_changes(apps, schema_editor):
    Task = apps.get_model("tasks", "Task")
    ChangeCounter = apps.get_model("tasks", "ChangeCounter")
    owners = Task.objects.values_list("user_id", flat=True).distinct().order_by()
    for user_id in list(owners):
        ids = Task.objects.filter(user_id=user_id).order_by("id").values_list("id", flat=True)
        number = 0
        for number, task_id in enumerate(list(ids), start=1):
            Task.objects.filter(pk=task_id).update(change_seq=number)
        ChangeCounter.objects.update_or_create(user_id=user_id, defaults={"last": number})


class Migration(migrations.Migration):
    dependencies = [("tasks", "0005_sync")]

    operations = [migrations.RunPython(number_changes, migrations.RunPython.noop)]
