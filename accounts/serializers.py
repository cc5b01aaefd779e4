"""Account request and response shapes: signup, signin, refresh tokens, the user, token bundles."""

from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import serializers

from api.fields import StrictCharField

from .models import User
from .tokens import MAX_TOKEN_LENGTH

# Long enough for any passphrase, short enough that hashing it costs nothing unusual.
PASSWORD_MAX_LENGTH = 256


class StrictEmailField(serializers.EmailField):
    """An email address, as a JSON string only, stored and compared in lower case."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data).lower()


class PasswordField(StrictCharField):
    """A password as sent: any string up to PASSWORD_MAX_LENGTH, never trimmed."""

    def __init__(self, **kwargs):
        kwargs.update(write_only=True, trim_whitespace=False, max_length=PASSWORD_MAX_LENGTH)
        super().__init__(**kwargs)


class SignUpSerializer(serializers.Serializer):
    """`email`, `password`, optional `name`."""

    email = StrictEmailField(max_length=254)
    password = PasswordField()  # user_sign_up checks it with AUTH_PASSWORD_VALIDATORS
    name = StrictCharField(max_length=150, required=False, allow_blank=True, default="")


class SignUpSchema(OpenApiSerializerExtension):
    """OpenAPI: a new password must pass the password validators: say so, and their length."""

    target_class = SignUpSerializer

    def map_serializer(self, auto_schema, direction):
        from django.contrib.auth import password_validation

        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        validators = password_validation.get_default_password_validators()
        rules = " ".join(str(text) for text in password_validation.password_validators_help_texts())
        schema["properties"]["password"].update(
            minLength=max([1, *(getattr(v, "min_length", 1) for v in validators)]),
            description=f"Checked by the server's password rules (else 422): {rules}",
        )
        return schema


class SignInSerializer(serializers.Serializer):
    """`email`, `password`."""

    email = StrictEmailField(max_length=254)
    password = PasswordField()


class RefreshTokenSerializer(serializers.Serializer):
    """`refresh_token` (refresh and signout)."""

    refresh_token = StrictCharField(max_length=MAX_TOKEN_LENGTH)


class UserSerializer(serializers.ModelSerializer):
    """A user as the API shows it."""

    id = serializers.CharField(read_only=True, max_length=255)  # the token's `sub`

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
