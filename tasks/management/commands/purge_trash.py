"""`manage.py purge_trash`: remove for good what has been in the trash longer than
TRASH_RETENTION_DAYS (run it daily, e.g. from cron); each purged task leaves a tombstone for
the sync feed."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from tasks.trash import trash_purge_expired


class Command(BaseCommand):
    help = "Remove tasks that have been in the trash longer than TRASH_RETENTION_DAYS."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Keep this many days instead of TRASH_RETENTION_DAYS.",
        )

    def handle(self, *args, days=None, **options):
        days = settings.TRASH_RETENTION_DAYS if days is None else days
        if days < 0:
            days = 0
        purged = trash_purge_expired(deleted_before=timezone.now() - timedelta(days=days))
        self.stdout.write(f"Purged {purged} task(s) deleted more than {days} day(s) ago.")
