"""Account services: signup, signin and the tokens this server issues; lazy users from `sub`."""

import uuid

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken

from .exceptions import AccountDisabled, EmailTaken, InvalidCredentials, InvalidToken
from .models import User

_NAME_MAX = User._meta.get_field("name").max_length
_EMAIL_MAX = User._meta.get_field("email").max_length


def _storable(text: object) -> bool:
    """A string any database can store: no NUL and no lone surrogate."""
    # PostgreSQL refuses NUL; a token's JSON may carry a lone surrogate ("\ud800"), which has
    # no UTF-8 encoding at all. Either made the first request of such a token a 500.
    if not isinstance(text, str) or "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _usable_email(email: object) -> str | None:
    """A token's `email` claim, lower-cased, when it looks like an address; else None."""
    if not _storable(email):
        return None
    email = email.strip().lower()
    return email if 3 <= len(email) <= _EMAIL_MAX and "@" in email else None


def _usable_name(name: object) -> str:
    """A token's `name` claim, cut to fit, when it can be stored; else no name."""
    return name[:_NAME_MAX] if _storable(name) else ""


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
    try:
        return User.objects.get(pk=user_id)
    except User.DoesNotExist:
        pass
    clean_name = _usable_name(name)
    email = _usable_email(email)
    user = _insert_if_absent(user_id=user_id, email=email, name=clean_name)
    if user is None:  # the email belongs to someone else: create the user without it
        user = _insert_if_absent(user_id=user_id, email=None, name=clean_name)
    return user


def _user_by_email(email: str) -> User | None:
    """The user with this email in any letter case (uses the lower(email) unique index)."""
    email = email.strip().lower()
    return User.objects.alias(email_lower=Lower("email")).filter(email_lower=email).first()


def user_sign_up(*, email: str, password: str, name: str = "") -> User:
    """A new account with a hashed password; the email must be free in any letter case."""
    email = email.strip().lower()
    if _user_by_email(email) is not None:
        raise EmailTaken()
    try:
        validate_password(password, user=User(email=email, name=name))
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    try:
        with transaction.atomic():
            return User.objects.create_user(email=email, password=password, name=name)
    except (IntegrityError, ValidationError):
        if _user_by_email(email) is not None:  # a concurrent signup took the email first
            raise EmailTaken() from None
        raise


def user_sign_in(*, email: str, password: str) -> User:
    """The user with these credentials; one error, and about one hash's cost, for every failure.

    An unknown email (or a user without a password) still runs the password hasher, so the
    answer takes as long as a wrong password and timing does not reveal who has an account.
    """
    user = _user_by_email(email)
    if user is None or not user.has_usable_password():
        make_password(password)
        raise InvalidCredentials()
    if not user.check_password(password):
        raise InvalidCredentials()
    return user


def _identity_claims(user: User) -> dict:
    claims = {"email": user.email, "name": user.name}
    if settings.JWT_ISSUER:
        claims["iss"] = settings.JWT_ISSUER
    if settings.JWT_AUDIENCE:
        claims["aud"] = settings.JWT_AUDIENCE
    return {claim: value for claim, value in claims.items() if value}


def tokens_for_user(*, user: User) -> dict:
    """A token bundle for an active user: HS256 access and refresh tokens (`sub` = the id)."""
    if not user.is_active:
        raise AccountDisabled()
    refresh = RefreshToken.for_user(user)  # sub, token_type, jti, iat, exp; recorded as issued
    for claim, value in _identity_claims(user).items():
        refresh[claim] = value
    access = refresh.access_token  # copies sub and the identity claims
    return {
        "access_token": str(access),
        "refresh_token": str(refresh),
        "token_type": "Bearer",
        "expires_in": int(access.lifetime.total_seconds()),
        "user": user,
    }


_REFRESH_FAILURES = {
    "Token has wrong type": "Not a refresh token.",
    "Token is blacklisted": "This refresh token has been revoked.",
    "Token is expired": "Token has expired.",
    "Token 'exp' claim has expired": "Token has expired.",
}


def _verified_refresh_token(raw: str) -> RefreshToken:
    """A refresh token this server issued, unexpired and not revoked; else InvalidToken."""
    try:
        return RefreshToken(raw)
    except TokenError as exc:
        raise InvalidToken(_REFRESH_FAILURES.get(str(exc))) from None
    except KeyError:  # no `jti`: not one of ours
        raise InvalidToken("Not a refresh token.") from None


def _revoke(token: RefreshToken) -> None:
    """Blacklist a refresh token; InvalidToken when a concurrent request revoked it first."""
    _, created = token.blacklist()
    if not created:
        raise InvalidToken("This refresh token has been revoked.")


def token_refresh(*, refresh_token: str) -> dict:
    """A new token bundle for a refresh token, which stops working (rotation)."""
    token = _verified_refresh_token(refresh_token)
    try:
        user = User.objects.filter(pk=uuid.UUID(str(token.get("sub")))).first()
    except ValueError:
        user = None
    if user is None:
        raise InvalidToken("Token user does not exist.")
    with transaction.atomic():
        _revoke(token)
        return tokens_for_user(user=user)


def token_revoke(*, refresh_token: str) -> None:
    """Sign out: the refresh token stops working (access tokens run out on their own)."""
    with transaction.atomic():
        _revoke(_verified_refresh_token(refresh_token))
