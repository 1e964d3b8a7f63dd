"""Django settings, from the environment: one configuration for ``qimaturity serve`` and for the tests.

- ``QIMATURITY_DATA``: the data folder (default ``qimaturity-data`` in the working folder): the SQLite database,
  the secret key, uploads and reports. ``qimaturity serve`` creates it.
- ``DATABASE_URL``: a PostgreSQL database (``postgresql://user:password@host:port/name``) in place of SQLite.
- ``QIMATURITY_SECRET_KEY``: the secret key; else the file ``secret_key`` in the data folder.
- ``QIMATURITY_ALLOWED_HOSTS``: comma-separated host names the site answers to (default ``127.0.0.1,localhost``).
- ``QIMATURITY_NHSUK_FRONTEND``: the ``dist/nhsuk`` folder of the ``nhsuk-frontend`` npm package (default: the
  checkout's ``node_modules``, where ``make`` installs it): its scripts and images.
- ``QIMATURITY_WEB_BUILD``: the folder of the site's compiled style sheet, ``site.css`` (default: the checkout's
  ``build/web``, where ``make`` compiles ``qimaturity/web/styles/site.scss`` with the NHS.UK frontend's Sass).

DEBUG is never on. The site is served over HTTPS only (``serve`` makes a certificate when given none), so the
cookies are secure and every deployment check (``manage.py check --deploy``) passes.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE = Path(__file__).resolve().parent
DATA = Path(os.environ.get("QIMATURITY_DATA", "qimaturity-data")).resolve()
SECRET_KEY_FILE = DATA / "secret_key"


def _secret_key() -> str:
    given = os.environ.get("QIMATURITY_SECRET_KEY")
    if given:
        return given
    try:
        return SECRET_KEY_FILE.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise ImproperlyConfigured(
            f"no secret key in {SECRET_KEY_FILE}: run `qimaturity serve` once to create the data folder"
        ) from None


def _nhsuk_frontend() -> Path:
    given = os.environ.get("QIMATURITY_NHSUK_FRONTEND")
    if given:
        return Path(given)
    return PACKAGE.parent.parent / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk"


def _built_styles() -> Path:
    given = os.environ.get("QIMATURITY_WEB_BUILD")
    if given:
        return Path(given)
    return PACKAGE.parent.parent / "build" / "web"


SECRET_KEY = _secret_key()
DEBUG = False
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("QIMATURITY_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "qimaturity.web.organisations",
    "qimaturity.web.rounds",
    "qimaturity.web.audit",
    "qimaturity.web.cohorts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-axes last: it locks out an address after repeated failed logins.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "qimaturity.web.urls"
WSGI_APPLICATION = "qimaturity.web.wsgi.application"

TEMPLATES = [
    {
        # Our pages: Jinja with the NHS.UK frontend macros (nhsuk-frontend-jinja).
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [PACKAGE / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "qimaturity.web.jinja.environment",
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
    {
        # Django's admin.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    },
]

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA / "qimaturity.sqlite3"),
            "OPTIONS": {
                # Many respondents save at once: WAL lets readers go on while one writes; a writer waits for the
                # lock (up to 20 s) rather than failing; IMMEDIATE takes the write lock at the start of a
                # transaction, so two savers never deadlock upgrading a read lock.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-axes: five failed logins from one address and user lock them out for an hour.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["ip_address", "username"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "locked_out.jinja"

# HTTPS only: the site is served by `qimaturity serve` over TLS, or behind a proxy that ends TLS and says so in
# X-Forwarded-Proto. That header is believed only when QIMATURITY_BEHIND_PROXY=1 says a proxy sets it: served
# directly, a client could send it itself.
SECURE_SSL_REDIRECT = True
if os.environ.get("QIMATURITY_BEHIND_PROXY", "").strip().lower() in ("1", "true", "yes"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 60 * 60
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS: list[str] = []
# HSTS preload is a choice for the site's owner (its domain, every subdomain, for years), not the application's.
SILENCED_SYSTEM_CHECKS.append("security.W021")

# django-csp: no inline script or style, nothing from elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

# Uploads: held in memory up to 2.5 MB, refused over 10 MB (the answers readers' own limits are smaller still).
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 10_485_760
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2_000
UPLOADS = DATA / "uploads"

STATIC_URL = "/static/"
STATICFILES_DIRS = [("nhsuk", _nhsuk_frontend()), ("site", _built_styles()), ("qimaturity", PACKAGE / "static")]
# Served from where the finders find them (the package and nhsuk-frontend's folder): nothing to collect.
WHITENOISE_USE_FINDERS = True

# Slow work (PDF reports) runs in the database-backed task queue, in the worker `serve` starts.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

EMAIL_BACKEND = os.environ.get("QIMATURITY_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("QIMATURITY_FROM_EMAIL", "qimaturity@localhost")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Respondents' links are secrets: no log line carries one (Django logs refused requests with their paths).
    "filters": {"hide_links": {"()": "qimaturity.web.logs.HideLinks"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["hide_links"]}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
