"""A person: one login, their own credentials, reachable by email and/or phone.

An address counts only once its owner has proven it (``accounts.verification``):
until then several accounts may claim it, and none of them may use it to accept an
invitation. Once proven it belongs to one account alone, which the database
enforces with a unique index over verified addresses only.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone

from bizcenter.accounts.addresses import Address, AddressKind
from bizcenter.accounts.sealed import SealedCharField


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
        """The account that answers to this address: the one that proved it, else the
        newest of those that claim it without proof (a sign-up waiting for its code)."""
        field = address.kind.value
        return (self.filter(**{field: address.value})
                .order_by(models.F(f"{field}_verified_at").desc(nulls_last=True),
                          "-date_joined", "-pk").first())

    def owner_of(self, address: Address) -> User | None:
        """The one account that proved this address, if any."""
        field = address.kind.value
        return self.filter(**{field: address.value,
                              f"{field}_verified_at__isnull": False}).first()


class User(AbstractBaseUser, PermissionsMixin):
    # Unique once verified (see Meta): an unproven claim must not keep the address's
    # real owner out. NULL, not "", is "no such address", so the index skips it.
    email = models.EmailField(null=True, blank=True, db_index=True)  # noqa: DJ001
    phone = models.CharField(max_length=20, null=True, blank=True, db_index=True)  # noqa: DJ001
    # When the address was proven with a code or link sent to it (or vouched for by
    # the operator, who made the account). None: claimed, not proven.
    email_verified_at = models.DateTimeField(null=True, blank=True)
    phone_verified_at = models.DateTimeField(null=True, blank=True)
    # Accounts from before addresses were proven keep working, and prove one at
    # their next log-in; until then a reset link that proves the address also
    # removes a 2-step set-up that nobody proved the address for.
    verify_at_next_login = models.BooleanField(default=False)
    # Sessions that began before this moment are over ("sign out everywhere",
    # a password reset).
    sessions_valid_after = models.DateTimeField(null=True, blank=True)
    name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # 2-step verification (TOTP). The secret is set when set-up starts and
    # counts only once a first code confirmed it. Encrypted at rest under a key from
    # SECRET_KEY (accounts/sealed.py): plain here, a Fernet token in the column.
    totp_secret = SealedCharField(max_length=255, blank=True)
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
            models.UniqueConstraint(fields=["email"], condition=Q(email_verified_at__isnull=False),
                                    name="one_owner_per_verified_email"),
            models.UniqueConstraint(fields=["phone"], condition=Q(phone_verified_at__isnull=False),
                                    name="one_owner_per_verified_phone"),
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
        """Claims it, proven or not."""
        mine = self.email if address.kind is AddressKind.EMAIL else self.phone
        return mine == address.value

    def verified(self, kind: AddressKind | str) -> bool:
        field = "email_verified_at" if kind == AddressKind.EMAIL else "phone_verified_at"
        return getattr(self, field) is not None

    def has_verified_address(self, address: Address) -> bool:
        return self.has_address(address) and self.verified(address.kind)

    @property
    def is_verified(self) -> bool:
        """Has proven at least one of its addresses (or the operator vouched)."""
        return self.email_verified_at is not None or self.phone_verified_at is not None

    @property
    def needs_proof(self) -> bool:
        """Must prove an address before going on: never proven, or from before proof."""
        return self.verify_at_next_login or not self.is_verified

    @property
    def shown_as(self) -> str:
        """How the account is named on its own pages: its name, else its address."""
        return self.name or self.shown_address

    @property
    def shown_address(self) -> str:
        """The address the account is known by on its own pages: one it proved, else
        the one it claims, masked, since an account made from a forwarded invitation
        link claims an address its holder need not know."""
        claimed = self.addresses()
        for address in claimed:
            if self.verified(address.kind):
                return address.value
        return claimed[0].masked() if claimed else f"user {self.pk}"

    def addresses(self) -> list[Address]:
        return [Address(kind, value) for kind, value in
                ((AddressKind.EMAIL, self.email), (AddressKind.PHONE, self.phone)) if value]


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


class AddressVerification(models.Model):
    """One code (and, for email, one link) sent to prove an address for an account.

    Neither is stored: the row keeps a random nonce, from which the server rebuilds
    the message when it delivers it (HMAC with SECRET_KEY), a keyed hash of the code
    to check what is typed, and the SHA-256 of the link token to find the row. A
    newer code for the same address replaces this one; a few wrong codes end it.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="verifications")
    address_kind = models.CharField(max_length=8, choices=[(k.value, k.value) for k in AddressKind])
    address = models.CharField(max_length=254)
    nonce = models.CharField(max_length=32, unique=True)
    code_hash = models.CharField(max_length=64)
    link_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    wrong_codes = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    replaced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["user", "used_at", "replaced_at"], name="verification_user_live"),
        ]

    def __str__(self) -> str:
        return f"verification of {self.target.masked()} for {self.user_id}"

    @property
    def target(self) -> Address:
        return Address(AddressKind(self.address_kind), self.address)


class WebSession(models.Model):
    """One web log-in of a person, so they can see where they are logged in and end
    it (accounts/sessions.py). Keyed to Django's session by its key, which changes at
    log-in and on a password change and is followed here; ending a row deletes that
    session from the store, so its next request is anonymous."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="web_sessions")
    session_key = models.CharField(max_length=40, db_index=True)
    user_agent = models.CharField(max_length=300, blank=True)
    device = models.CharField(max_length=80, blank=True)  # "Chrome on Linux"
    ip = models.GenericIPAddressField(null=True, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["user", "ended_at"], name="websession_user_live"),
        ]

    def __str__(self) -> str:
        return f"session {self.pk} of {self.user_id} ({self.device})"
