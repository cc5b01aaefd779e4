"""`manage.py purge_idempotency_keys`: delete the Idempotency-Keys whose 24 hours are over."""

from django.core.management.base import BaseCommand

from api.services import idempotency_purge


class Command(BaseCommand):
    help = "Delete the Idempotency-Keys (and their kept responses) older than 24 hours."

    def handle(self, *args, **options):
        purged = idempotency_purge()
        self.stdout.write(f"Purged {purged} expired idempotency key(s).")
