"""Account services: users created lazily from a verified token's `sub`."""

import uuid

from django.contrib.auth.hashers import make_password

from .models import User

_NAME_MAX = User._meta.get_field("name").max_length
_EMAIL_MAX = User._meta.get_field("email").max_length


def _usable_email(email: object) -> str | None:
    """A token's `email` claim, lower-cased, when it looks like an address; else None."""
    if not isinstance(email, str):
        return None
    email = email.strip().lower()
    return email if 3 <= len(email) <= _EMAIL_MAX and "@" in email else None


def _insert_if_absent(*, user_id: uuid.UUID, email: str | None, name: str) -> User | None:
    """INSERT ... ON CONFLICT DO NOTHING, then read back: None when the email was taken."""
    user = User(id=user_id, email=email, name=name, password=make_password(None))
    User.objects.bulk_create([user], ignore_conflicts=True)
    return User.objects.filter(pk=user_id).first()


def user_get_or_create_from_sub(*, user_id: uuid.UUID, email=None, name=None) -> User:
    """The user with this id, created on first sight.

    Race-safe without locks: concurrent first requests all run an INSERT that ignores
    conflicts, so exactly one row is created and every caller reads it back. The token's
    email is kept only when it looks like an address that no other user has; a lazily
    created user has no usable password.
    """
    user = User.objects.filter(pk=user_id).first()
    if user is not None:
        return user
    clean_name = name[:_NAME_MAX] if isinstance(name, str) else ""
    email = _usable_email(email)
    user = _insert_if_absent(user_id=user_id, email=email, name=clean_name)
    if user is None:  # the email belongs to someone else: create the user without it
        user = _insert_if_absent(user_id=user_id, email=None, name=clean_name)
    return user
