"""SMS backends: the file default and Twilio through its official client."""

from __future__ import annotations

import json

import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.http import HttpClient
from twilio.http.response import Response

from bizcenter.outbox.sms import FileSmsBackend, TwilioSmsBackend


class RecordingHttpClient(HttpClient):
    """Twilio's transport hook: answers like Twilio's API without the network."""

    def __init__(self, status: int = 201) -> None:
        super().__init__(logger=None, is_async=False)
        self.status = status
        self.requests: list[dict] = []

    def request(self, method, url, params=None, data=None, headers=None, auth=None,
                timeout=None, allow_redirects=False):
        self.requests.append({"method": method, "url": url, "data": data, "auth": auth})
        if self.status >= 400:
            return Response(self.status, json.dumps({"code": 21211, "message":
                                                     "The 'To' number is not valid."}))
        return Response(self.status, json.dumps({"sid": "SM123", "status": "queued",
                                                 "to": data["To"], "body": data["Body"]}))


@pytest.fixture
def twilio_settings(settings):
    settings.TWILIO_ACCOUNT_SID = "AC" + "0" * 32
    settings.TWILIO_AUTH_TOKEN = "secret-token"
    settings.TWILIO_FROM_NUMBER = "+15005550006"
    return settings


def test_twilio_backend_sends_through_the_messages_api(twilio_settings):
    http = RecordingHttpClient()
    TwilioSmsBackend(http_client=http).send("+14155550123", "You're invited")
    [request] = http.requests
    assert request["method"] == "POST"
    assert request["url"].endswith(f"/Accounts/{twilio_settings.TWILIO_ACCOUNT_SID}/Messages.json")
    assert request["data"] == {"To": "+14155550123", "From": "+15005550006",
                               "Body": "You're invited"}
    assert request["auth"] == (twilio_settings.TWILIO_ACCOUNT_SID, "secret-token")


def test_twilio_refusal_raises_so_the_outbox_retries(twilio_settings):
    with pytest.raises(TwilioRestException):
        TwilioSmsBackend(http_client=RecordingHttpClient(status=400)).send("+1", "hi")


def test_file_backend_writes_one_json_file_per_message(settings, tmp_path):
    settings.BIZCENTER_SMS_FILE_PATH = tmp_path / "sms"
    FileSmsBackend().send("+14155550123", "hello")
    FileSmsBackend().send("+14155550124", "again")
    files = sorted((tmp_path / "sms").glob("*.json"))
    assert sorted(json.loads(f.read_text())["to"] for f in files) == [
        "+14155550123", "+14155550124"]
