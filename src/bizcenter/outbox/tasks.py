"""Background tasks of the outbox (run by ``bizcenter worker`` or ``bizcenter serve``)."""

from __future__ import annotations

from django_tasks import task

from bizcenter.outbox import services


@task()
def deliver_messages(message_ids: list[int]) -> dict[str, int]:
    outcome: dict[str, int] = {}
    for message_id in message_ids:
        state = services.deliver(message_id)
        outcome[state] = outcome.get(state, 0) + 1
    return outcome
