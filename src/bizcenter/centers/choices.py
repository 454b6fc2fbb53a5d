"""The vocabulary of access, shared by memberships and invitations."""

from __future__ import annotations

from collections.abc import Iterable

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


def billing_access(
    modules: Iterable[str],
    finance_role: str | None,
    *,
    role: str = Role.STANDARD,
    before: Iterable[str] | None = None,
    modules_named: bool = True,
    finance_named: bool = False,
) -> tuple[list[str], str]:
    """The one rule for billing access: a Standard member's (or invitation's) modules hold
    BILLING exactly when it has a finance role. Returns ``(modules, finance_role)``.

    Every service that writes modules or a finance role passes the result through here:

    - a finance role (Analyst views billing, Manager changes it) brings the Billing module;
    - the Billing module asked for without a finance role is Finance Analyst, the least
      power that shows billing;
    - an edit that takes the Billing module away (``before`` held it) without naming a
      finance role takes the finance role away too;
    - a contradiction in one call (Billing left out of the modules named, a finance role
      named; or Billing named with the finance role named as none) goes the finance
      role's way: it is the more specific;
    - Billing held without a finance role and not asked for in this call (an Admin made
      Standard keeps its modules) is dropped: Admins see billing as Admins, not through it.

    Admins see and change billing whatever they hold; their rows list every module, and
    a finance role kept for them still brings the module.
    """
    mods = set(modules_list(list(modules)))
    finance = choice(FinanceRole, finance_role, "finance_role")
    if role == Role.ADMIN:
        if finance:
            mods.add(Module.BILLING)
        return sorted(mods), finance
    if (finance and not finance_named and before is not None
            and Module.BILLING in before and Module.BILLING not in mods):
        finance = FinanceRole.NONE
    if finance:
        mods.add(Module.BILLING)
    elif Module.BILLING in mods:
        if modules_named and not finance_named:
            finance = FinanceRole.ANALYST
        else:
            mods.discard(Module.BILLING)
    return sorted(mods), finance
