"""Account services: signup, signin and the tokens this server issues; lazy users from `sub`."""

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
from .tokens import subject, verify_refresh_token

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


def _insert_if_absent(*, user_id: str, email: str | None, name: str) -> User | None:
    """INSERT ... ON CONFLICT DO NOTHING, then read back: None when the email was taken."""
    user = User(id=user_id, email=email, name=name, password=make_password(None))
    User.objects.bulk_create([user], ignore_conflicts=True)
    return User.objects.filter(pk=user_id).first()


def _profile_changes(user: User, *, email: object, name: object) -> dict:
    """What a token's `email` and `name` change on a known user: an absent (None) or unusable
    claim changes nothing; an email counts as changed only when it differs in more than case.

    No database access: a per-process cache of users could call it to decide whether a
    token still matches the user it holds.
    """
    changes = {}
    if name is not None and _storable(name) and name[:_NAME_MAX] != user.name:
        changes["name"] = name[:_NAME_MAX]
    email = _usable_email(email)
    if email is not None and email != user.email:
        changes["email"] = email
    return changes


def _update_profile(user: User, changes: dict) -> None:
    """Write the changes (one UPDATE); an email another user has is left out, never taken."""
    try:
        with transaction.atomic():
            User.objects.filter(pk=user.pk).update(**changes)
    except IntegrityError:  # the unique lower(email) index: someone else has that address
        if "email" not in changes:
            raise
        del changes["email"]
        if changes:
            User.objects.filter(pk=user.pk).update(**changes)
    for field, value in changes.items():
        setattr(user, field, value)


def user_get_or_create_from_sub(*, user_id: str, email=None, name=None) -> User:
    """The user with this id, created on first sight, with the token's email and name.

    Race-safe without locks: concurrent first requests all run an INSERT that ignores
    conflicts, so exactly one row is created and every caller reads it back. The token's
    email is kept only when it looks like an address that no other user has; a lazily
    created user has no usable password. A later token whose email or name differs updates
    them (the email only when it is free); when nothing differs, nothing is written, and the
    one query is the read of the user.
    """
    try:
        user = User.objects.get(pk=user_id)
    except User.DoesNotExist:
        pass
    else:
        if changes := _profile_changes(user, email=email, name=name):
            _update_profile(user, changes)
        return user
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


def _verified_refresh_token(raw: str) -> RefreshToken:
    """A refresh token this server issued, unexpired and not revoked; else InvalidToken."""
    verify_refresh_token(raw)  # signature and claims, with the reason of any failure
    try:
        return RefreshToken(raw)  # simplejwt: the blacklist
    except TokenError as exc:
        if str(exc) == "Token is blacklisted":
            raise InvalidToken("This refresh token has been revoked.", reason="revoked") from None
        raise InvalidToken("Not a refresh token.", reason="not_refresh_token") from None


def _revoke(token: RefreshToken) -> None:
    """Blacklist a refresh token; InvalidToken when a concurrent request revoked it first."""
    _, created = token.blacklist()
    if not created:
        raise InvalidToken("This refresh token has been revoked.", reason="revoked")


def token_refresh(*, refresh_token: str) -> dict:
    """A new token bundle for a refresh token, which stops working (rotation)."""
    token = _verified_refresh_token(refresh_token)
    user = User.objects.filter(pk=subject(token.payload)).first()
    if user is None:  # deleted since: its refresh tokens died with it
        raise InvalidToken("Token user does not exist.", reason="revoked")
    with transaction.atomic():
        _revoke(token)
        return tokens_for_user(user=user)


def token_revoke(*, refresh_token: str) -> None:
    """Sign out: the refresh token stops working (access tokens run out on their own)."""
    with transaction.atomic():
        _revoke(_verified_refresh_token(refresh_token))
