"""Django settings, read from the environment.

With nothing configured the product runs on SQLite inside a data folder
(``BIZCENTER_DATA_DIR``, default ``./.bizcenter``), keeps its secret key there
so sessions and invitation links survive restarts, and writes outgoing email
and SMS as files there. ``DATABASE_URL`` switches to PostgreSQL.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

from bizcenter.core.private import make_private_dir, private_umask

# Before anything is written: every file this process creates (the SQLite database
# and the -wal/-shm files SQLite makes itself, the outbox's links, the secret key,
# backups) is the owner's alone, whatever umask the shell had (core/private.py).
private_umask()


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


DATA_DIR = Path(os.environ.get("BIZCENTER_DATA_DIR", ".bizcenter")).resolve()


def _secret_key() -> str:
    """An explicit key wins; otherwise one is made once and kept in the data folder.

    Invitation links are derived from this key, so it must not change between
    restarts or every link already sent would stop working.
    """
    if key := os.environ.get("SECRET_KEY") or os.environ.get("BIZCENTER_SECRET_KEY"):
        return key
    path = DATA_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    make_private_dir(DATA_DIR)
    key = secrets.token_urlsafe(50)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


SECRET_KEY = _secret_key()
# Old keys, comma-separated, while a new SECRET_KEY takes over: they still verify
# sessions and links and open 2-step secrets, and sign or encrypt nothing new
# (docs/DEPLOY.md, "Rotating the secret key"; accounts/sealed.py).
SECRET_KEY_FALLBACKS = [
    k.strip() for k in os.environ.get("SECRET_KEY_FALLBACKS", "").split(",") if k.strip()
]
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

# Where links in messages point.
BIZCENTER_BASE_URL = os.environ.get("BIZCENTER_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "ninja",
    "bizcenter.accounts",
    "bizcenter.centers",
    "bizcenter.invitations",
    "bizcenter.assets",
    "bizcenter.access",
    "bizcenter.audit",
    "bizcenter.outbox",
    "bizcenter.campaigns",
    "bizcenter.reporting",
    "bizcenter.billing",
    "bizcenter.notifications",
    "bizcenter.api",
    "bizcenter.compat",
    "bizcenter.web",
]

MIDDLEWARE = [
    "bizcenter.core.middleware.ProxyAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "bizcenter.core.middleware.BodySizeMiddleware",
    # After the size check (the body it reads is bounded); outside everything else, so an
    # HTML 500 from any later layer is still turned into the API's own shape.
    "bizcenter.core.hostile.HostileInputMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "bizcenter.web.middleware.AddressProofGate",
    "bizcenter.access.middleware.AccessScopeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After authentication and messages: ends idle, old or signed-out sessions, saying why.
    "bizcenter.accounts.sessions.SessionLimits",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# Each door that answers in a shape of its own registers it here, by path prefix, for
# what core/ refuses before any view runs and for an unexpected error
# (core/middleware.py); the REST API's JSON error is core's own default under /api/.
BIZCENTER_DOOR_REFUSALS = {"/open_api/": "bizcenter.compat.refusals"}

ROOT_URLCONF = "bizcenter.urls"
WSGI_APPLICATION = "bizcenter.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "bizcenter.web.context.center_nav",
            ],
        },
    },
]


def _postgres(url: str) -> dict:
    """One PostgreSQL database. It plans a query each time it is sent, unless it is a
    prepared statement: with the values sent apart from the SQL (server-side
    binding), psycopg prepares a query the fifth time a connection runs it, and the
    lookups every request makes stop being planned (docs/PERFORMANCE.md has the gain).
    PgBouncer before 1.21 in transaction mode cannot follow prepared statements: set
    BIZCENTER_PG_PREPARED_STATEMENTS=0 behind one."""
    db: dict = dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
    if os.environ.get("BIZCENTER_PG_PREPARED_STATEMENTS", "1") != "0":
        db["OPTIONS"] = {**db.get("OPTIONS", {}), "server_side_binding": True,
                         "prepare_threshold": 5}
    return db


def _databases() -> dict:
    """PostgreSQL from DATABASE_URL, with read replicas from DATABASE_REPLICA_URL (one URL
    or several, comma-separated; see core/replicas.py for what reads them); else SQLite.
    Connections are kept between requests (CONN_MAX_AGE): opening one per request
    costs more than most requests' own queries (docs/PERFORMANCE.md)."""
    url = os.environ.get("DATABASE_URL")
    if url:
        databases = {"default": _postgres(url)}
        replicas = [u.strip() for u in os.environ.get("DATABASE_REPLICA_URL", "").split(",")]
        for number, replica in enumerate(filter(None, replicas), 1):
            databases[f"replica{number}"] = {
                **_postgres(replica),
                # Tests use the primary's test database through this alias.
                "TEST": {"MIRROR": "default"},
            }
        return databases
    make_private_dir(DATA_DIR)
    return {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "bizcenter.sqlite3",
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                # IMMEDIATE makes every transaction take the write lock up front,
                # so two writers queue instead of failing on lock upgrade; that is
                # what keeps the member limits exact on SQLite.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }


DATABASES = _databases()
DATABASE_ROUTERS = ["bizcenter.core.replicas.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["bizcenter.accounts.backends.EmailOrPhoneBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # 12, not Django's 8: ASVS 2.1.1. A passphrase is easy to remember at that length.
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"
# A reset link is a key to the account: short-lived, and dead once used.
PASSWORD_RESET_TIMEOUT = 2 * 3600
# A web session ends after this many hours without a request, and this many days after
# its log-in in any case (accounts/sessions.py); API tokens are not sessions.
BIZCENTER_SESSION_IDLE_HOURS = env_int("BIZCENTER_SESSION_IDLE_HOURS", 12)
BIZCENTER_SESSION_MAX_DAYS = env_int("BIZCENTER_SESSION_MAX_DAYS", 14)
# The cookie and the stored session live as long as a session may.
SESSION_COOKIE_AGE = BIZCENTER_SESSION_MAX_DAYS * 24 * 3600

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Serve the apps' static files straight from the package: no collectstatic step
# for a one-command install.
WHITENOISE_USE_FINDERS = True

# A stale form (an old tab) gets a page saying how to recover, not Django's text.
CSRF_FAILURE_VIEW = "bizcenter.web.views.csrf_failure"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Served over HTTPS (directly or behind a proxy that terminates TLS): cookies only
# travel encrypted, plain HTTP is redirected, and browsers are told (HSTS) never to
# try plain HTTP again. Off by default so `bizcenter serve` works on a laptop.
BIZCENTER_HTTPS = env_bool("BIZCENTER_HTTPS")
if BIZCENTER_HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("BIZCENTER_SSL_REDIRECT", True)
    # A load balancer's health check may speak plain HTTP to the app.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_HSTS_SECONDS = env_int("BIZCENTER_HSTS_SECONDS", 365 * 24 * 3600)
    # Subdomains and the browsers' preload list commit every host of the domain
    # (and future owners of it) to HTTPS; the operator opts in knowingly.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("BIZCENTER_HSTS_INCLUDE_SUBDOMAINS")
    SECURE_HSTS_PRELOAD = env_bool("BIZCENTER_HSTS_PRELOAD")
# Only behind a proxy that always sets (overwrites) X-Forwarded-Proto and appends the
# client's address to X-Forwarded-For: otherwise a client could claim HTTPS, or
# another address, itself (bizcenter.core.middleware.ProxyAddressMiddleware).
BIZCENTER_BEHIND_PROXY = env_bool("BIZCENTER_BEHIND_PROXY")
if BIZCENTER_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SILENCED_SYSTEM_CHECKS = [
    # security.W005 (HSTS without includeSubDomains) and security.W021 (no preload):
    # both are the operator's choice, above, because they bind every subdomain and
    # cannot be taken back quickly; HSTS itself is on whenever BIZCENTER_HTTPS is.
    "security.W005",
    "security.W021",
    # auth.W004 (USERNAME_FIELD not unique): an email is unique once proven, by a
    # partial unique index, so that a sign-up nobody proved cannot hold the address
    # against its owner (accounts.models); our backend logs in by either address.
    "auth.W004",
]

# Content-Security-Policy (django-csp): scripts, styles and everything else only from
# this site. No template has an inline script, event handler or style (a test scans
# them), so an injected <script> or onerror= does not run even if escaping failed.
# The QR code and charts are inline SVG markup, which needs no allowance; the API's
# Swagger page loads django-ninja's bundled files from /static/, so it fits too.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Request bodies. A form or JSON body is small (50 addresses, a campaign); 2.5 MB
# (Django's default, set on purpose) leaves room to spare and keeps a flood of bytes
# out of memory. File uploads (the invitation CSV of 4,000 rows is about 100 KB, a
# metrics CSV at most 20 MB) are multipart and capped as a whole by
# BIZCENTER_MAX_UPLOAD_BYTES; files past FILE_UPLOAD_MAX_MEMORY_SIZE go to a
# temporary file instead of memory. Bigger requests get a 413 naming the limit.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("BIZCENTER_MAX_BODY_BYTES", 2_621_440)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
BIZCENTER_MAX_UPLOAD_BYTES = env_int("BIZCENTER_MAX_UPLOAD_BYTES", 21 * 1024 * 1024)

# Outgoing messages. Email goes through Django's backends: SMTP when EMAIL_HOST
# is set, otherwise one file per message in the data folder.
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = os.environ.get(
        "EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend"
    )
EMAIL_FILE_PATH = DATA_DIR / "outbox" / "email"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "bizcenter <noreply@localhost>")

BIZCENTER_SMS_BACKEND = os.environ.get(
    "BIZCENTER_SMS_BACKEND",
    "bizcenter.outbox.sms.TwilioSmsBackend"
    if os.environ.get("TWILIO_ACCOUNT_SID")
    else "bizcenter.outbox.sms.FileSmsBackend",
)
BIZCENTER_SMS_FILE_PATH = DATA_DIR / "outbox" / "sms"
TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", "")
TWILIO_FROM_NUMBER = os.environ.get("TWILIO_FROM_NUMBER", "")

# Phone numbers without a leading + are read in this region (e.g. "US");
# empty means a country code is required.
BIZCENTER_PHONE_REGION = os.environ.get("BIZCENTER_PHONE_REGION", "") or None

# Product limits (the real product's: 20 Admins, 4,000 members in all).
BIZCENTER_MAX_ADMINS = env_int("BIZCENTER_MAX_ADMINS", 20)
BIZCENTER_MAX_MEMBERS = env_int("BIZCENTER_MAX_MEMBERS", 4000)
BIZCENTER_MAX_INVITES_PER_CALL = env_int("BIZCENTER_MAX_INVITES_PER_CALL", 50)
# The smallest campaign budget accepted, in the Business Center's currency.
BIZCENTER_MIN_BUDGET = os.environ.get("BIZCENTER_MIN_BUDGET", "20.00")
# The cache holds rate-limit counters, which every app process must share: in Redis
# with REDIS_URL; in a database table when `serve` runs several processes without it
# (BIZCENTER_SHARED_COUNTERS, set by serve), and whenever Redis does not answer; in
# memory for one process alone. Never in nothing (core/cache.py).
_COUNTERS = {"BACKEND": "bizcenter.core.cache.SharedDatabase",  # Django's db cache, counting
             "LOCATION": "bizcenter_counters"}
if os.environ.get("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "bizcenter.core.cache.Redis",  # Django's, counting
                          "LOCATION": os.environ["REDIS_URL"],
                          # Fail fast, then count in the database (core/cache.py).
                          "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1}},
              "counters": _COUNTERS}
elif os.environ.get("BIZCENTER_SHARED_COUNTERS"):
    CACHES = {"default": _COUNTERS, "counters": _COUNTERS}
else:
    CACHES = {"default": {"BACKEND": "bizcenter.core.cache.LocalMemory"},  # Django's, counting
              "counters": _COUNTERS}
# Log-in attempts per address and per IP address in 15 minutes.
BIZCENTER_LOGIN_RATE = env_int("BIZCENTER_LOGIN_RATE", 10)
# API calls per minute per token.
BIZCENTER_API_RATE = env_int("BIZCENTER_API_RATE", 600)
# Addresses put to the invite service per hour per Business Center, through any door
# (typos and repeats count too): a full 4,000-row CSV plus room to finish one that
# was interrupted. The same number holds per inviting account across all its Business
# Centers, so making more of them does not multiply it.
BIZCENTER_INVITE_RATE = env_int("BIZCENTER_INVITE_RATE", 6000)
# Invitations one Business Center may create in any 24 hours, counted in the database
# so every process agrees: a full house (4,000 members) in one CSV, plus room for the
# typos and re-invitations of that day. The same cap holds per inviting account across
# all its Business Centers (whoever sent or resent each invitation last).
BIZCENTER_INVITE_DAILY_CAP = env_int("BIZCENTER_INVITE_DAILY_CAP", 5000)
# Business Centers one account may create in any 24 hours: each comes with its own
# invitation caps, so a stream of them would relay messages (counted in the database).
BIZCENTER_CENTERS_PER_DAY = env_int("BIZCENTER_CENTERS_PER_DAY", 5)
# 2-step codes tried per account in 15 minutes (log-in prompt, confirm, turn off):
# a six-digit code is a million guesses, and this keeps them far out of reach.
BIZCENTER_TWO_FACTOR_RATE = env_int("BIZCENTER_TWO_FACTOR_RATE", 10)
# Sign-ups per IP address per hour.
BIZCENTER_SIGNUP_RATE = env_int("BIZCENTER_SIGNUP_RATE", 20)
# Codes that prove an address: minutes each lives, codes sent per address per hour
# (twice that per account), and days an account that never proved an address is kept.
BIZCENTER_VERIFICATION_MINUTES = env_int("BIZCENTER_VERIFICATION_MINUTES", 30)
BIZCENTER_VERIFICATION_SEND_RATE = env_int("BIZCENTER_VERIFICATION_SEND_RATE", 5)
BIZCENTER_UNVERIFIED_ACCOUNT_DAYS = env_int("BIZCENTER_UNVERIFIED_ACCOUNT_DAYS", 7)
# Password-reset requests per address per hour (and five times that per IP address).
BIZCENTER_RESET_RATE = env_int("BIZCENTER_RESET_RATE", 5)
# Rows of daily campaign metrics in one upload.
BIZCENTER_MAX_METRIC_ROWS = env_int("BIZCENTER_MAX_METRIC_ROWS", 200_000)
# A CSV upload may hold as many addresses as a Business Center has seats.
BIZCENTER_MAX_IMPORT_ROWS = env_int("BIZCENTER_MAX_IMPORT_ROWS", 4000)
BIZCENTER_INVITATION_DAYS = env_int("BIZCENTER_INVITATION_DAYS", 30)
BIZCENTER_OUTBOX_MAX_ATTEMPTS = env_int("BIZCENTER_OUTBOX_MAX_ATTEMPTS", 6)

TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
