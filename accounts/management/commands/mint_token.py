"""`manage.py mint_token <email-or-uuid>`: an access token for curl and frontend development."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.services import tokens_for_user, user_get_or_create_from_sub


def _user_for(identifier: str, *, name: str) -> tuple[User, bool]:
    """The user with this id or email, created when new; and whether it was created."""
    try:
        user_id = uuid.UUID(identifier)
    except ValueError:
        user_id = None
    if user_id is not None:
        existed = User.objects.filter(pk=user_id).exists()
        return user_get_or_create_from_sub(user_id=user_id, name=name), not existed
    email = identifier.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        return user, False
    try:
        # No password: the user signs in with tokens only (or sets one in the admin).
        return User.objects.create_user(email=email, name=name), True
    except ValidationError as exc:
        raise CommandError(f"Cannot create a user with email {identifier!r}: {exc}") from None


class Command(BaseCommand):
    help = (
        "Print an access token for a user given by email or id (UUID), creating the user when "
        "new. For development: refuses to run with DJANGO_DEBUG=false unless --force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("user", help="the user's email or id (UUID)")
        parser.add_argument("--name", default="", help="name of a user created by this command")
        parser.add_argument(
            "--force",
            action="store_true",
            help="mint even in production mode (DJANGO_DEBUG=false)",
        )

    def handle(self, *args, user: str, name: str, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to mint a token in production mode (DJANGO_DEBUG=false): anyone with "
                "the token acts as that user. Use --force if you really mean it."
            )
        account, created = _user_for(user, name=name)
        if not account.is_active:
            raise CommandError(f"User {account} is inactive: its tokens would be refused.")
        if created:
            # stderr, so that `TOKEN=$(manage.py mint_token ...)` captures the token alone.
            self.stderr.write(f"Created user {account} (id {account.pk}).")
        # The same access token the auth endpoints issue (HS256, sub, email, name, jti, exp).
        self.stdout.write(tokens_for_user(user=account)["access_token"])
