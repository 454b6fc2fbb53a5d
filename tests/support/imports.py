"""Address files as people upload them."""

from __future__ import annotations


def csv_of(addresses: list[str], header: str | None = "name,email") -> bytes:
    rows = [header] if header else []
    rows += [f"Person {i},{a}" if header else a for i, a in enumerate(addresses)]
    return "\n".join(rows).encode()
