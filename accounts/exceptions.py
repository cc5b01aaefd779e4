"""What accounts and tokens refuse, each with its contract code (api.errors does the rest)."""

from api.errors import (
    AuthenticationError,
    Conflict,
    Forbidden,
    InvalidParameter,
    ServiceUnavailable,
)


class InvalidToken(AuthenticationError):
    """A token that is not a valid access (or, for refresh and signout, refresh) token; its
    `reason` (api.errors.AUTH_REASONS) says why."""

    default_code = "INVALID_TOKEN"


class AccountDisabled(AuthenticationError):
    """A valid token or password of a user marked inactive."""

    default_code = "ACCOUNT_DISABLED"


class InvalidCredentials(AuthenticationError):
    """Signin with an unknown email or a wrong password: one message for both."""

    default_code = "INVALID_CREDENTIALS"


class EmailTaken(Conflict):
    default_detail = "An account with this email already exists."


class NotYourUserId(Forbidden):
    """`{user_id}` in the path is another id (403 whether or not that user exists)."""

    default_detail = "You can only access your own tasks."


class InvalidUserId(InvalidParameter):
    default_detail = {
        "user_id": ["Must be 1 to 255 characters without control characters (the user's id)."]
    }


class IssuerUnavailable(ServiceUnavailable):
    """The issuer's key set cannot be had (unreachable, too slow, or not a key set): a 503."""

    default_detail = "The token issuer cannot be reached; try again shortly."
    wait = 1  # Retry-After: a new fetch may start a second after the last one


class SignInUnavailable(ServiceUnavailable):
    """The throttle's shared cache is down: sign-in without its brute-force limit is not on."""

    default_detail = "Sign-in is temporarily unavailable; try again shortly."
