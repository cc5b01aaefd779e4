"""Auth endpoints: parse the body, call a service, shape the answer."""

from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .authentication import SubClaimJWTAuthentication
from .serializers import (
    RefreshTokenSerializer,
    SignInSerializer,
    SignUpSerializer,
    TokenBundleSerializer,
    UserSerializer,
)
from .services import token_refresh, token_revoke, tokens_for_user, user_sign_in, user_sign_up
from .throttling import AuthRateThrottle


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _bundle(bundle: dict, message: str, code: int = status.HTTP_200_OK) -> Response:
    response = Response(TokenBundleSerializer(bundle).data, status=code)
    response.envelope_message = message
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

    def post(self, request):
        user = user_sign_up(**_valid(SignUpSerializer, request))
        return _bundle(tokens_for_user(user=user), "Account created", status.HTTP_201_CREATED)


class SignInView(PublicAuthView):
    """POST: exchange an email and password for tokens."""

    throttle_classes = [AuthRateThrottle]
    throttle_scope = "signin"

    def post(self, request):
        user = user_sign_in(**_valid(SignInSerializer, request))
        return _bundle(tokens_for_user(user=user), "Signed in")


class RefreshView(PublicAuthView):
    """POST: a new token bundle for a refresh token, which is used up."""

    def post(self, request):
        return _bundle(token_refresh(**_valid(RefreshTokenSerializer, request)), "Token refreshed")


class SignOutView(PublicAuthView):
    """POST: revoke a refresh token."""

    def post(self, request):
        token_revoke(**_valid(RefreshTokenSerializer, request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    """GET: the caller."""

    def get(self, request):
        response = Response(UserSerializer(request.user).data)
        response.envelope_message = "User retrieved"
        return response
