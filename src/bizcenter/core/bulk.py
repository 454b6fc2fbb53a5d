"""What a bulk action answers: how many rows it changed, and which it skipped and why,
worded for the person who asked ("3 invitations resent; 1 skipped: accepted already")."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.db import transaction

from bizcenter.core.errors import InvalidInput, ServiceError

# A bulk action takes at most one page of the largest page size a list offers.
MAX_ROWS = 100


@dataclass
class Outcome:
    """``done`` are the rows changed (their labels), ``skipped`` the rows left as they
    were, each with its reason in a few words."""

    noun: str  # "invitation", "member"
    verb: str  # "resent", "cancelled", "revoked"
    done: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        n = len(self.done)
        text = f"{n} {self.noun}{'' if n == 1 else 's'} {self.verb}"
        if self.skipped:
            why = Counter(reason for _, reason in self.skipped)
            reasons = (next(iter(why)) if len(why) == 1 else
                       ", ".join(f"{count} {reason}" for reason, count in why.items()))
            text += f"; {len(self.skipped)} skipped: {reasons}"
        return text + "."


def row_ids(ids: Iterable[int | str], noun: str) -> list[int]:
    """The ids a person selected, each once, in their order: a made-up or malformed id
    is refused as a whole, before anything changes."""
    picked: list[int] = []
    for raw in ids:
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise InvalidInput(f"'{raw}' is not the id of a {noun}.",
                               fields={"ids": "not a number"}) from None
        if value not in picked:
            picked.append(value)
    if not picked:
        raise InvalidInput(f"Select at least one {noun} first: tick its box, or the box in "
                           "the header for the whole page.", fields={"ids": "none selected"})
    if len(picked) > MAX_ROWS:
        raise InvalidInput(f"Select at most {MAX_ROWS} {noun}s at a time.",
                           fields={"ids": f"at most {MAX_ROWS}"})
    return picked


def labels(rows: Sequence[str]) -> str:
    return ", ".join(rows)


def each(outcome: Outcome, ids: Iterable[int], act: Callable[[int], str],
         reasons: Mapping[str, str]) -> Outcome:
    """Run ``act`` (the single-row service, answering the row's label) on each row in its
    own savepoint, inside the caller's transaction: a row refused for its own reason
    (``reasons`` words it by the refusal's code) is skipped and leaves the others done;
    a refusal of the person (403) undoes them all."""
    for pk in ids:
        try:
            with transaction.atomic():
                outcome.done.append(act(pk))
        except ServiceError as error:
            if error.status == 403:
                raise
            reason = reasons.get(error.code or "", "") or (
                "not found here" if error.status == 404 else error.message)
            outcome.skipped.append((str(pk), reason))
    return outcome
