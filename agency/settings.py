"""One settings module; every value comes from the environment (django-environ).

`.env` in the project folder is read when present (`make run` writes a local one);
real environment variables win over it. `.env.example` lists every variable.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)


def _secret(name: str) -> str:
    """A key no process may run without. None is written in the code: `make run` and
    `make test` generate their own once, into the ignored local `.env`
    (scripts/bootstrap.sh); a deployment sets real ones in its environment."""
    value = env.str(name, default="").strip()
    if not value:
        raise ImproperlyConfigured(
            f"{name} is not set. Set it in the environment (see .env.example); "
            "`make run` writes a local .env with generated keys."
        )
    return value


SECRET_KEY = _secret("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    # our apps, lowest layer first (imports point from later to earlier)
    "agency",
    "archive",
    "policies",
    "clients",
    "enrollment",
    "billing",
    "compliance",
]

MIDDLEWARE = [
    "agency.middleware.request_id_middleware",  # first: every log line has the request id
    "django.middleware.security.SecurityMiddleware",
    "agency.db_unavailable.DatabaseUnavailableMiddleware",  # database gone: 503, not 500
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "agency.upload_limits.upload_limit_middleware",  # 413 before any body is read
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "agency.middleware.history_request_middleware",
]

ROOT_URLCONF = "agency.urls"
WSGI_APPLICATION = "agency.wsgi.application"
ASGI_APPLICATION = "agency.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "agency.context_processors.inbox",
            ],
        },
    }
]

# --- Database: PostgreSQL in production and tests, an SQLite file when unset -------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # the embedded default: web, worker and beat share one file
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

AUTH_USER_MODEL = "agency.User"
LOGIN_URL = "staff-login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Language and time: Chinese first, Asia/Shanghai --------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media ------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded papers are personal data: never served from a public URL, only through
# permission-checked views. MEDIA_ROOT is therefore outside STATIC_ROOT and has no URL route.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "agency.storage.EncryptedFileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_STORAGE",
            default="django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
# Static files are served by WhiteNoise from the app folders unless collected (production
# runs collectstatic in the image and turns finders off).
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=True)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
# Upload caps, refused from Content-Length (413) before the body is read, in Django per
# route and around the whole WSGI app (agency.upload_limits): roster workbooks and other
# files, scans (papers, licence and contract scans; also checked by content in services).
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=20 * 1024 * 1024)
SCAN_MAX_BYTES = env.int("SCAN_MAX_BYTES", default=10 * 1024 * 1024)
# A roster workbook with more rows than this is imported in the background: the API answers
# 202 with the order "processing", the portal shows a progress page (issue 18).
ORDER_IMPORT_SYNC_MAX_LINES = env.int("ORDER_IMPORT_SYNC_MAX_LINES", default=2000)

# --- Security: on unless DEBUG (the local demo over plain HTTP) turns it off ------------
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS",
                                          default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("DJANGO_CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=8 * 3600)

# --- Personal data (PIPL): keys for ID numbers at rest --------------------------------
# Comma-separated Fernet keys, newest first; older keys still decrypt (rotation). Required.
FIELD_ENCRYPTION_KEYS = [k.strip() for k in _secret("FIELD_ENCRYPTION_KEYS").split(",")
                         if k.strip()]
# Key for the keyed lookup hash (HMAC-SHA256) of ID numbers. Required; never rotated
# casually: changing it invalidates every stored hash.
FIELD_HASH_KEY = _secret("FIELD_HASH_KEY")

# --- REST API ------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an unauthenticated API call answers 401 with WWW-Authenticate.
        "clients.authentication.ClientApiKeyAuthentication",
        "clients.authentication.ActiveClientSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "agency.api.Pagination",
    "PAGE_SIZE": 50,
    # one bucket per caller: an API key by its id, a user by theirs, else the address
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "agency.throttling.ApiCallerRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="60/min"),
        "user": env.str("API_THROTTLE_USER", default="1200/min"),
        "api": env.str("API_THROTTLE_USER", default="1200/min"),  # per caller, see above
        "login": env.str("API_THROTTLE_LOGIN", default="20/min"),
    },
    "EXCEPTION_HANDLER": "agency.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "agency.schema.AutoSchema",
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": True,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "社保代理服务平台 API",
    "DESCRIPTION": "REST API for client HR systems and back-office integrations (v1).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- Celery: Redis when CELERY_BROKER_URL says so, else a broker that needs no server ---
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir / "queue"),
        "data_folder_out": str(_queue_dir / "queue"),
        "processed_folder": str(_queue_dir / "processed"),
        "control_folder": str(_queue_dir / "control"),
        "store_processed": False,
    }
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # A task a killed worker had taken (acks_late) stays unacknowledged in Redis and is
    # delivered again only this many seconds after it was taken: longer than any task runs
    # (a slower one would be delivered twice; each is idempotent, so that costs time, not
    # data), short enough that a month's run or a PDF batch resumes the same hour.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    }
CELERY_RESULT_BACKEND = env.str(
    "CELERY_RESULT_BACKEND", default=f"file://{VAR_DIR / 'celery-results'}"
)
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Webhooks to client systems -----------------------------------------------------
# Hosts allowed over plain HTTP and inside private networks (tests, local demo only).
WEBHOOK_ALLOW_HTTP_HOSTS = [h for h in env.list("WEBHOOK_ALLOW_HTTP_HOSTS", default=[]) if h]
WEBHOOK_TIMEOUT_SECONDS = env.int("WEBHOOK_TIMEOUT_SECONDS", default=10)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=8)

# Lines of roster orders a client may have checked per hour, all routes and keys together
# (enrollment.orders.validation.validation_budget_spend).
ORDER_VALIDATION_LINES_PER_HOUR = env.int("ORDER_VALIDATION_LINES_PER_HOUR", default=40_000)

# Exports with full ID numbers: at most this many persons, approved by a manager, downloaded
# once within the hours given (enrollment.persons.export_services).
EXPORT_FULL_ID_MAX_ROWS = env.int("EXPORT_FULL_ID_MAX_ROWS", default=200)
EXPORT_FULL_ID_TTL_HOURS = env.int("EXPORT_FULL_ID_TTL_HOURS", default=24)

# How long an Idempotency-Key is remembered (agency.idempotency).
IDEMPOTENCY_TTL_HOURS = env.int("IDEMPOTENCY_TTL_HOURS", default=24)

# `seed_demo` (demo users with published passwords) runs only where this is on: the local
# demo (DEBUG) by default, never a production database.
DEMO_DATA_ALLOWED = env.bool("DJANGO_ALLOW_DEMO", default=DEBUG)

# --- The agency itself (printed on proofs of enrolment) ------------------------------
AGENCY_NAME = env.str("AGENCY_NAME", default="社保代理服务平台")

# --- Logins: lockout (django-axes), staff two-factor (django-otp), proxies, API tokens ---
# How many reverse proxies in front of Django each append one address to X-Forwarded-For.
# 0: nobody's header is trusted, the peer address (REMOTE_ADDR) is the caller. One number
# for DRF's throttles, axes' lockout and the audit log (all through agency.http.client_ip).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
REST_FRAMEWORK["NUM_PROXIES"] = TRUSTED_PROXY_COUNT
INSTALLED_APPS += ["axes", "django_otp", "django_otp.plugins.otp_totp"]
_auth_mw = MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1
MIDDLEWARE[_auth_mw:_auth_mw] = [
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified()
    "agency.middleware.staff_two_factor_middleware",  # staff who must, verify first
]
MIDDLEWARE.append("axes.middleware.AxesMiddleware")  # last, as axes asks
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked (user, address)
    "django.contrib.auth.backends.ModelBackend",
]
# Locked after this many failures of one username from one address, for the cool-off.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.int("LOGIN_LOCKOUT_MINUTES", default=30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "agency.http.client_ip"
AXES_LOCKOUT_CALLABLE = "agency.views.locked_out"
AXES_HTTP_RESPONSE_CODE = 429
# Staff whose role reveals ID numbers or manages users (agency.roles.OTP_ROLES) confirm
# each login with a TOTP code. Only the local `make run` demo turns this off.
STAFF_OTP_REQUIRED = env.bool("STAFF_OTP_REQUIRED", default=True)
OTP_TOTP_ISSUER = AGENCY_NAME
# A user's API token older than this answers 401; logging in again issues a new one.
API_TOKEN_TTL_HOURS = env.int("API_TOKEN_TTL_HOURS", default=12)

# --- E-mail --------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="noreply@sbportal.local")

# --- Logging ---------------------------------------------------------------------------
# One line per record on stdout: JSON (time, level, logger, message, request_id) in
# production, readable text under DEBUG; LOG_FORMAT=json|plain chooses. Every record is
# stamped with the request id (agency.middleware.request_id_middleware) and has anything
# like an ID number masked to its last four characters before it is written.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json")  # else: no start
_LOG_HANDLERS = ["console"]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "agency.logging.RequestIdFilter"},
        "redact_id_numbers": {"()": "agency.logging.RedactIdNumbersFilter"},
    },
    "formatters": {
        "json": {"()": "agency.logging.JsonFormatter"},
        "plain": {"()": "agency.logging.PlainFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT,
                             "filters": ["request_id", "redact_id_numbers"]}},
    "root": {"handlers": _LOG_HANDLERS, "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own loggers write through the same handler (not its default ones)
        "django": {"handlers": _LOG_HANDLERS, "level": "INFO", "propagate": False},
        "django.server": {"handlers": _LOG_HANDLERS, "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
    },
}
