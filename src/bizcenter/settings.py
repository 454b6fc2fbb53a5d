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
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


SECRET_KEY = _secret_key()
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
    "bizcenter.api",
    "bizcenter.compat",
    "bizcenter.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "bizcenter.core.middleware.RejectNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "bizcenter.access.middleware.AccessScopeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

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


def _databases() -> dict:
    url = os.environ.get("DATABASE_URL")
    if url:
        db = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        return {"default": db}
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "bizcenter.sqlite3",
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
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["bizcenter.accounts.backends.EmailOrPhoneBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"
# A reset link is a key to the account: short-lived, and dead once used.
PASSWORD_RESET_TIMEOUT = 2 * 3600

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
# The cache holds rate-limit counters: with several app processes they must be
# shared, so production sets REDIS_URL; one process alone can count in memory.
if os.environ.get("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": os.environ["REDIS_URL"]}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Log-in attempts per address and per IP address in 15 minutes.
BIZCENTER_LOGIN_RATE = env_int("BIZCENTER_LOGIN_RATE", 10)
# API limits: calls per minute per token, invitations per hour per Business Center.
BIZCENTER_API_RATE = env_int("BIZCENTER_API_RATE", 600)
BIZCENTER_INVITE_RATE = env_int("BIZCENTER_INVITE_RATE", 4000)
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
