"""Token verification: choose the key, check the signature and the claims, say why a token fails.

One code path for every token: the API's auth class, the refresh and signout endpoints (and
anything else that takes a bearer token) call these functions, which raise InvalidToken with
the contract's `reason` (api.errors.AUTH_REASONS), or IssuerUnavailable (503) when the
issuer's keys cannot be had.
"""

import functools
import time
from types import MappingProxyType

import jwt
from django.conf import settings

from .exceptions import InvalidToken
from .ids import canonical_user_id

# Never `none`, and HS* only with our shared secret: the algorithm picks the key, not the token.
SHARED_SECRET_ALGORITHMS = frozenset({"HS256"})
ASYMMETRIC_ALGORITHMS = frozenset({"EdDSA", "ES256", "RS256"})
MAX_TOKEN_LENGTH = 8192
INVALID_SUBJECT = (
    "Token 'sub' claim must be a string of 1 to 255 characters without control characters "
    "or '/' (it is the user's id)."
)
NOT_ACCEPTED = (
    "Token algorithm is not accepted (accepted: HS256; EdDSA, ES256, RS256 from the JWKS)."
)


def _named(value: object) -> str:
    """A claim value quoted for a message, cut short: the sender's own data, never long."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _expected(claim: str, expected: str, raw: str) -> str:
    """A wrong-`iss`/`aud` message naming the value this server expects, and the one it got."""
    got = jwt.decode(raw, options={"verify_signature": False}).get(claim[:3])
    return f"Token has the wrong {claim}: expected {expected!r}, got {_named(got)}."


def _failure(exc: jwt.PyJWTError, raw: str) -> InvalidToken:
    """PyJWT's exception as the contract's reason and a message that helps fix it."""
    if isinstance(exc, jwt.ExpiredSignatureError):
        return InvalidToken("Token has expired.", reason="expired")
    if isinstance(exc, jwt.ImmatureSignatureError):
        return InvalidToken("Token is not yet valid (nbf or iat is in the future).",
                            reason="not_yet_valid")  # fmt: skip
    if isinstance(exc, jwt.InvalidIssuerError):
        message = _expected("issuer", settings.JWT_ISSUER, raw)
        return InvalidToken(message, reason="wrong_issuer")
    if isinstance(exc, jwt.InvalidAudienceError):
        message = _expected("audience", settings.JWT_AUDIENCE, raw)
        return InvalidToken(message, reason="wrong_audience")
    if isinstance(exc, jwt.MissingRequiredClaimError):
        return InvalidToken(f"Token is missing the '{exc.claim}' claim.", reason="missing_claim")
    if isinstance(exc, jwt.InvalidSignatureError):
        return InvalidToken("Token signature is invalid.", reason="bad_signature")
    if isinstance(exc, jwt.exceptions.InvalidSubjectError):  # PyJWT: `sub` is not a string
        return InvalidToken(INVALID_SUBJECT, reason="invalid_subject")
    if isinstance(exc, jwt.DecodeError | jwt.InvalidIssuedAtError) and str(exc):
        return InvalidToken(f"Token is malformed: {exc}", reason="malformed")
    return InvalidToken("Token is malformed.", reason="malformed")


def _signing_key(header: dict, *, refresh: bool):
    """The key that may verify a token with this header (the JWKS seam for asymmetric tokens)."""
    alg = header.get("alg")
    if not isinstance(alg, str):  # a list or an object is unhashable: a 500 before this check
        raise InvalidToken(NOT_ACCEPTED, reason="algorithm_not_allowed")
    if alg in SHARED_SECRET_ALGORITHMS:
        return settings.BETTER_AUTH_SECRET
    if refresh:  # refresh tokens are ours alone: never fetch an issuer's keys for one
        raise InvalidToken("Not a refresh token.", reason="not_refresh_token")
    if alg in ASYMMETRIC_ALGORITHMS and settings.JWT_JWKS_URL:
        from .jwks import jwks_signing_key  # only deployments with a JWKS need it

        return jwks_signing_key(header)
    if alg in ASYMMETRIC_ALGORITHMS:
        raise InvalidToken(
            f"Token algorithm {alg} needs the issuer's public keys, and JWT_JWKS_URL is not set "
            "on this server (only HS256 tokens are accepted).",
            reason="algorithm_not_allowed",
        )
    raise InvalidToken(NOT_ACCEPTED, reason="algorithm_not_allowed")


def _decode(raw: str, *, refresh: bool = False) -> dict:
    """Verified claims of a token of either kind; InvalidToken (with a reason) otherwise."""
    if len(raw) > MAX_TOKEN_LENGTH:
        raise InvalidToken("Token is too long.", reason="malformed")
    try:
        header = jwt.get_unverified_header(raw)
    except jwt.PyJWTError:
        raise InvalidToken("Token is malformed.", reason="malformed") from None
    key = _signing_key(header, refresh=refresh)
    try:
        claims = jwt.decode(
            raw,
            key,
            algorithms=[header["alg"]],
            leeway=settings.JWT_LEEWAY_SECONDS,
            issuer=settings.JWT_ISSUER,
            audience=settings.JWT_AUDIENCE,
            options={
                "require": ["exp", "sub", "jti"] if refresh else ["exp", "sub"],
                "verify_aud": bool(settings.JWT_AUDIENCE),
            },
        )
    except jwt.PyJWTError as exc:
        raise _failure(exc, raw) from None
    if isinstance(claims["exp"], bool) or not isinstance(claims["exp"], int | float):
        # A NumericDate: PyJWT also takes "9999999999" (then a 500 in the expiry arithmetic).
        raise InvalidToken("Token is malformed: 'exp' must be a number.", reason="malformed")
    if canonical_user_id(claims["sub"]) is None:
        raise InvalidToken(INVALID_SUBJECT, reason="invalid_subject")
    return claims


def verify_access_token(raw: str) -> MappingProxyType:
    """Verified claims of an access token; InvalidToken for every way a token can be bad.

    A token that verified once is remembered (per process, with the configuration it was
    checked under) until it expires: a client sends the same token on every request, and
    parsing plus signature checking was a tenth of a small request's time. Only successes
    are remembered, keyed by the exact token text, so a changed byte is verified afresh.
    """
    config = (
        settings.BETTER_AUTH_SECRET,
        settings.JWT_JWKS_URL,
        settings.JWT_ISSUER,
        settings.JWT_AUDIENCE,
        settings.JWT_LEEWAY_SECONDS,
    )
    claims = _verify_cached(raw, config)
    if claims["exp"] + settings.JWT_LEEWAY_SECONDS < time.time():
        raise InvalidToken("Token has expired.", reason="expired")
    return claims


@functools.lru_cache(maxsize=4096)
def _verify_cached(raw: str, config: tuple) -> MappingProxyType:
    # `config` is only part of the cache key: a settings change never reuses an old verdict.
    claims = _decode(raw)
    if claims.get("token_type", "access") != "access":
        raise InvalidToken(
            "A refresh token cannot be used as an access token.", reason="refresh_token"
        )
    return MappingProxyType(claims)


def verify_refresh_token(raw: str) -> dict:
    """Verified claims of a refresh token this server issued (the blacklist is the caller's)."""
    claims = _decode(raw, refresh=True)
    if claims.get("token_type") != "refresh":
        raise InvalidToken("Not a refresh token.", reason="not_refresh_token")
    return claims


def subject(claims) -> str:
    """The user's id of verified claims: `sub`, a UUID in lower case (accounts.ids)."""
    return canonical_user_id(claims["sub"])
