"""Never a 500 on input (issue 19): JSON nested 50,000 levels, lone surrogates and NUL,
sent to every door in every content type, are a 400 in the door's own shape, naming the
field. Runs on SQLite and on PostgreSQL (DATABASE_URL), where NUL in text is an error."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client, RequestFactory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bizcenter.accounts.tokens import create_token
from bizcenter.assets.services import create_asset
from bizcenter.campaigns.models import Campaign
from bizcenter.compat.urls import ROUTES
from bizcenter.core.hostile import MAX_JSON_DEPTH, NUL, HostileInputMiddleware, check_depth
from bizcenter.web.views import server_error
from tests.support.forms import FORMS

pytestmark = pytest.mark.usefixtures("quick_hashing")

DEEP = "[" * 50_000 + "]" * 50_000
SURROGATE_JSON = '"bad\\ud800value"'  # how JSON writes a lone surrogate: valid JSON text
PROPERTY = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def world(owner, center, as_owner) -> dict[str, Any]:
    ads = create_asset(as_owner, center, type="ADVERTISER", name="Main ads")
    return {"center": center.pk, "ads": ads.pk, "token": create_token(as_owner, center, "t").secret}


def _api(world: dict[str, Any]) -> Client:
    return Client(headers={"Authorization": f"Bearer {world['token']}"})


def _compat(world: dict[str, Any]) -> Client:
    return Client(headers={"Access-Token": world["token"]})


def _api_error(response, status: int = 400) -> dict[str, Any]:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    error = json.loads(response.content)["error"]
    assert set(error) == {"code", "message", "fields"} and error["message"]
    return error


def _compat_refusal(response) -> str:
    assert response.status_code == 200
    answer = response.json()
    assert set(answer) == {"code", "message", "request_id", "data"}
    assert answer["code"] == 40002, answer
    return answer["message"]


# -- JSON nested 50,000 levels ------------------------------------------------------------


def test_deep_json_to_log_in_is_a_400_page(db):
    response = Client().post("/login/", DEEP, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert f"more than {MAX_JSON_DEPTH} levels" in response.content.decode()


def test_deep_json_to_a_rest_endpoint_is_a_400_json_error(world):
    response = _api(world).post(f"/api/v1/centers/{world['center']}/asset-groups",
                                '{"name": ' + DEEP + "}", content_type="application/json")
    error = _api_error(response)
    assert error["code"] == "too_deep" and "64 levels" in error["message"]


@pytest.mark.parametrize("content_type", ["application/json", "text/plain"])
def test_deep_json_to_the_compatible_api_is_a_40002(world, content_type):
    response = _compat(world).post("/open_api/v1.3/bc/asset_group/create/",
                                   '{"bc_id": "1", "asset_group_name": ' + DEEP + "}",
                                   content_type=content_type)
    assert "levels deep" in _compat_refusal(response)


def test_deep_json_in_a_compatible_query_parameter_is_a_40002(world):
    response = _compat(world).get(f"/open_api/v1.3/bc/asset/get/?bc_id={world['center']}"
                                  f"&asset_type=ADVERTISER&filtering={quote(DEEP)}")
    assert "levels deep" in _compat_refusal(response)


def test_brackets_inside_strings_are_not_nesting():
    check_depth(json.dumps({"name": "[" * 10_000, "q": '\\"[{' * 1000}).encode())


def test_json_as_deep_as_the_limit_is_still_read(world):
    body = {"name": "Deep", "extra": json.loads("[" * (MAX_JSON_DEPTH - 1) + "]" *
                                                 (MAX_JSON_DEPTH - 1))}
    response = _api(world).post(f"/api/v1/centers/{world['center']}/asset-groups",
                                json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content


# -- lone surrogates ---------------------------------------------------------------------


def test_a_surrogate_in_a_campaign_name_via_rest_is_a_400_naming_it(world):
    body = (f'{{"advertiser_id": "{world["ads"]}", "name": {SURROGATE_JSON}, '
            '"objective": "TRAFFIC", "budget": "100"}')
    response = _api(world).post(f"/api/v1/centers/{world['center']}/campaigns", body,
                                content_type="application/json")
    error = _api_error(response)
    assert error["code"] == "invalid_input" and "surrogate" in error["fields"]["name"]
    assert not Campaign.objects.exists()


def test_a_surrogate_in_a_top_up_note_via_rest_is_a_400_naming_it(world):
    response = _api(world).post(f"/api/v1/centers/{world['center']}/billing/top-ups",
                                '{"amount": "10", "note": ' + SURROGATE_JSON + "}",
                                content_type="application/json")
    assert set(_api_error(response)["fields"]) == {"note"}


def test_a_surrogate_in_a_web_form_is_refused_or_never_reaches_the_database(client, owner,
                                                                              world):
    """A form is decoded by Django with errors="replace": the UTF-8 bytes of a surrogate
    arrive as U+FFFD, which is stored. Sent as JSON to the same page, it is a 400."""
    client.force_login(owner)
    url = f"/c/{world['center']}/campaigns/new/"
    form = (f"advertiser={world['ads']}&name=a%ED%A0%80b&objective=TRAFFIC"
            "&budget_mode=BUDGET_MODE_DAY&budget=100")
    response = client.post(url, form, content_type="application/x-www-form-urlencoded")
    assert response.status_code in (200, 302, 400)
    for name in Campaign.objects.values_list("name", flat=True):
        name.encode("utf-8")  # storable text, never a surrogate
    as_json = client.post(url, '{"name": ' + SURROGATE_JSON + "}",
                          content_type="application/json")
    assert as_json.status_code == 400 and "name: contains a lone surrogate" in (
        as_json.content.decode())


def test_a_surrogate_in_a_compatible_filter_is_a_40002_naming_it(world):
    filtering = quote('{"keyword": ' + SURROGATE_JSON + "}")
    response = _compat(world).get(f"/open_api/v1.3/bc/asset/get/?bc_id={world['center']}"
                                  f"&asset_type=ADVERTISER&filtering={filtering}")
    assert "filtering.keyword: contains a lone surrogate" in _compat_refusal(response)


# -- NUL ---------------------------------------------------------------------------------


def test_nul_in_a_compatible_text_plain_body_is_a_40002_naming_it(world):
    body = json.dumps({"bc_id": str(world["center"]), "asset_group_name": "bad\x00name",
                       "asset_ids": [], "asset_type": "ADVERTISER"})
    response = _compat(world).post("/open_api/v1.3/bc/asset_group/create/", body,
                                   content_type="text/plain")
    assert "asset_group_name: contains a NUL character" in _compat_refusal(response)


def test_nul_in_a_compatible_form_encoded_body_is_a_40002_naming_it(world):
    response = _compat(world).post("/open_api/v1.3/bc/asset_group/create/",
                                   f"bc_id={world['center']}&asset_group_name=bad%00name",
                                   content_type="application/x-www-form-urlencoded")
    assert "asset_group_name: contains a NUL character" in _compat_refusal(response)


def test_nul_escaped_in_a_compatible_filter_is_a_40002_naming_it(world):
    filtering = quote('{"keyword": "a\\u0000b"}')
    response = _compat(world).get(f"/open_api/v1.3/bc/asset/get/?bc_id={world['center']}"
                                  f"&asset_type=ADVERTISER&filtering={filtering}")
    assert "filtering.keyword: contains a NUL character" in _compat_refusal(response)


def test_nul_in_a_web_form_field_is_a_400_page_naming_it(client, owner, world):
    client.force_login(owner)
    response = client.post(f"/c/{world['center']}/groups/", "name=bad%00name",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "name: contains a NUL character" in response.content.decode()
    as_text = client.post(f"/c/{world['center']}/groups/", '{"name": "bad\\u0000"}',
                          content_type="text/plain")
    assert as_text.status_code == 400 and "name: contains a NUL" in as_text.content.decode()


# -- the REST API never answers an HTML page ----------------------------------------------


@pytest.mark.parametrize(("path", "shape"), [("/api/v1/centers/1", "rest"),
                                             ("/open_api/v1.3/bc/get/", "compat"),
                                             ("/c/1/", "web")])
def test_an_unexpected_error_is_in_the_doors_own_shape(db, path, shape):
    """Django's handler500 renders the web's HTML page; under the API doors the
    middleware gives the same failure in their shape instead."""
    request = RequestFactory().get(path)
    response = HostileInputMiddleware(server_error)(request)
    if shape == "rest":
        assert _api_error(response, 500)["code"] == "server_error"
    elif shape == "compat":
        assert response.status_code == 200 and json.loads(response.content)["code"] == 50000
    else:
        assert response.status_code == 500 and response["Content-Type"].startswith("text/html")


# -- properties: every operation of every door --------------------------------------------


def _rest_operations() -> list[tuple[str, str]]:
    from bizcenter.api.main import api

    document = api.get_openapi_schema()
    return sorted((method.upper(), "/api/v1" + path.removeprefix("/api/v1"))
                  for path, item in document["paths"].items() for method in item)


REST = _rest_operations()
BAD_CHAR = st.one_of(st.just("\x00"), st.integers(0xD800, 0xDFFF).map(chr))
HOSTILE = st.tuples(st.text(max_size=8), BAD_CHAR, st.text(max_size=8)).map("".join)
FIELD = st.sampled_from(["name", "note", "addresses", "advertiser_id", "company",
                         "contact_name", "reason", "q"])


def _filled(path: str, world: dict[str, Any]) -> str:
    import re

    path = path.replace("{center_id}", str(world["center"]))
    return re.sub(r"\{[a-z_]+\}", "1", path)


@PROPERTY
@given(operation=st.sampled_from(REST), field=FIELD, value=HOSTILE, in_list=st.booleans())
def test_any_rest_operation_refuses_nul_and_surrogates_naming_the_field(world, operation, field,
                                                                        value, in_list):
    method, path = operation
    client = _api(world)
    if method in ("GET", "HEAD"):
        # A query string cannot carry a surrogate (Django decodes its UTF-8 bytes to
        # U+FFFD), so a read gets the NUL.
        text = "".join("\x00" if "\ud800" <= c <= "\udfff" else c for c in value)
        error = _api_error(client.get(_filled(path, world), {field: text}))
        assert error["code"] == "invalid_input" and field in error["fields"]
        return
    body = json.dumps({field: [value] if in_list else value})  # ensure_ascii: \\ud800
    response = client.generic(method, _filled(path, world), body,
                              content_type="application/json")
    error = _api_error(response)
    assert error["code"] == "invalid_input"
    assert list(error["fields"]) == [f"{field}.0" if in_list else field]


@PROPERTY
@given(operation=st.sampled_from(REST), depth=st.integers(MAX_JSON_DEPTH + 1, 60_000))
def test_any_rest_operation_refuses_deep_json(world, operation, depth):
    method, path = operation
    if method in ("GET", "HEAD"):
        method = "POST"  # a body on a read: still refused before anything else
    response = _api(world).generic(method, _filled(path, world),
                                   "[" * depth + "]" * depth, content_type="application/json")
    assert _api_error(response)["code"] == "too_deep"


@PROPERTY
@given(route=st.sampled_from(sorted(ROUTES)), field=FIELD, value=HOSTILE,
       content_type=st.sampled_from(["application/json", "text/plain", ""]),
       deep=st.booleans())
def test_any_compatible_endpoint_answers_40002_in_its_envelope(world, route, field, value,
                                                                content_type, deep):
    body = (f'{{"{field}": {DEEP[:40_000] + DEEP[-40_000:]}}}' if deep
            else json.dumps({"bc_id": str(world["center"]), field: value}))
    response = _compat(world).post(f"/open_api/v1.3/{route}", body,
                                   content_type=content_type)
    message = _compat_refusal(response)
    assert ("levels deep" in message) if deep else message.startswith(f"{field}: contains")


@PROPERTY
@given(form=st.sampled_from(sorted(FORMS)), value=HOSTILE, as_json=st.booleans())
def test_any_web_form_refuses_nul_and_surrogates_with_a_400_page(client, owner, world, form,
                                                                  value, as_json):
    client.force_login(owner)
    url, data, _ = FORMS[form](world, value)
    if as_json:
        response = client.post(url, json.dumps(data), content_type="application/json")
    elif "\x00" in value:
        response = client.post(url, "&".join(f"{k}={quote(v if isinstance(v, str) else v[0])}"
                                              for k, v in data.items()),
                               content_type="application/x-www-form-urlencoded")
    else:
        return  # a surrogate cannot be form-encoded as UTF-8 (see the web form test above)
    assert response.status_code == 400, (form, response.status_code)
    assert "contains a" in response.content.decode()


# -- headers and cookies ----------------------------------------------------------------
# Headers reach the database (the session cookie and the API tokens are looked up by
# their text, an Idempotency-Key is stored) and parsers (X-Forwarded-For, Cookie): on
# PostgreSQL a NUL in any of them was a 500. Every header is held to the body's rule.

HEADERS = st.sampled_from(["Authorization", "Access-Token", "Idempotency-Key", "Cookie",
                           "User-Agent", "X-Forwarded-For", "Accept-Language", "Referer"])


def _with(header: str, value: str, world: dict[str, Any], door: str) -> dict[str, str]:
    """The door's own credentials, with ``value`` in ``header`` (over them if it is theirs)."""
    headers = ({"Authorization": f"Bearer {world['token']}"} if door == "rest"
               else {"Access-Token": world["token"]})
    headers[header] = f"sessionid={value}" if header == "Cookie" else value
    return headers


def test_nul_in_the_session_cookie_is_a_400_page_naming_it(client, owner):
    client.force_login(owner)
    client.cookies["sessionid"] = client.cookies["sessionid"].value + "\x00"
    response = client.get("/")
    assert response.status_code == 400
    assert response.content.decode().startswith("Cookie: contains a NUL character")


def test_nul_in_an_idempotency_key_is_a_400_naming_it_and_nothing_is_kept(world):
    from bizcenter.api.models import IdempotentRequest

    response = Client(headers=_with("Idempotency-Key", "k\x00", world, "rest")).post(
        f"/api/v1/centers/{world['center']}/campaigns",
        {"advertiser_id": world["ads"], "name": "Spring", "objective": "TRAFFIC"},
        content_type="application/json")
    error = _api_error(response)
    assert error["fields"] == {"Idempotency-Key": NUL}
    assert not IdempotentRequest.objects.exists() and not Campaign.objects.exists()


def test_nul_in_a_compatible_access_token_is_a_40002_naming_it(world):
    headers = {"Access-Token": world["token"] + "\x00"}
    response = Client(headers=headers).get("/open_api/v1.3/advertiser/info/",
                                           {"advertiser_ids": f"[{world['ads']}]"})
    assert _compat_refusal(response).startswith("Access-Token: contains a NUL")


def test_a_header_without_nul_still_passes(world):
    headers = {**_with("User-Agent", "Mozilla/5.0 (X11; Linux) é", world, "rest"),
               "Accept-Language": "fr-CH, fr;q=0.9", "X-Forwarded-For": "203.0.113.9"}
    assert Client(headers=headers).get(f"/api/v1/centers/{world['center']}").status_code == 200


@PROPERTY
@given(operation=st.sampled_from(REST), header=HEADERS, value=HOSTILE)
def test_any_rest_operation_refuses_nul_and_surrogates_in_a_header_naming_it(
        world, operation, header, value):
    method, path = operation
    response = Client(headers=_with(header, value, world, "rest")).generic(
        method, _filled(path, world), "{}", content_type="application/json")
    error = _api_error(response)
    assert error["code"] == "invalid_input" and list(error["fields"]) == [header]


@PROPERTY
@given(route=st.sampled_from(sorted(ROUTES)), header=HEADERS, value=HOSTILE,
       method=st.sampled_from(["GET", "POST"]))
def test_any_compatible_endpoint_refuses_nul_and_surrogates_in_a_header(world, route, header,
                                                                         value, method):
    client = Client(headers=_with(header, value, world, "compat"))
    url = f"/open_api/v1.3/{route}"
    response = (client.get(url, {"bc_id": world["center"]}) if method == "GET"
                else client.post(url, {"bc_id": str(world["center"])},
                                 content_type="application/json"))
    assert _compat_refusal(response).startswith(f"{header}: contains")


@PROPERTY
@given(header=HEADERS, value=HOSTILE, path=st.sampled_from(["/", "/login/", "/signup/"]))
def test_any_web_page_refuses_nul_and_surrogates_in_a_header(client, owner, header, value,
                                                             path):
    client.force_login(owner)
    response = client.get(path, headers={header: f"sessionid={value}" if header == "Cookie"
                                         else value})
    assert response.status_code == 400
    assert response.content.decode().startswith(f"{header}: contains")


@pytest.mark.slow
def test_a_real_server_answers_nul_in_a_header_without_a_500(tmp_path):
    """Through a socket to `bizcenter serve`: the bytes a real client can send."""
    import os
    import signal
    import socket
    import subprocess
    import sys

    from tests.support.servers import free_port, wait_for

    port, data = free_port(), tmp_path / "data"
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "BIZCENTER_DATA_DIR", "REDIS_URL")}
    subprocess.run([sys.executable, "-m", "bizcenter", "migrate", "--data-dir", str(data)],
                   env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        [sys.executable, "-m", "bizcenter", "serve", "--port", str(port), "--workers", "1",
         "--no-background", "--data-dir", str(data)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True)
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz")
        answers = []
        for header in (b"Cookie: sessionid=abcdefgh\x00ijklmnop", b"Access-Token: t\x00k",
                       b"User-Agent: a\x00b"):
            with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                sock.sendall(b"GET /open_api/v1.3/advertiser/info/ HTTP/1.1\r\n"
                             b"Host: 127.0.0.1\r\n" + header + b"\r\nConnection: close\r\n\r\n")
                answer = b""
                while chunk := sock.recv(65536):
                    answer += chunk
            answers.append(answer)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.communicate(timeout=30)
    for answer in answers:
        status = int(answer.split(b" ", 2)[1])
        # The server itself may refuse the header (400); if it passes it on, the door does.
        assert status == 400 or (status == 200 and b'"code": 40002' in answer), answer[:300]
