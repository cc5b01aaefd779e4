"""Auth endpoints: parse the body, call a service, shape the answer; documented by decorators."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .authentication import SubClaimJWTAuthentication
from .exceptions import AccountDisabled, EmailTaken, InvalidCredentials, InvalidToken
from .serializers import (
    RefreshTokenSerializer,
    SignInSerializer,
    SignUpSerializer,
    TokenBundleSerializer,
    UserSerializer,
)
from .services import token_refresh, token_revoke, tokens_for_user, user_sign_in, user_sign_up
from .throttling import AuthRateThrottle

# --- OpenAPI examples and links ---------------------------------------------------------------

USER = {
    "id": "3f2b6c1e-8a4d-4c1b-9a57-0d6f2f1e9b10",
    "email": "alice@example.com",
    "name": "Alice",
    "created_at": "2025-01-30T18:00:00.000000Z",
}
BUNDLE = {
    "access_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIuLi4ifQ.c2lnbmF0dXJl",
    "refresh_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoicmVmcmVzaCJ9.c2ln",
    "token_type": "Bearer",
    "expires_in": 3600,
    "user": USER,
}
CREDENTIALS = {"email": "alice@example.com", "password": "correct horse battery staple"}
REFRESH = {"refresh_token": BUNDLE["refresh_token"]}
# A token bundle's refresh token is the body of refresh and signout.
TOKEN_LINKS = {
    name: {
        "operationId": operation_id,
        "requestBody": {"refresh_token": "$response.body#/data/refresh_token"},
        "description": f"`{operation_id}` with the refresh token in this response.",
    }
    for name, operation_id in {"RefreshTokens": "auth_refresh", "SignOut": "auth_signout"}.items()
}


def _docs(operation_id: str, summary: str, *, sends=None, answers=None, **schema):
    """`extend_schema` for an auth operation: (name, body) examples of what is sent and answered."""
    examples = [OpenApiExample(*sends, request_only=True)] if sends else []
    examples += [OpenApiExample(*answers, response_only=True)] if answers else []
    if answers and answers[1] is BUNDLE:
        schema["extensions"] = {"x-links": TOKEN_LINKS}
    return extend_schema(operation_id=operation_id, summary=summary, examples=examples, **schema)


# --- Views ------------------------------------------------------------------------------------


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _bundle(bundle: dict, code: int = status.HTTP_200_OK) -> Response:
    response = Response(TokenBundleSerializer(bundle).data, status=code)
    # Tokens never go into a cache, shared or the browser's (RFC 6749 5.1).
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


class PublicAuthView(APIView):
    """No token needed (an Authorization header is ignored); failures are still 401s."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    def get_authenticate_header(self, request):
        # DRF turns a 401 into a 403 when a view has no authenticator to name in the header.
        return SubClaimJWTAuthentication().authenticate_header(request)


class SignUpView(PublicAuthView):
    """POST: create an account and sign it in."""

    throttle_classes = [AuthRateThrottle]
    throttle_scope = "signup"
    messages = {"post": "Account created"}

    @_docs(
        "auth_signup",
        "Create an account",
        sends=("Sign up", {**CREDENTIALS, "name": "Alice"}),
        answers=("Tokens", BUNDLE),
        request=SignUpSerializer,
        responses={201: TokenBundleSerializer, 409: EmailTaken},
    )
    def post(self, request):
        user = user_sign_up(**_valid(SignUpSerializer, request))
        return _bundle(tokens_for_user(user=user), status.HTTP_201_CREATED)


class SignInView(PublicAuthView):
    """POST: exchange an email and password for tokens."""

    throttle_classes = [AuthRateThrottle]
    throttle_scope = "signin"
    messages = {"post": "Signed in"}

    @_docs(
        "auth_signin",
        "Sign in with email and password",
        sends=("Sign in", CREDENTIALS),
        answers=("Tokens", BUNDLE),
        request=SignInSerializer,
        responses={200: TokenBundleSerializer, 401: [InvalidCredentials, AccountDisabled]},
    )
    def post(self, request):
        user = user_sign_in(**_valid(SignInSerializer, request))
        return _bundle(tokens_for_user(user=user))


class RefreshView(PublicAuthView):
    """POST: a new token bundle for a refresh token, which is used up."""

    messages = {"post": "Token refreshed"}

    @_docs(
        "auth_refresh",
        "Exchange a refresh token for new tokens (the old one stops working)",
        sends=("Refresh", REFRESH),
        answers=("Tokens", BUNDLE),
        request=RefreshTokenSerializer,
        responses={200: TokenBundleSerializer, 401: [InvalidToken, AccountDisabled]},
    )
    def post(self, request):
        return _bundle(token_refresh(**_valid(RefreshTokenSerializer, request)))


class SignOutView(PublicAuthView):
    """POST: revoke a refresh token."""

    @_docs(
        "auth_signout",
        "Revoke a refresh token",
        sends=("Sign out", REFRESH),
        request=RefreshTokenSerializer,
        responses={204: None, 401: InvalidToken},
    )
    def post(self, request):
        token_revoke(**_valid(RefreshTokenSerializer, request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    """GET: the caller."""

    messages = {"get": "User retrieved"}

    @_docs("auth_me", "The signed-in user", answers=("Me", USER), responses={200: UserSerializer})
    def get(self, request):
        return Response(UserSerializer(request.user).data)
