"""Web hardening: the Content-Security-Policy and the templates it relies on, the HTTPS
switch, `manage.py check --deploy`, and sessions (rotated at log-in, ended at log-out
and at a password change or reset, no way around the 2-step prompt)."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client, override_settings

import bizcenter
from bizcenter.accounts import passwords, two_factor
from bizcenter.accounts.models import User
from bizcenter.core.actor import Actor
from bizcenter.web import urls as web_urls
from tests.conftest import PASSWORD, act, fresh_code
from tests.support.pages import CENTER_PAGES

pytestmark = pytest.mark.usefixtures("quick_hashing")

PACKAGE = Path(bizcenter.__file__).parent
# Email bodies are read by mail clients, not served by the site: the policy does not
# reach them and inline styles are how email is written.
NOT_PAGES = {"invitations/email.html"}
TEMPLATES = sorted(p for p in PACKAGE.glob("*/templates/**/*.html")
                   if str(p.relative_to(p.parents[1])).replace(os.sep, "/") not in NOT_PAGES
                   and "/templates/" in p.as_posix())


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in header.split(";") if d.strip()}


# -- the Content-Security-Policy ---------------------------------------------------------


def test_the_policy_allows_only_this_site(client, db):
    policy = _policy(client.get("/login/"))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    everything = " ".join(" ".join(v) for v in policy.values())
    assert "unsafe-inline" not in everything and "unsafe-eval" not in everything


def _page_urls(center_id: int, ids: dict[str, int]) -> list[str]:
    plain = [str(p.pattern) for p in web_urls.urlpatterns
             if "<" not in str(p.pattern)
             and str(p.pattern) not in ("logout/", "healthz", "readyz")]
    pages = [re.sub(r"<int:(\w+)>", lambda m: str(ids.get(m.group(1), center_id)), path)
             for path in CENTER_PAGES.values()]
    return ["/" + p for p in plain + pages]


def test_every_html_page_answers_with_the_policy(client, owner, center, as_owner):
    """Every page of the web door (as an Admin, who reaches them all), the error pages
    and the API's docs page carry the header; a page that forgot it would fail here."""
    from bizcenter.assets.services import create_asset

    ads = create_asset(as_owner, center, type="ADVERTISER", name="Main ads")
    client.force_login(owner)
    urls = [*_page_urls(center.pk, {"asset_id": ads.pk, "advertiser_id": ads.pk}),
            "/no/such/page/", "/api/v1/docs", "/invite/not-a-token/"]
    seen = 0
    for url in urls:
        response = client.get(url)
        if response.get("Content-Type", "").startswith("text/html"):
            seen += 1
            assert "script-src 'self'" in response.get("Content-Security-Policy", ""), url
            if not url.startswith("/api/"):  # ours, as rendered (Python-made markup too)
                _no_inline_code(response.content.decode(), url)
    assert seen >= 20
    anonymous = Client()
    for url in ("/login/", "/signup/", "/password/reset/", "/login/code/"):
        response = anonymous.get(url, follow=True)
        assert "script-src 'self'" in response["Content-Security-Policy"], url


def test_the_templates_tree_is_scanned():
    names = {p.name for p in TEMPLATES}
    assert {"base.html", "login.html", "security.html", "_import_progress.html"} <= names
    assert len(TEMPLATES) >= 40


def _no_inline_code(text: str, name: str) -> None:
    for attrs, body in re.findall(r"<script\b([^>]*)>(.*?)</script>", text, re.S | re.I):
        assert "src=" in attrs and not body.strip(), f"inline script in {name}"
    assert not re.search(r"<[^>]*\son[a-z]+\s*=", text, re.I), f"event handler in {name}"
    assert not re.search(r"\shx-on[:-]", text), f"hx-on handler (needs eval) in {name}"
    assert "javascript:" not in text.lower(), name
    assert not re.search(r"<style\b|\sstyle\s*=", text, re.I), f"inline style in {name}"


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_no_template_has_inline_script_handler_or_style(path: Path):
    """What the policy would block must not be needed: scripts only as files, no event
    handler attributes (onclick=, htmx's hx-on), no javascript: links, no inline styles."""
    _no_inline_code(path.read_text(), path.name)


def test_htmx_runs_without_eval_or_injected_styles(client, db):
    page = client.get("/login/").content.decode()
    config = json.loads(re.search(r'name="htmx-config" content=\'([^\']+)\'', page).group(1))
    assert config == {"includeIndicatorStyles": False, "allowEval": False,
                      "allowScriptTags": False}


# -- production settings -----------------------------------------------------------------


def _production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    # Nothing of the test run's own environment: e.g. the browser tests set
    # DJANGO_ALLOW_ASYNC_UNSAFE for Playwright, which --deploy rightly refuses.
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("BIZCENTER_", "DATABASE_URL", "SECURE_", "DEBUG", "DJANGO_"))}
    env.update({"DJANGO_SETTINGS_MODULE": "bizcenter.settings", "DEBUG": "0",
                "SECRET_KEY": secrets.token_urlsafe(64), "BIZCENTER_DATA_DIR": str(tmp_path),
                "ALLOWED_HOSTS": "bizcenter.example.com", "BIZCENTER_HTTPS": "1", **extra})
    return env


@pytest.mark.slow
def test_check_deploy_is_clean_for_production_settings(tmp_path):
    """`manage.py check --deploy` with DEBUG off, a long secret key and BIZCENTER_HTTPS=1
    reports nothing; the two HSTS choices silenced in settings.py (subdomains, preload)
    are the operator's, and auth.W004 (an email is unique only once proven, by a partial
    index the check cannot see) is the model's: they are reported as silenced, nothing
    else is."""
    done = subprocess.run([sys.executable, "-m", "django", "check", "--deploy",
                           "--fail-level", "WARNING"], env=_production_env(tmp_path),
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues (3 silenced)." in done.stdout
    # Without the HTTPS switch the same check names what is missing.
    plain = subprocess.run([sys.executable, "-m", "django", "check", "--deploy"],
                           env=_production_env(tmp_path, BIZCENTER_HTTPS="0"),
                           capture_output=True, text=True, timeout=60, check=False)
    assert "security.W004" in plain.stderr + plain.stdout  # no HSTS
    assert "security.W012" in plain.stderr + plain.stdout  # session cookie not secure


SHOW = ("import json; from django.conf import settings as s; print(json.dumps({k: getattr(s, k)"
        " for k in ['SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_SSL_REDIRECT',"
        " 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_HSTS_PRELOAD',"
        " 'SECURE_PROXY_SSL_HEADER', 'SECURE_REDIRECT_EXEMPT']}))")


def _settings_with(tmp_path: Path, **env: str) -> dict:
    done = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {SHOW}"],
                          env=_production_env(tmp_path, **env), capture_output=True,
                          text=True, timeout=60, check=True)
    return json.loads(done.stdout)


@pytest.mark.slow
def test_the_https_switch_sets_cookies_hsts_redirect_and_proxy_header(tmp_path):
    on = _settings_with(tmp_path, BIZCENTER_HTTPS="1")
    assert on["SESSION_COOKIE_SECURE"] and on["CSRF_COOKIE_SECURE"]
    assert on["SECURE_SSL_REDIRECT"] and on["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert not on["SECURE_HSTS_INCLUDE_SUBDOMAINS"] and not on["SECURE_HSTS_PRELOAD"]
    assert on["SECURE_PROXY_SSL_HEADER"] is None  # a client could claim HTTPS otherwise
    assert on["SECURE_REDIRECT_EXEMPT"] == ["^healthz$", "^readyz$"]
    chosen = _settings_with(tmp_path, BIZCENTER_HTTPS="1", BIZCENTER_BEHIND_PROXY="1",
                            BIZCENTER_HSTS_INCLUDE_SUBDOMAINS="1", BIZCENTER_HSTS_SECONDS="600")
    assert chosen["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert chosen["SECURE_HSTS_INCLUDE_SUBDOMAINS"] and chosen["SECURE_HSTS_SECONDS"] == 600
    off = _settings_with(tmp_path, BIZCENTER_HTTPS="0")
    assert not off["SESSION_COOKIE_SECURE"] and not off["SECURE_SSL_REDIRECT"]
    assert off["SECURE_HSTS_SECONDS"] == 0


HTTPS = {"SESSION_COOKIE_SECURE": True, "CSRF_COOKIE_SECURE": True,
         "SECURE_SSL_REDIRECT": True, "SECURE_REDIRECT_EXEMPT": [r"^healthz$", r"^readyz$"],
         "SECURE_HSTS_SECONDS": 365 * 24 * 3600,
         "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https")}


def test_over_https_cookies_are_secure_hsts_is_sent_and_http_is_redirected(make_user):
    """What those settings do (the values BIZCENTER_HTTPS and BIZCENTER_BEHIND_PROXY set)."""
    make_user("kim@agency.com")
    with override_settings(**HTTPS):
        client = Client()
        plain = client.get("/login/")
        assert plain.status_code == 301 and plain.url == "https://testserver/login/"
        assert client.get("/healthz").status_code == 200  # the load balancer's check
        proxied = client.get("/login/", headers={"X-Forwarded-Proto": "https"})
        assert proxied.status_code == 200
        assert proxied["Strict-Transport-Security"] == "max-age=31536000"
        logged = client.post("/login/", {"username": "kim@agency.com", "password": PASSWORD},
                             secure=True)
        assert logged.status_code == 302
        assert logged.cookies["sessionid"]["secure"] and logged.cookies["sessionid"]["httponly"]
        assert client.cookies["csrftoken"]["secure"]
        assert logged.cookies["sessionid"]["samesite"] == "Lax"


# -- sessions ---------------------------------------------------------------------------------


@pytest.fixture
def kim(make_user) -> User:
    return make_user("kim@agency.com", name="Kim")


def _key(client: Client) -> str:
    return client.cookies["sessionid"].value


def _home_reached(client: Client) -> bool:
    return client.get("/").status_code == 200


def test_the_session_is_rotated_at_log_in(client, kim):
    """A session key planted before log-in (session fixation) is not the one logged in,
    and no longer exists."""
    session = client.session
    session["planted"] = True
    session.save()
    planted = session.session_key
    client.cookies["sessionid"] = planted
    assert client.post("/login/", {"username": "kim@agency.com",
                                   "password": PASSWORD}).status_code == 302
    assert _key(client) != planted
    assert not SessionStore().exists(planted)
    attacker = Client()
    attacker.cookies["sessionid"] = planted
    assert not _home_reached(attacker)


def test_the_session_is_rotated_after_the_two_step_code(client, kim):
    setup = two_factor.start(act(kim))
    two_factor.confirm(act(kim), fresh_code(setup.secret))
    client.post("/login/", {"username": "kim@agency.com", "password": PASSWORD})
    halfway = _key(client)
    done = client.post("/login/code/", {"code": fresh_code(setup.secret)})
    assert done.status_code == 302 and _key(client) != halfway
    assert not SessionStore().exists(halfway)


def test_log_out_ends_the_session_on_the_server(client, kim):
    client.post("/login/", {"username": "kim@agency.com", "password": PASSWORD})
    key = _key(client)
    assert _home_reached(client)
    client.post("/logout/")
    assert not SessionStore().exists(key)
    replay = Client()
    replay.cookies["sessionid"] = key  # a copy of the cookie taken before log-out
    assert not _home_reached(replay)


def test_a_password_reset_ends_every_session(kim):
    sessions = [Client(), Client()]
    for c in sessions:
        c.post("/login/", {"username": "kim@agency.com", "password": PASSWORD})
        assert _home_reached(c)
    passwords.set_password(Actor.system("test"), kim, "a brand new passphrase 9",
                           reason="reset")
    assert not any(_home_reached(c) for c in sessions)


def test_two_step_cannot_be_skipped_by_going_straight_to_any_page(client, kim, center,
                                                                     as_owner):
    """After the password step alone, every page (each of the Business Center's, the
    account's, the API tokens') answers as to someone logged out."""
    from tests.conftest import join

    join(as_owner, center, kim, role="ADMIN")
    setup = two_factor.start(act(kim))
    two_factor.confirm(act(kim), fresh_code(setup.secret))
    client.post("/login/", {"username": "kim@agency.com", "password": PASSWORD})
    urls = ["/", "/account/security/", "/account/tokens/", "/centers/new/",
            *(re.sub(r"<int:(\w+)>", str(center.pk), "/" + p)
              for p in CENTER_PAGES.values())]
    for url in urls:
        page = client.get(url)
        assert page.status_code in (302, 404), url
        if page.status_code == 302:
            assert page.url.startswith("/login/"), url
    posted = client.post(f"/c/{center.pk}/partners/add/", {"addresses": "x@evil.com"})
    assert posted.status_code == 302 and posted.url.startswith("/login/")
    assert not center.invitations.filter(address="x@evil.com").exists()


def test_log_in_answers_alike_for_an_unknown_address_and_a_wrong_password(client, kim):
    def answer(address: str) -> str:
        page = Client().post("/login/", {"username": address, "password": "not it at all"})
        assert page.status_code == 200
        html = page.content.decode().replace(address, "ADDRESS")
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)

    assert answer("kim@agency.com") == answer("ghost@agency.com")


# -- CSRF ---------------------------------------------------------------------------------------


def test_every_form_post_without_the_csrf_token_is_refused(owner, center):
    """A logged-in Admin's browser, made to POST by another site (no CSRF token): every
    page refuses with the CSRF page and nothing is written."""
    from bizcenter.audit.models import AuditEvent

    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    before = AuditEvent.objects.count()
    urls = ["/centers/new/", "/account/security/", "/account/tokens/", "/logout/",
            *(re.sub(r"<int:(\w+)>", str(center.pk), "/" + p) for p in CENTER_PAGES.values())]
    for url in urls:
        response = client.post(url, {"name": "Forged", "addresses": "x@evil.com",
                                     "step": "create"})
        assert response.status_code == 403, url
        assert "could not be accepted because it was stale" in response.content.decode(), url
    assert AuditEvent.objects.count() == before
    assert client.get("/").status_code == 200  # still logged in: log-out was refused too


def test_the_api_ignores_the_session_cookie(client, owner, center):
    """The API authenticates by token only, so a browser's session cannot be ridden into
    it from another site (it has no CSRF check to need)."""
    client.force_login(owner)
    response = client.post(f"/api/v1/centers/{center.pk}/invitations",
                           {"addresses": ["x@evil.com"]}, content_type="application/json")
    assert response.status_code == 401
    assert not center.invitations.exists()
