"""Sending text messages, through a backend chosen by ``BIZCENTER_SMS_BACKEND``.

Mirrors Django's email backends: a file backend by default (one JSON file per
message in the data folder), an in-memory one for tests, and Twilio.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class SmsBackend(Protocol):
    def send(self, to: str, body: str) -> None: ...


class FileSmsBackend:
    def send(self, to: str, body: str) -> None:
        folder = Path(settings.BIZCENTER_SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{timezone.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}.json"
        (folder / name).write_text(json.dumps({"to": to, "body": body}, indent=2))


sent: list[dict[str, str]] = []


class LocmemSmsBackend:
    """Keeps messages in ``bizcenter.outbox.sms.sent``, like Django's ``mail.outbox``."""

    def send(self, to: str, body: str) -> None:
        sent.append({"to": to, "body": body})


class TwilioSmsBackend:
    """Twilio's REST API through its official client.

    ``http_client`` is Twilio's own transport hook; tests pass one that records
    the request instead of going over the network.
    """

    def __init__(self, http_client: Any = None) -> None:
        self.http_client = http_client

    def send(self, to: str, body: str) -> None:
        from twilio.rest import Client

        client = Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN,
                        http_client=self.http_client)
        client.messages.create(to=to, from_=settings.TWILIO_FROM_NUMBER, body=body)


def get_backend() -> SmsBackend:
    backend: SmsBackend = import_string(settings.BIZCENTER_SMS_BACKEND)()
    return backend
