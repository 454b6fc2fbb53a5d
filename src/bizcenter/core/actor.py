"""Who is acting, and from where: passed into every service by its door."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bizcenter.accounts.models import User


@dataclass(frozen=True)
class Actor:
    user: User | None
    ip: str | None = None
    via: str = "system"
    # Acting through a read-only API token: the doors refuse its writes by HTTP method;
    # services refuse the reads that hand out a secret (an invitation link).
    read_only: bool = False

    @classmethod
    def system(cls, via: str = "system") -> Actor:
        return cls(user=None, via=via)

    @property
    def label(self) -> str:
        return self.user.label if self.user else f"system ({self.via})"
