"""The vocabulary of access, shared by memberships and invitations."""

from __future__ import annotations

from django.db import models

from bizcenter.core.errors import InvalidInput


class Role(models.TextChoices):
    ADMIN = "ADMIN", "Admin"
    STANDARD = "STANDARD", "Standard"


class FinanceRole(models.TextChoices):
    NONE = "", "None"
    MANAGER = "MANAGER", "Finance Manager"
    ANALYST = "ANALYST", "Finance Analyst"


class PartnerKind(models.TextChoices):
    AGENCY = "agency", "Agency"
    MANAGER = "manager", "Manager"
    EMPLOYEE = "employee", "Employee"
    INFLUENCER = "influencer", "Influencer"
    CLIENT = "client", "Client"
    OTHER = "other", "Other"


class TwoFactorPolicy(models.TextChoices):
    NOBODY = "NOBODY", "Nobody"
    ADMINS = "ADMINS", "Admins"
    EVERYONE = "EVERYONE", "Everyone"


class MemberStatus(models.TextChoices):
    """What a membership amounts to now. Only ACTIVE and REVOKED are stored; EXPIRED is an
    ACTIVE row past its end time, derived when read so that no job has to flip it."""

    ACTIVE = "ACTIVE", "Active"
    EXPIRED = "EXPIRED", "Expired"
    REVOKED = "REVOKED", "Revoked"


class Module(models.TextChoices):
    ANALYTICS = "ANALYTICS", "Analytics"
    CAMPAIGNS = "CAMPAIGNS", "Campaigns"
    ASSETS = "ASSETS", "Assets"
    BILLING = "BILLING", "Billing"


def choice(enum: type[models.TextChoices], value: str | None, field: str) -> str:
    """Accept a choice in any letter case; refuse anything else, listing what is allowed."""
    text = (value or "").strip()
    for option in enum.values:
        if option.lower() == text.lower():
            return option
    allowed = ", ".join(v or "(none)" for v in enum.values)
    raise InvalidInput(
        f"'{value}' is not a valid {field.replace('_', ' ')}. Use one of: {allowed}.",
        fields={field: f"one of {allowed}"},
    )


def modules_list(values: list[str] | tuple[str, ...] | str | None) -> list[str]:
    """Modules as a sorted list without repeats; a comma-separated string is accepted."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [v for v in values.split(",") if v.strip()]
    return sorted({choice(Module, v, "module") for v in values})
