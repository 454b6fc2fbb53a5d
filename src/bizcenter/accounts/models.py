"""A person: one login, their own credentials, reachable by email and/or phone."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone

from bizcenter.accounts.addresses import Address, AddressKind


class UserManager(BaseUserManager["User"]):
    def create_user(
        self,
        email: str | None = None,
        password: str | None = None,
        *,
        phone: str | None = None,
        **extra: Any,
    ) -> User:
        """Raw creation for Django's own tooling; product code uses accounts.services."""
        user = self.model(email=email or None, phone=phone or None, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str, **extra: Any) -> User:
        return self.create_user(email, password, is_staff=True, is_superuser=True, **extra)

    def by_address(self, address: Address) -> User | None:
        field = "email" if address.kind is AddressKind.EMAIL else "phone"
        return self.filter(**{field: address.value}).first()


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(unique=True, null=True, blank=True)
    phone = models.CharField(max_length=20, unique=True, null=True, blank=True)
    name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # 2-step verification (TOTP). The secret is set when set-up starts and
    # counts only once a first code confirmed it.
    totp_secret = models.CharField(max_length=64, blank=True)
    totp_confirmed_at = models.DateTimeField(null=True, blank=True)
    # The time step of the last code accepted: a code works once, even within the
    # window it is valid in (someone watching the screen cannot use it after you).
    totp_last_step = models.BigIntegerField(null=True, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects = UserManager()

    class Meta:
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(email__isnull=False) | Q(phone__isnull=False),
                name="user_has_email_or_phone",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        contact = self.email or self.phone or f"user {self.pk}"
        return f"{self.name} <{contact}>" if self.name else contact

    @property
    def has_two_factor(self) -> bool:
        return self.totp_confirmed_at is not None

    def has_address(self, address: Address) -> bool:
        mine = self.email if address.kind is AddressKind.EMAIL else self.phone
        return mine == address.value


class RecoveryCode(models.Model):
    """A single-use code for when the authenticator is lost; stored hashed."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"recovery code of {self.user_id}"


class ApiToken(models.Model):
    """A personal API token: one Business Center, optionally read-only, optionally expiring.

    Only a SHA-256 of the secret is kept; the clear token is shown once. A token
    carries no rights of its own: every call acts as its owner, with the access
    the owner has at that moment, narrowed to the token's Business Center.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    center = models.ForeignKey("centers.BusinessCenter", on_delete=models.CASCADE,
                               related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)  # shown in lists; finds the row
    secret_hash = models.CharField(max_length=64)
    read_only = models.BooleanField(default=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"token {self.prefix} of {self.user_id}"
