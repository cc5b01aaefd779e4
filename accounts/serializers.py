"""Account request and response shapes: signup, signin, refresh tokens, the user, token bundles."""

from rest_framework import serializers

from api.fields import StrictCharField

from .models import User

# Long enough for any passphrase, short enough that hashing it costs nothing unusual.
PASSWORD_MAX_LENGTH = 256
TOKEN_MAX_LENGTH = 8192


class StrictEmailField(serializers.EmailField):
    """An email address, as a JSON string only, stored and compared in lower case."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data).lower()


def _password_field() -> StrictCharField:
    return StrictCharField(write_only=True, trim_whitespace=False, max_length=PASSWORD_MAX_LENGTH)


class SignUpSerializer(serializers.Serializer):
    """`email`, `password`, optional `name`."""

    email = StrictEmailField(max_length=254)
    password = _password_field()
    name = StrictCharField(max_length=150, required=False, allow_blank=True, default="")


class SignInSerializer(serializers.Serializer):
    """`email`, `password`."""

    email = StrictEmailField(max_length=254)
    password = _password_field()


class RefreshTokenSerializer(serializers.Serializer):
    """`refresh_token` (refresh and signout)."""

    refresh_token = StrictCharField(max_length=TOKEN_MAX_LENGTH)


class UserSerializer(serializers.ModelSerializer):
    """A user as the API shows it."""

    class Meta:
        model = User
        fields = ["id", "email", "name", "created_at"]
        read_only_fields = fields


class TokenBundleSerializer(serializers.Serializer):
    """What signup, signin and refresh return."""

    access_token = serializers.CharField()
    refresh_token = serializers.CharField()
    token_type = serializers.CharField()
    expires_in = serializers.IntegerField()
    user = UserSerializer()
