"""The user: its id (the token's `sub`), an optional case-insensitively unique email, a name."""

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower

from .ids import MAX_LENGTH, new_user_id


class UserManager(BaseUserManager):
    """Email-based users; lazily created users have no email and no usable password."""

    use_in_migrations = True

    def _create(self, email, password, **extra):
        email = self.normalize_email(email) if email else None
        user = self.model(email=email.lower() if email else None, **extra)
        user.set_password(password) if password else user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class User(AbstractUser):
    """A person: created by signup, or lazily from the first valid token with a new `sub`."""

    # The token's `sub` as the issuer wrote it (accounts.ids); a new UUID for signups here.
    # The primary key itself, so a task's `user_id` is the public id without a join.
    id = models.CharField(
        primary_key=True, max_length=MAX_LENGTH, default=new_user_id, editable=False
    )
    username = None
    first_name = None
    last_name = None
    date_joined = None
    email = models.EmailField("email address", max_length=254, unique=True, null=True, blank=True)
    name = models.CharField(max_length=150, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # Case-insensitive uniqueness in the database (NULLs, i.e. lazy users, may repeat).
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_ci_unique",
                violation_error_message=("A user with this email already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.email or f"{self.name or 'user'} ({self.id})"

    def clean(self):
        super().clean()
        if self.email:
            self.email = self.email.strip().lower()
