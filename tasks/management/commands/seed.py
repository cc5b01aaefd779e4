"""`manage.py seed`: demo users and tasks made with the factories; repeatable, safe to re-run."""

import argparse
from collections import Counter
from datetime import UTC, datetime, timedelta

import factory
import factory.random
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count

from accounts.factories import UserFactory
from accounts.models import User
from tasks.changes import take_change_numbers
from tasks.factories import TaskFactory
from tasks.models import Task
from tasks.rules import Priority

DEMO_EMAIL = "demo{}@example.com"
DEMO_EMAIL_REGEX = r"^demo[0-9]+@example\.com$"
DEFAULT_PASSWORD = "todo-demo-password"
BATCH_SIZE = 500  # tasks per INSERT; a run of more than one batch reports each one
COMPLETED_SHARE = 0.3
TAGS = ["work", "home", "errands", "health", "finance", "family"]
RULES = [
    "FREQ=DAILY",
    "FREQ=WEEKLY;BYDAY=MO",
    "FREQ=WEEKLY;BYDAY=FR",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=SA",
    "FREQ=MONTHLY;BYMONTHDAY=1",
    "FREQ=MONTHLY;BYDAY=-1FR",
]
PRIORITY_WEIGHTS = {Priority.LOW: 3, Priority.MEDIUM: 5, Priority.HIGH: 2}


def planning(randgen, today: datetime) -> dict:
    """Realistic planning fields: mixed priorities, 0-3 tags from a small vocabulary, due dates
    for most tasks (some past, so overdue while open), reminders for some, a few recurring."""
    fields = {
        "priority": randgen.choices(list(PRIORITY_WEIGHTS), list(PRIORITY_WEIGHTS.values()))[0],
        "tags": randgen.sample(TAGS, randgen.choice([0, 1, 1, 2, 2, 3])),
    }
    if randgen.random() < 0.6:
        due = today + timedelta(days=randgen.randint(-10, 30), hours=randgen.choice([9, 12, 17]))
        fields["due_at"] = due
        if randgen.random() < 0.4:
            fields["remind_at"] = due - timedelta(minutes=randgen.choice([15, 30, 60, 1440]))
        if randgen.random() < 0.25:
            fields["recurrence"] = randgen.choice(RULES)
    return fields


def _count(value: str) -> int:
    number = int(value)
    if number < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return number


class Command(BaseCommand):
    help = (
        "Create demo users demo1@example.com ... demoN@example.com, each with M tasks, using the "
        "factories. Safe to run twice: existing demo users are kept (their password reset) and "
        "only topped up to M tasks. --clear --seed S rebuilds exactly the same data set."
    )

    def add_arguments(self, parser):
        parser.add_argument("--users", type=_count, default=5, help="demo users (default 5)")
        parser.add_argument(
            "--tasks-per-user", type=_count, default=10, help="tasks per demo user (default 10)"
        )
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help=f"password of every demo user, for signin (default {DEFAULT_PASSWORD!r})",
        )
        parser.add_argument("--seed", type=int, help="random seed for a repeatable data set")
        parser.add_argument(
            "--clear",
            action="store_true",
            help="first delete every demo user and their tasks (no other user is touched)",
        )

    def handle(self, *args, users, tasks_per_user, password, seed, clear, verbosity, **options):
        try:
            validate_password(password)
        except ValidationError as exc:
            raise CommandError(f"--password is too weak: {' '.join(exc.messages)}") from None
        if seed is not None:
            factory.random.reseed_random(seed)  # Faker and factory_boy share this generator
        self.verbosity = verbosity
        with transaction.atomic():
            cleared = self._clear() if clear else 0
            demo_users, new_users = self._users(users, make_password(password))
            new_tasks = self._tasks(demo_users, tasks_per_user)
        summary = (
            f"Seeded {users} demo users ({new_users} new) with {tasks_per_user} tasks each "
            f"({new_tasks} new tasks)"
        )
        if clear:
            summary += f", after clearing {cleared} demo users"
        if users:
            summary += f"; sign in as {DEMO_EMAIL.format(1)} with password {password!r}"
        self.stdout.write(self.style.SUCCESS(summary + "."))

    @staticmethod
    def _clear() -> int:
        """Delete the demo users (their tasks go with them); returns how many there were."""
        demo = User.objects.filter(email__regex=DEMO_EMAIL_REGEX)
        count = demo.count()
        demo.delete()
        return count

    @staticmethod
    def _users(count: int, hashed: str) -> tuple[list[User], int]:
        """demo1..demoN, created when missing; all of them get the given password."""
        found = {u.email: u for u in User.objects.filter(email__regex=DEMO_EMAIL_REGEX)}
        users, created = [], 0
        for number in range(1, count + 1):
            email = DEMO_EMAIL.format(number)
            user = found.get(email)
            if user is None:
                user = UserFactory(email=email, password=factory.Transformer.Force(hashed))
                created += 1
            users.append(user)
        kept = [user.pk for user in users if user.email in found]
        User.objects.filter(pk__in=kept).update(password=hashed)
        return users, created

    def _tasks(self, users: list[User], per_user: int) -> int:
        """Top each user up to `per_user` tasks, built by the factory and inserted in batches."""
        have = dict(
            Task.objects.filter(user__in=users)
            .values_list("user")
            .annotate(n=Count("id"))
            .order_by()
        )
        missing = {user.pk: max(per_user - have.get(user.pk, 0), 0) for user in users}
        total = sum(missing.values())
        pending: list[Task] = []
        created = 0

        def flush() -> None:
            nonlocal pending, created
            _insert_numbered(pending)
            created += len(pending)
            pending = []
            if self.verbosity >= 1 and total > BATCH_SIZE:
                self.stdout.write(f"Inserted {created} of {total} tasks")

        randgen = factory.random.randgen
        # Dates count from the start of today (UTC): the same --seed gives the same data that day.
        today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        for user in users:
            for _ in range(missing[user.pk]):
                task = TaskFactory.build(
                    user=user,
                    completed=randgen.random() < COMPLETED_SHARE,
                    **planning(randgen, today),
                )
                task.full_clean(exclude=["user"], validate_constraints=False)
                pending.append(task)
                if len(pending) >= BATCH_SIZE:
                    flush()
        if pending:
            flush()
        return created


def _insert_numbered(tasks: list[Task]) -> None:
    """Insert the tasks with their owners' next change numbers (tasks.changes), in order, in
    the numbers' transaction."""
    owners = Counter(task.user_id for task in tasks)
    with transaction.atomic():
        next_number = {
            owner: take_change_numbers(owner, count) - count + 1 for owner, count in owners.items()
        }
        for task in tasks:
            task.change_seq = next_number[task.user_id]
            next_number[task.user_id] += 1
        Task.objects.bulk_create(tasks)
