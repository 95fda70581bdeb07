"""Typed readers for environment variables that fail loudly on bad values.

Every variable OneWindow reads is declared in ``VARIABLES`` with its default and meaning;
the README's table is generated from the same list (``onewindow env``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


class ConfigError(RuntimeError):
    """A setting in the environment has a value we cannot use."""


@dataclass(frozen=True)
class Variable:
    name: str
    default: str
    help: str


VARIABLES: list[Variable] = [
    Variable(
        "ONEWINDOW_DATA_DIR", "./var", "Directory for the SQLite file, uploads and generated files."
    ),
    Variable(
        "DATABASE_URL",
        "sqlite:///<data dir>/onewindow.sqlite3",
        "Database: sqlite:///path or postgres://user:pass@host:port/name; also read from "
        "DATABASE_URL_FILE (production: the password stays out of the environment).",
    ),
    Variable(
        "TEST_DATABASE_URL",
        "(unset)",
        "Used by the test command: when set, the suite runs a second time on this database.",
    ),
    Variable(
        "TEST_WORKERS",
        "2",
        "Used by the test command: how many pytest-xdist processes run the suite (each with its "
        "own test database); 0 runs it in one process.",
    ),
    Variable(
        "REDIS_URL",
        "(unset)",
        "Redis for cache, rate-limit counts and sessions; unset means the database cache table "
        "for rate limits (shared by every worker), local memory for the rest and DB sessions. "
        "Also read from REDIS_URL_FILE. Set it when several web machines serve (docs/operations.md §W4).",
    ),
    Variable(
        "SECRET_KEY",
        "(random per data dir)",
        "Django secret; also read from SECRET_KEY_FILE. Generated into the data dir when unset.",
    ),
    Variable("DEBUG", "false", "Django debug pages. Never true in production."),
    # --- audit chain (docs/rules/audit.md §Z2, §Z5) ---
    Variable(
        "AUDIT_SEAL_SECONDS",
        "10",
        "How often the background loop chains newly written event rows (SM3 audit chain).",
    ),
    Variable(
        "AUDIT_HEAD_DIR",
        "<data dir>/audit-heads",
        "Directory for the exported audit chain heads (one append-only file a day); keep it "
        "off the database server, e.g. on write-once storage.",
    ),
    Variable(
        "ALLOWED_HOSTS",
        "127.0.0.1,localhost,[::1],testserver",
        "Comma-separated host names served.",
    ),
    Variable(
        "CSRF_TRUSTED_ORIGINS", "(empty)", "Comma-separated origins for HTTPS reverse proxies."
    ),
    Variable("SECURE_COOKIES", "false", "Send session and CSRF cookies over HTTPS only."),
    Variable(
        "SECURE_SSL_REDIRECT",
        "false",
        "Redirect every plain-HTTP request to HTTPS (except /healthz, the load balancer's probe).",
    ),
    Variable(
        "SECURE_HSTS_SECONDS",
        "0",
        "Strict-Transport-Security max-age in seconds; 0 sends no HSTS header. Production: "
        "31536000 once HTTPS works for every host name.",
    ),
    Variable(
        "SECURE_HSTS_INCLUDE_SUBDOMAINS", "false", "Add includeSubDomains to the HSTS header."
    ),
    Variable("SECURE_HSTS_PRELOAD", "false", "Add preload to the HSTS header."),
    Variable(
        "SECURE_PROXY_SSL_HEADER",
        "(unset)",
        "Header the TLS-terminating reverse proxy sets to https, e.g. X-Forwarded-Proto; only "
        "set it when the proxy always sets or strips that header.",
    ),
    Variable("CONN_MAX_AGE", "60", "Seconds a database connection is kept open between requests."),
    Variable("LANGUAGE_CODE", "zh-hans", "Default language (zh-hans or en)."),
    Variable("TIME_ZONE", "Asia/Shanghai", "Time zone used for dates on notices and deadlines."),
    Variable(
        "WEB_WORKERS",
        "2",
        "Gunicorn worker processes started by `onewindow run` and `onewindow web`.",
    ),
    Variable("WEB_THREADS", "4", "Threads per gunicorn worker."),
    Variable(
        "WORKER_HEARTBEAT_SECONDS",
        "10",
        "Seconds between a background worker's heartbeats (the core_workerheartbeat table).",
    ),
    Variable(
        "WORKER_HEARTBEAT_MAX_AGE",
        "60",
        "/healthz answers 503 when the freshest worker heartbeat is older than this many seconds "
        "(docs/operations.md §W6).",
    ),
    Variable(
        "LOG_FORMAT",
        "text",
        "Log lines as text or json (one JSON object a line with request_id, user, method, path; "
        "production: json, docs/operations.md §W7).",
    ),
    Variable(
        "STATIC_MANIFEST",
        "false",
        "true: static files carry a content hash in their names (collected by `onewindow migrate`; "
        "nginx caches them for a year). Production: true, docs/operations.md §W5.",
    ),
    Variable(
        "BACKGROUND_INTERVAL",
        "60",
        "Period of most periodic jobs, in seconds: each runs once per period across all workers.",
    ),
    Variable(
        "TASK_ENGINE",
        "embedded",
        "What runs background work: embedded (the loop of `onewindow worker`; one machine, SQLite "
        "or PostgreSQL) or procrastinate (jobs queued in PostgreSQL in the transaction that causes "
        "them, run by workers on any number of machines; PostgreSQL only). "
        "docs/rules/tasks.md §X1.",
    ),
    Variable(
        "WORKER_CONCURRENCY",
        "2",
        "procrastinate engine: jobs one `onewindow worker` runs at once, each in a thread with "
        "its own database connection (so a long sweep never holds back deliveries); "
        "`--concurrency` overrides.",
    ),
    Variable(
        "SQLITE_WRITE_QUEUE",
        "0",
        "SQLite only: 1 makes writers wait on a blocking lock (flock, every thread and process) "
        "instead of SQLite's busy handler and its back-off naps (experimental; make bench-writers).",
    ),
    Variable(
        "RECEIVE_ON_NON_WORKING_DAY",
        "next",
        "A submission on a non-working day counts as received "
        "on the next working day (next) or on that day (same). docs/rules/workdays.md §A2.",
    ),
    Variable(
        "CONSULT_REPLY_DAYS",
        "5",
        "Working days a department has to answer an online question. "
        "docs/rules/consultation.md §K1.",
    ),
    Variable(
        "QUEUE_PRIORITY_STREAK",
        "3",
        "Queue tickets: after this many priority calls in a row at a window, one waiting ordinary "
        "ticket is called. docs/rules/hall.md §J11.",
    ),
    Variable(
        "QUEUE_TICKETS_PER_MINUTE",
        "30",
        "Queue tickets taken at the kiosk or through the public API per client address per minute "
        "(429, nothing issued, above it). docs/rules/hall.md §J10.",
    ),
    Variable(
        "LOGIN_FAILURE_LIMIT",
        "5",
        "Failed sign-ins (page, admin, API token) after which the account and, separately, the "
        "client address are locked out.",
    ),
    Variable(
        "STAFF_IDLE_MINUTES",
        "30",
        "A staff session without a request for this long ends (docs/decisions.md §S7).",
    ),
    Variable(
        "STAFF_SESSION_HOURS",
        "12",
        "A staff session ends this long after its sign-in, however active (docs/decisions.md §S7).",
    ),
    Variable(
        "LOGIN_COOLOFF_MINUTES",
        "15",
        "Minutes a lockout lasts; each attempt during it restarts the count. The security "
        "administrator unlocks earlier on the security console or with `onewindow unlock`.",
    ),
    Variable("MAX_UPLOAD_MB", "20", "Largest accepted upload, in MiB."),
    Variable(
        "MAX_REQUEST_MB",
        "100",
        "Largest request body, in MiB (all files of one form together; at least MAX_UPLOAD_MB): "
        "a larger Content-Length is refused with 413 before the body is read.",
    ),
    Variable(
        "DEEMED_CONSENT",
        "true",
        "A co-department silent at its due date is recorded as consenting（默许同意） and flagged "
        "(docs/rules/licensing.md §C2); false leaves the task open and overdue.",
    ),
    Variable(
        "CERTIFICATE_SIGNING_KEY",
        "(derived from SECRET_KEY)",
        "Key of the HMAC-SHA256 signature over certificate fields; also read from "
        "CERTIFICATE_SIGNING_KEY_FILE. Changing it makes every issued certificate read as tampered.",
    ),
    Variable(
        "SIGNING_KEY_DIR",
        "<data dir>/keys",
        "The private SM2 keys that sign certificates, one file per key, readable by OneWindow "
        "only (docs/rules/audit.md §Z12). Not in backups: keep a copy apart.",
    ),
    Variable(
        "DATA_KEY_DIR",
        "<data dir>/keys",
        "The SM4 keys that seal identity numbers, phone numbers, addresses and application forms, "
        "and the blind-index key (docs/rules/privacy.md §P3). Without them that data is "
        "unreadable: keep a copy apart from the backups.",
    ),
    Variable(
        "PERSONAL_DATA_RETENTION_YEARS",
        "30",
        "Years after a case closes (and its certificates lapse) before the retention job "
        "anonymises its personal data (docs/rules/privacy.md §P5).",
    ),
    Variable(
        "NUM_PROXIES",
        "0",
        "Reverse proxies in front of OneWindow; X-Forwarded-For is trusted only through them.",
    ),
    Variable("API_THROTTLE_ANON", "120/min", "Rate limit for anonymous API clients."),
    Variable(
        "PROGRESS_QUERY_PER_MINUTE",
        "20",
        "Progress queries (page and API together) allowed per client address per minute.",
    ),
    Variable(
        "CERTIFICATE_VERIFY_PER_MINUTE",
        "30",
        "Certificate verifications (page and API together) allowed per client address per minute.",
    ),
    Variable(
        "SQLITE_TEST_NAME",
        "(in memory)",
        "Test runs on SQLite: a file path for the test database (the test command sets one so "
        "the concurrency tests run).",
    ),
    Variable(
        "NOTIFY_EMAIL_BACKEND",
        "onewindow.notifications.backends.OutboxOnlyBackend",
        "Email notifications: OutboxOnlyBackend (the outbox row is the record) or "
        "onewindow.notifications.backends.DjangoEmailBackend (sends with the EMAIL_* settings).",
    ),
    Variable(
        "NOTIFY_SMS_BACKEND",
        "onewindow.notifications.backends.OutboxOnlyBackend",
        "SMS notifications: dotted path of a gateway class with send(message) "
        "(see onewindow/notifications/backends.py).",
    ),
    Variable(
        "NOTIFY_MAX_ATTEMPTS", "6", "Delivery attempts per notification before it is marked failed."
    ),
    Variable(
        "NOTIFY_RETRY_SECONDS",
        "60",
        "Wait before the first retry of a failed notification; doubles on each further attempt.",
    ),
    Variable("EMAIL_HOST", "localhost", "SMTP server for DjangoEmailBackend."),
    Variable("EMAIL_PORT", "25", "SMTP port."),
    Variable("EMAIL_HOST_USER", "(empty)", "SMTP user name."),
    Variable(
        "EMAIL_HOST_PASSWORD", "(empty)", "SMTP password; also read from EMAIL_HOST_PASSWORD_FILE."
    ),
    Variable("EMAIL_USE_TLS", "false", "STARTTLS to the SMTP server (usually port 587)."),
    Variable("EMAIL_USE_SSL", "false", "Implicit TLS to the SMTP server (usually port 465)."),
    Variable("DEFAULT_FROM_EMAIL", "noreply@localhost", "Sender address of notification emails."),
    Variable(
        "SITE_URL",
        "http://127.0.0.1:8000",
        "The site's public address; links sent by SMS and email (the one-time rating link) are "
        "made absolute with it. Set it to the address applicants reach, e.g. "
        "https://zwfw.example.gov.cn.",
    ),
    Variable(
        "SITE_SPONSOR",
        "鄂州市行政审批局",
        "Site identification in the footer: the sponsoring unit (主办单位).",
    ),
    Variable(
        "SITE_ORGANIZER",
        "鄂州市政务服务中心",
        "Site identification in the footer: the unit running the site (承办单位).",
    ),
    Variable(
        "SITE_CODE",
        "4207000000",
        "Government website identification code (网站标识码) shown in the footer; the demo "
        "value is a placeholder.",
    ),
    Variable(
        "SITE_ICP",
        "鄂ICP备00000000号",
        "ICP filing number (ICP备案号) shown in the footer; the demo value is a placeholder.",
    ),
    Variable(
        "SITE_PSB",
        "鄂公网安备42070002000000号",
        "Public security filing number (公安备案号) shown in the footer; demo placeholder.",
    ),
    Variable(
        "SITE_CONTACT",
        "0711-12345（政务服务便民热线）",
        "Contact line shown in the footer (联系方式).",
    ),
    Variable(
        "ERROR_REPORT_PER_MINUTE",
        "3",
        "Error reports (网站找错, page and API together) accepted per client address per minute.",
    ),
]


def env_str(name: str, default: str) -> str:
    """``name`` from the environment, or the contents of the file ``<name>_FILE`` names
    (docs/operations.md §W3: secrets live in files readable by the service user only)."""
    value = os.environ.get(name)
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        if value:
            raise ConfigError(
                f"{name} 与 {name}_FILE 只能设置一个 ({name} and {name}_FILE are both set; keep one)"
            )
        value = _read_secret_file(name, file_path)
    return default if value is None or value == "" else value


def _read_secret_file(name: str, file_path: str) -> str:
    try:
        value = Path(file_path).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise ConfigError(
            f"无法读取 {name}_FILE 指定的文件 {file_path}：{reason} "
            f"(cannot read the file {name}_FILE names: {file_path}: {reason})"
        ) from exc
    if not value:
        raise ConfigError(
            f"{name}_FILE 指定的文件 {file_path} 是空的 (the file {name}_FILE names is empty: {file_path})"
        )
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = env_str(name, "true" if default else "false").lower()
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = env_str(name, str(default))
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc
    if minimum is not None and value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def env_proxy_ssl_header(name: str) -> tuple[str, str] | None:
    """A header name such as ``X-Forwarded-Proto`` as Django's SECURE_PROXY_SSL_HEADER pair."""
    header = env_str(name, "").strip()
    if not header:
        return None
    if not all(part.isalnum() for part in header.split("-")):
        raise ConfigError(f"{name} must be a header name like X-Forwarded-Proto, got {header!r}")
    return ("HTTP_" + header.upper().replace("-", "_"), "https")


def env_list(name: str, default: str) -> list[str]:
    return [part.strip() for part in env_str(name, default).split(",") if part.strip()]


TASK_ENGINES = ("embedded", "procrastinate")


def env_task_engine(name: str, *, is_sqlite: bool) -> str:
    """``embedded`` or ``procrastinate``; procrastinate needs PostgreSQL (docs/rules/tasks.md §X1)."""
    value = env_str(name, "embedded").strip().lower()
    if value not in TASK_ENGINES:
        raise ConfigError(
            f"{name} 只能是 embedded 或 procrastinate，而不是 {value!r} "
            f"({name} must be embedded or procrastinate, got {value!r})"
        )
    if value == "procrastinate" and is_sqlite:
        raise ConfigError(
            f"{name}=procrastinate 需要 PostgreSQL：请设置 DATABASE_URL=postgres://…，"
            f"或在 SQLite 上使用 {name}=embedded "
            f"({name}=procrastinate needs PostgreSQL: set DATABASE_URL to a postgres:// URL, or "
            f"use {name}=embedded on SQLite)"
        )
    return value


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env_str(name, default)
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value
