"""The one settings module. Every value comes from an environment variable listed in env.py."""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

from onewindow.env import (
    ConfigError,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_proxy_ssl_header,
    env_str,
    env_task_engine,
)
from onewindow.lib.ids import ID_SCHEMA

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent
DATA_DIR = Path(env_str("ONEWINDOW_DATA_DIR", str(BASE_DIR / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    configured = env_str("SECRET_KEY", "")
    if configured:
        return configured
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# docs/decisions.md §S3: HTTPS behind a reverse proxy, set per deployment (README "Production").
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the load balancer probes over plain HTTP
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_PROXY_SSL_HEADER = env_proxy_ssl_header("SECURE_PROXY_SSL_HEADER")
# Content-Security-Policy (django-csp): scripts and styles only from our own static files or
# carrying the per-response nonce (the API docs' init scripts); no inline code, no CDN.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "worker-src": [SELF, "blob:"],  # Redoc's search index runs in a worker
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "onewindow.accounts.axes_app.AxesConfig",  # django-axes, with a Chinese admin heading
    # the staff second factor: TOTP devices and recovery codes (docs/decisions.md §S6)
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "onewindow.core",
    "onewindow.audit",
    "onewindow.accounts",
    "onewindow.calendars",
    "onewindow.catalog",
    "onewindow.lists",
    "onewindow.cases",
    "onewindow.search",
    "onewindow.portal",
    "onewindow.api",
    "onewindow.notifications",
    "onewindow.review",
    "onewindow.certificates",
    "onewindow.ratings",
    "onewindow.supervision",
    "onewindow.sitehelp",
    "onewindow.publicity",
    "onewindow.agencies",
    "onewindow.consult",
    "onewindow.stats",
    "onewindow.bundles",
    "onewindow.projects",
    "onewindow.conduct",
    "onewindow.appointments",
    "onewindow.delegation",
    "onewindow.queue",
    "onewindow.privacy",
]

MIDDLEWARE = [
    # First: the request id and the access line (docs/operations.md §W7) cover every answer below.
    "onewindow.core.middleware.request_context",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # docs/decisions.md §S6, §S7: ended and timed-out sessions, the staff second factor
    "onewindow.accounts.middleware.staff_session",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "onewindow.core.middleware.refuse_oversized_bodies",
    "onewindow.core.middleware.refuse_nul_characters",
    # Last: turns a sign-in refused for a lockout into the 429 page or JSON (accounts.lockout).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "onewindow.urls"
WSGI_APPLICATION = "onewindow.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "onewindow.core.context_processors.site",
                "csp.context_processors.nonce",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
CONN_MAX_AGE = env_int("CONN_MAX_AGE", 60, minimum=0)
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'onewindow.sqlite3'}")
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=CONN_MAX_AGE, conn_health_checks=True)
IS_SQLITE = _db["ENGINE"] == "django.db.backends.sqlite3"
SQLITE_WRITE_QUEUE = env_bool("SQLITE_WRITE_QUEUE", False)
if IS_SQLITE:
    # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN so a
    # transaction never fails half-way on a lock upgrade; the busy timeout queues writers.
    # SQLITE_WRITE_QUEUE=1 makes writers wait on a blocking lock instead of the busy handler's
    # back-off naps (onewindow/lib/sqlite/base.py); off until bench/writers_bench.py shows it
    # helping on an idle machine (on the shared machine, under load 12, it did not). Only then
    # is the engine ours: pytest-django names per-worker test databases by the stock engine.
    if SQLITE_WRITE_QUEUE:
        _db["ENGINE"] = "onewindow.lib.sqlite"
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA busy_timeout=20000; PRAGMA cache_size=-20000; "
            # docs/rules/privacy.md §P1: rewritten personal values do not linger in free pages
            "PRAGMA secure_delete=ON;"
        ),
    }
    _db["TEST"] = {"NAME": env_str("SQLITE_TEST_NAME", "") or None}
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- background work (docs/rules/tasks.md §X1) --------------------------------------------------
# embedded: ``onewindow worker`` runs the jobs in its own loop (one machine; SQLite or PostgreSQL).
# procrastinate: jobs are rows in PostgreSQL, deferred in the transaction of the change that
# causes them and run by any number of ``onewindow worker`` processes on any machine.
TASK_ENGINE = env_task_engine("TASK_ENGINE", is_sqlite=IS_SQLITE)
if not IS_SQLITE:
    # procrastinate's schema (PL/pgSQL migrations) is installed on every PostgreSQL database,
    # whichever engine runs now, so switching TASK_ENGINE never needs a migration; SQLite
    # cannot run those migrations and never has the app (docs/rules/tasks.md §X1).
    INSTALLED_APPS.append("procrastinate.contrib.django")
PROCRASTINATE_AUTODISCOVER_MODULE_NAME = None  # tasks are registered by onewindow.core.engine
WORKER_CONCURRENCY = env_int("WORKER_CONCURRENCY", 2, minimum=1)

# --- cache and sessions -----------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
# docs/decisions.md §S2: rate limits (progress query, verification, API throttles) are counted in
# the "ratelimit" cache, which every worker process shares: Redis when configured, else the database
# cache table (created by the core migrations). "default" holds only per-process conveniences.
if REDIS_URL:
    _redis = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        # A Redis that stops answering fails a request (and /healthz) within seconds, not never.
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
    CACHES: dict[str, dict[str, Any]] = {
        "default": _redis,
        "ratelimit": {**_redis, "KEY_PREFIX": "ratelimit"},
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "ratelimit": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "onewindow_cache",
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        },
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- accounts ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# First the lockout check (docs/decisions.md §S1), then: username, or for applicants their ID number
# / credit code / phone; the admin role's permissions.
AUTHENTICATION_BACKENDS = [
    "onewindow.accounts.lockout.LockoutBackend",
    "onewindow.accounts.backends.IdentifierBackend",
]
# docs/decisions.md §S1: brute-force protection (django-axes). After LOGIN_FAILURE_LIMIT failures
# the account (any of its login names) and, separately, the client address are locked for
# LOGIN_COOLOFF_MINUTES; every further attempt during the lock restarts it. Attempts are kept
# in the database (shared by every worker), listed in the admin and logged ("axes" logger).
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_COOLOFF_MINUTES = env_int("LOGIN_COOLOFF_MINUTES", 15, minimum=1)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = "onewindow.accounts.lockout.cool_off_for"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_CALLABLE = "onewindow.accounts.lockout.login_name"
AXES_CLIENT_IP_CALLABLE = "onewindow.accounts.lockout.client_ip"
AXES_LOCKOUT_CALLABLE = "onewindow.accounts.lockout.lockout_response"
# Not reset by a success: a success resets every attempt of its address too, so one valid
# account would let an address guess at others' passwords for ever. Failures age out instead.
AXES_RESET_ON_SUCCESS = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_SENSITIVE_PARAMETERS = ["username", "password"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    # docs/decisions.md §S8: and the passwords most common in Chinese leaks
    {
        "NAME": "django.contrib.auth.password_validation.CommonPasswordValidator",
        "OPTIONS": {"password_list_path": PACKAGE_DIR / "accounts/data/common_passwords_cn.txt"},
    },
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# docs/decisions.md §S6, §S7: the staff second factor and how long a staff session lasts.
STAFF_IDLE_MINUTES = env_int("STAFF_IDLE_MINUTES", 30, minimum=1)
STAFF_SESSION_HOURS = env_int("STAFF_SESSION_HOURS", 12, minimum=1)
OTP_TOTP_ISSUER = "OneWindow 一窗通办"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows a device's secret
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"

# --- language and time ------------------------------------------------------------------------
LANGUAGE_CODE = env_choice("LANGUAGE_CODE", "zh-hans", ("zh-hans", "en"))
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- files ------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_ROOT = DATA_DIR / "files"
# docs/rules/audit.md §Z12: the private SM2 signing keys, one file per key, outside the database
# (and outside backups: keep a copy of this directory apart, like SECRET_KEY).
SIGNING_KEY_DIR = Path(
    env_str("SIGNING_KEY_DIR", str(DATA_DIR / "keys"))
)  # never served directly: downloads go through access-checked views
# docs/rules/privacy.md §P3: the SM4 keys that seal personal data and the blind-index key, files
# outside the database (keep a copy apart from the backups: without them the data is unreadable).
DATA_KEY_DIR = Path(env_str("DATA_KEY_DIR", str(DATA_DIR / "keys")))
# docs/rules/privacy.md §P5: a closed case's personal data is anonymised this many years after it
# closed (and once no certificate of it is still in force).
PERSONAL_DATA_RETENTION_YEARS = env_int("PERSONAL_DATA_RETENTION_YEARS", 30)
# docs/operations.md §W5: in production (STATIC_MANIFEST=true) every static file's name carries
# a hash of its content, so nginx may let browsers keep it for a year; `onewindow migrate`
# collects them and `onewindow web` refuses to start without the manifest. The default keeps
# `onewindow run` and the tests free of a collect step.
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "whitenoise.storage.CompressedStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
MAX_UPLOAD_MB = env_int("MAX_UPLOAD_MB", 20, minimum=1)
# docs/decisions.md §S4: a body announcing more than this is refused before it is read
# (core.middleware.refuse_oversized_bodies); each file is held to MAX_UPLOAD_MB on its own.
MAX_REQUEST_MB = env_int("MAX_REQUEST_MB", max(100, MAX_UPLOAD_MB), minimum=MAX_UPLOAD_MB)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_UPLOAD_MB * 1024 * 1024 + 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

# --- API --------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Client IPs for throttling: trust X-Forwarded-For only from this many proxies in front.
    "NUM_PROXIES": env_int("NUM_PROXIES", 0, minimum=0),
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "onewindow.api.pagination.Pagination",
    "EXCEPTION_HANDLER": "onewindow.api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anon": env_str("API_THROTTLE_ANON", "120/min")},
    "PAGE_SIZE": 20,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "OneWindow API（一窗通办）",
    "DESCRIPTION": "一窗通办政务服务平台 REST API(OneWindow government service platform).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None},
    # ``<id:…>`` path segments (onewindow.lib.ids): integers of at most 18 digits.
    "PATH_CONVERTER_OVERRIDES": {"id": ID_SCHEMA},
    # Statuses every operation may answer before its view runs (onewindow.api.schema).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "onewindow.api.schema.document_answers_before_the_view",
    ],
    "ENUM_NAME_OVERRIDES": {
        "RegionLevelEnum": "onewindow.catalog.models.RegionLevel",
        "ItemTypeEnum": "onewindow.catalog.models.ItemType",
        "ToleranceCategoryEnum": "onewindow.catalog.models.ToleranceCategory",
        "DeliveryMethodEnum": "onewindow.catalog.models.DeliveryMethod",
        "StepKindEnum": "onewindow.catalog.models.StepKind",
        "CaseStatusEnum": "onewindow.cases.models.CaseStatus",
        "AccessKindEnum": "onewindow.audit.models.AccessKind",
        "SecurityActionEnum": "onewindow.audit.models.SecurityAction",
        "CleanupActionEnum": "onewindow.lists.models.CleanupAction",
        "CasePriorityEnum": "onewindow.cases.models.CasePriority",
        "MaterialStatusEnum": "onewindow.cases.models.MaterialStatus",
        "CommitmentStatusEnum": "onewindow.cases.models.CommitmentStatus",
        "CertificateStatusEnum": "onewindow.certificates.models.CertificateStatus",
        "DeliveryStatusEnum": "onewindow.certificates.models.DeliveryStatus",
        "DecisionKindEnum": "onewindow.review.models.DecisionKind",
        "ExtensionStatusEnum": "onewindow.review.models.ExtensionStatus",
        "SuspensionKindEnum": "onewindow.review.models.SuspensionKind",
        "TaskStatusEnum": "onewindow.review.models.TaskStatus",
        "OpinionKindEnum": "onewindow.review.models.OpinionKind",
        "NoticeKindEnum": "onewindow.cases.models.NoticeKind",
        "PeriodKindEnum": "onewindow.supervision.models.PeriodKind",
        "AnnouncementCategoryEnum": "onewindow.publicity.models.AnnouncementCategory",
        "PublicityStatusEnum": "onewindow.publicity.models.PublicityStatus",
        "LinkCategoryEnum": "onewindow.sitehelp.models.LinkCategory",
        "AudienceEnum": "onewindow.sitehelp.models.Audience",
        # questions and objections share 待答复 / 已答复: one enum serves both
        "AnswerStatusEnum": "onewindow.consult.models.QuestionStatus",
        "ComplaintStatusEnum": "onewindow.consult.models.ComplaintStatus",
        "ComplaintResultEnum": "onewindow.consult.models.ComplaintResult",
        "CaseChannelEnum": "onewindow.cases.models.Channel",
        "RatingChannelEnum": "onewindow.ratings.models.RatingChannel",
        "RatingLevelEnum": "onewindow.ratings.models.Level",
        "AppealReasonEnum": "onewindow.ratings.models.AppealReason",
        "AgencyStatusEnum": "onewindow.agencies.models.AgencyStatus",
        "AgencyJobStatusEnum": "onewindow.agencies.models.JobStatus",
        "AgencySelectionMethodEnum": "onewindow.agencies.models.Method",
        "AgencyGradeEnum": "onewindow.agencies.models.Grade",
        "AppointmentPriorityEnum": "onewindow.appointments.models.Priority",
    },
}

# --- domain settings --------------------------------------------------------------------------
# docs/rules/workdays.md §A2: a submission on a non-working day is deemed received on the next
# working day.
RECEIVE_ON_NON_WORKING_DAY = env_choice("RECEIVE_ON_NON_WORKING_DAY", "next", ("next", "same"))
# docs/product.md §C9: the public progress query is rate-limited per client address.
PROGRESS_QUERY_PER_MINUTE = env_int("PROGRESS_QUERY_PER_MINUTE", 20, minimum=1)
# docs/rules/licensing.md §C2: silence counts as consent (configurable, default on).
DEEMED_CONSENT = env_bool("DEEMED_CONSENT", True)
# docs/product.md §C6: certificates are signed with HMAC-SHA256 under this key (never sent to a
# client).
CERTIFICATE_SIGNING_KEY = (
    env_str("CERTIFICATE_SIGNING_KEY", "")
    or hashlib.sha256(f"onewindow-certificate:{SECRET_KEY}".encode()).hexdigest()
)
# docs/product.md §C6: the public certificate verification is rate-limited per client address.
CERTIFICATE_VERIFY_PER_MINUTE = env_int("CERTIFICATE_VERIFY_PER_MINUTE", 30, minimum=1)
# docs/rules/hall.md §J11: after this many priority calls in a row at a window, one ordinary ticket
# is called if one is waiting.
QUEUE_PRIORITY_STREAK = env_int("QUEUE_PRIORITY_STREAK", 3, minimum=1)
# docs/rules/hall.md §J10: tickets a minute per client address at the kiosk and the public API.
QUEUE_TICKETS_PER_MINUTE = env_int("QUEUE_TICKETS_PER_MINUTE", 30, minimum=1)
# docs/rules/consultation.md §K1: a question is answered within this many working days.
CONSULT_REPLY_DAYS = env_int("CONSULT_REPLY_DAYS", 5, minimum=1)
BACKGROUND_INTERVAL = env_int("BACKGROUND_INTERVAL", 60, minimum=1)
WEB_WORKERS = env_int("WEB_WORKERS", 2, minimum=1)
WEB_THREADS = env_int("WEB_THREADS", 4, minimum=1)
# docs/operations.md §W6: every background worker writes a heartbeat row this often; /healthz
# fails when the freshest one is older than WORKER_HEARTBEAT_MAX_AGE.
WORKER_HEARTBEAT_SECONDS = env_int("WORKER_HEARTBEAT_SECONDS", 10, minimum=1)
WORKER_HEARTBEAT_MAX_AGE = env_int(
    "WORKER_HEARTBEAT_MAX_AGE", 60, minimum=WORKER_HEARTBEAT_SECONDS + 1
)

# --- audit chain (docs/rules/audit.md §Z2, §Z5) --------------------------------------------------
AUDIT_SEAL_SECONDS = env_int("AUDIT_SEAL_SECONDS", 10, minimum=1)
AUDIT_HEAD_DIR = Path(env_str("AUDIT_HEAD_DIR", str(DATA_DIR / "audit-heads"))).resolve()

# --- notifications (docs/product.md §C9): backends per channel, retries, SMTP ---------------------
_OUTBOX_ONLY = "onewindow.notifications.backends.OutboxOnlyBackend"
NOTIFICATION_BACKENDS = {
    "email": env_str("NOTIFY_EMAIL_BACKEND", _OUTBOX_ONLY),
    "sms": env_str("NOTIFY_SMS_BACKEND", _OUTBOX_ONLY),
}
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 6, minimum=1)
NOTIFY_RETRY_SECONDS = env_int("NOTIFY_RETRY_SECONDS", 60, minimum=1)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ConfigError("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be true")
EMAIL_TIMEOUT = 10  # seconds: a hanging SMTP server must not hold a request or the worker
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "noreply@localhost")

# --- logs (docs/operations.md §W7) ----------------------------------------------------------------
# Every line carries what the request or job it belongs to is (core.logcontext): request_id,
# user, method and path, or job and job_run. LOG_FORMAT=json writes one JSON object a line for the
# log collector; text (the default) is for a terminal. One access line a request comes from
# core.middleware.request_context ("onewindow.access"); gunicorn's own access log is off.
LOG_FORMAT = env_choice("LOG_FORMAT", "text", ("text", "json"))
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "onewindow.core.logcontext.ContextFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(context)s] %(message)s"},
        "json": {"()": "onewindow.core.logcontext.json_formatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["context"],
        }
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "onewindow": {"level": "INFO"},
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
        # pypdf warns about every repaired cross-reference table of an uploaded PDF.
        "pypdf": {"level": "ERROR"},
        "gunicorn.error": {"level": "INFO", "propagate": True},
        "gunicorn.access": {"level": "CRITICAL", "propagate": False},
    },
}

SITE_NAME = _("鄂州市政务服务网上办事大厅")
# docs/rules/publicity.md §L7: the site's identification fields in every page's footer.
# Absolute links in SMS and email (the one-time rating link, docs/rules/satisfaction.md §E4).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
SITE_IDENTITY = {
    "sponsor": env_str("SITE_SPONSOR", "鄂州市行政审批局"),
    "organizer": env_str("SITE_ORGANIZER", "鄂州市政务服务中心"),
    "code": env_str("SITE_CODE", "4207000000"),
    "icp": env_str("SITE_ICP", "鄂ICP备00000000号"),
    "psb": env_str("SITE_PSB", "鄂公网安备42070002000000号"),
    "contact": env_str("SITE_CONTACT", "0711-12345（政务服务便民热线）"),
}
# docs/rules/publicity.md §L8: error reports are rate-limited per client address.
ERROR_REPORT_PER_MINUTE = env_int("ERROR_REPORT_PER_MINUTE", 3, minimum=1)
