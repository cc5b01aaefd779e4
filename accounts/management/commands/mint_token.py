"""`manage.py mint_token <email>` or `mint_token --id <user id>`: an access token for curl and
frontend development.

An email and an id are told apart by how they are given, never by their look: a user id is any
string a token's `sub` may be (`auth0|alice@example.com` is one), so ids come with `--id`.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.ids import canonical_user_id
from accounts.models import User
from accounts.services import tokens_for_user, user_get_or_create_from_sub


def _user_by_id(raw: str, *, name: str | None) -> tuple[User, bool]:
    user_id = canonical_user_id(raw)
    if user_id is None:
        raise CommandError(
            f"{raw!r} cannot be a user id: 1 to 255 characters without control characters or '/'."
        )
    user = User.objects.filter(pk=user_id).first()
    if user is not None:
        return user, False
    return user_get_or_create_from_sub(user_id=user_id, name=name), True


def _user_by_email(email: str, *, name: str | None) -> tuple[User, bool]:
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        return user, False
    if "@" not in email:
        raise CommandError(f"{email!r} is not an email address (give a user id with --id).")
    try:
        # No password: the user signs in with tokens only (or sets one in the admin).
        return User.objects.create_user(email=email, name=name or ""), True
    except ValidationError as exc:
        raise CommandError(f"Cannot create a user with email {email!r}: {exc}") from None


class Command(BaseCommand):
    help = (
        "Print an access token for a user given by email, or by id with --id (a token's `sub`: "
        "any id, a UUID in any letter case), creating the user when new. For development: "
        "refuses to run with DJANGO_DEBUG=false unless --force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", nargs="?", help="the user's email")
        parser.add_argument("--id", dest="user_id", help="the user's id instead of an email")
        parser.add_argument("--name", help="name of a user created by this command")
        parser.add_argument(
            "--force",
            action="store_true",
            help="mint even in production mode (DJANGO_DEBUG=false)",
        )

    def handle(self, *args, email, user_id, name, force, **options):
        if (email is None) == (user_id is None):
            raise CommandError("Give either an email or --id <user id>, not both.")
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to mint a token in production mode (DJANGO_DEBUG=false): anyone with "
                "the token acts as that user. Use --force if you really mean it."
            )
        if user_id is not None:
            account, created = _user_by_id(user_id, name=name)
        else:
            account, created = _user_by_email(email, name=name)
        if not account.is_active:
            raise CommandError(f"User {account} is inactive: its tokens would be refused.")
        if created:
            # stderr, so that `TOKEN=$(manage.py mint_token ...)` captures the token alone.
            self.stderr.write(f"Created user {account} (id {account.pk}).")
        # The same access token the auth endpoints issue (HS256, sub, email, name, jti, exp).
        self.stdout.write(tokens_for_user(user=account)["access_token"])
