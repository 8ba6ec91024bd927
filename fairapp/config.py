"""Configuration: defaults here; `instance/config.py` and the environment override them.

Environment variables read: DATABASE_URL, SECRET_KEY, MAIL_SERVER, MAIL_PORT, MAIL_USERNAME,
MAIL_PASSWORD, MAIL_USE_TLS, MAIL_DEFAULT_SENDER, SESSION_COOKIE_SECURE, RATELIMIT_STORAGE_URI,
PREFERRED_URL_SCHEME, SERVER_NAME, BASE_URL (the site's address, for links in mail sent by commands and
in certificates' QR codes), CERTIFICATE_SIGNING_KEY, PROXY_COUNT, CELERY_BROKER_URL, JOBS_MODE,
CELERY_VISIBILITY_TIMEOUT, CERTIFICATE_CHUNK_LEASE, MAIL_SWEEP_AFTER, SWEEP_EVERY (seconds), STORAGE_URL (s3://<bucket>?endpoint_url=...&region=...: files in S3, core.storage; unset: UPLOAD_DIR).
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def normalize_database_url(url: str) -> str:
    """Accept the URL forms hosting platforms hand out and pick the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _secret_key(instance_path: str) -> str:
    """SECRET_KEY from the environment; else one generated once under instance/.

    Several app servers must share one key (set SECRET_KEY); the file is the embedded default.
    """
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def load(app, overrides: dict | None) -> None:
    """Fill app.config: defaults, then instance/config.py, then environment, then overrides."""
    inst = app.instance_path
    cfg = app.config
    cfg.update(
        SQLALCHEMY_DATABASE_URI="sqlite:///" + os.path.join(inst, "fairapp.db"),
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        MAX_CONTENT_LENGTH=64 * 1024 * 1024,  # several phone photos in one request
        MAX_FORM_MEMORY_SIZE=2 * 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=True,
        REMEMBER_COOKIE_SECURE=True,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=60 * 60 * 12,
        WTF_CSRF_TIME_LIMIT=60 * 60 * 12,
        BABEL_DEFAULT_LOCALE="th",
        BABEL_DEFAULT_TIMEZONE="Asia/Bangkok",
        LANGUAGES=("th", "en"),
        MAIL_SERVER=None,
        MAIL_PORT=587,
        MAIL_USE_TLS=True,
        MAIL_USERNAME=None,
        MAIL_PASSWORD=None,
        MAIL_DEFAULT_SENDER="fairapp <no-reply@fairapp.local>",
        MAIL_OUTBOX_DIR=os.path.join(inst, "mail"),
        # The data protection officer's contact and the controller's address, as the privacy notices say
        # them (PDPA s.23); set them for a real deployment.
        PRIVACY_DPO_EMAIL="dpo@fairapp.local",
        PRIVACY_DPO_PHONE="",
        PRIVACY_CONTROLLER_ADDRESS="",
        # Request limits counted in the app's database, shared by every server process (core.ratelimit);
        # a redis:// (or other `limits`) URI replaces it; memory:// counts per process.
        RATELIMIT_STORAGE_URI=None,  # unset: the broker's Redis when there is one, else the database
        RATELIMIT_HEADERS_ENABLED=True,
        # Redis down: count in this process until it is back (Flask-Limiter's fallback), never a 500.
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
        LOGIN_RATE_LIMIT="10 per minute;50 per hour",
        PASSWORD_HASH_METHOD="scrypt",
        CONFIRM_TOKEN_MAX_AGE=7 * 24 * 3600,
        RESET_TOKEN_MAX_AGE=2 * 3600,
        INVITATION_DAYS=14,
        # Links in mail sent outside a request (scheduled commands) start with this.
        BASE_URL="http://127.0.0.1:5000",
        # Certificates: the Ed25519 key that signs QR payloads (PEM or base64url of the 32-byte seed).
        # Unset: one generated once under instance/. Several app servers must share one (set it).
        CERTIFICATE_SIGNING_KEY=None,
        PROXY_COUNT=0,  # reverse proxies in front (X-Forwarded-For/Proto/Host trusted from that many)
        CERTIFICATE_RATE_LIMIT="30 per minute;300 per hour",
        CERTIFICATE_WORKERS=2,  # processes that render a batch's chunks in this process (not in a Celery worker)
        # A batch stores each certificate small: its artwork cut out and stored once, shared; every reader
        # (downloads, preview, kiosk) gets the issued PDF back byte for byte (printing.certificate_pdf).
        CERTIFICATE_PACKED=True,
        # Jobs (core.jobs): Celery over this broker (redis://...) when set; else in this process.
        CELERY_BROKER_URL=None,
        JOBS_MODE=None,  # celery | thread | inline; unset: celery with a broker, else thread
        CELERY_VISIBILITY_TIMEOUT=300,  # seconds before a task whose worker vanished is given to another
        # Files (core.storage): an S3 bucket when set (s3://<bucket>?endpoint_url=...&region=...), shared by
        # every server; unset: the local folder UPLOAD_DIR (default instance/uploads).
        STORAGE_URL=None,
    )
    cfg.from_pyfile("config.py", silent=True)
    env = os.environ
    if env.get("DATABASE_URL"):
        cfg["SQLALCHEMY_DATABASE_URI"] = env["DATABASE_URL"]
    for key in ("MAIL_SERVER", "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_DEFAULT_SENDER",
                "RATELIMIT_STORAGE_URI", "PREFERRED_URL_SCHEME", "SERVER_NAME", "BASE_URL",
                "CERTIFICATE_SIGNING_KEY", "CELERY_BROKER_URL", "JOBS_MODE", "STORAGE_URL",
                "PRIVACY_DPO_EMAIL", "PRIVACY_DPO_PHONE", "PRIVACY_CONTROLLER_ADDRESS",
                "CERTIFICATE_EARLIER_PUBLIC_KEYS"):  # Multikeys or base64url, space or comma separated
        if env.get(key):
            cfg[key] = env[key]
    for key in ("PROXY_COUNT", "CELERY_VISIBILITY_TIMEOUT", "CERTIFICATE_CHUNK_LEASE", "MAIL_SWEEP_AFTER",
                "SWEEP_EVERY"):
        if env.get(key):
            cfg[key] = int(env[key])
    if env.get("MAIL_PORT"):
        cfg["MAIL_PORT"] = int(env["MAIL_PORT"])
    cfg["MAIL_USE_TLS"] = _bool(env.get("MAIL_USE_TLS"), cfg["MAIL_USE_TLS"])
    secure = _bool(env.get("SESSION_COOKIE_SECURE"), cfg["SESSION_COOKIE_SECURE"])
    cfg["SESSION_COOKIE_SECURE"] = cfg["REMEMBER_COOKIE_SECURE"] = secure
    if overrides:
        cfg.update(overrides)
    cfg["SQLALCHEMY_DATABASE_URI"] = normalize_database_url(cfg["SQLALCHEMY_DATABASE_URI"])
    if not cfg.get("RATELIMIT_STORAGE_URI"):
        # Shared by every process and server either way: in the Redis the jobs use (a cluster), else in the
        # database (core.ratelimit).
        broker = cfg.get("CELERY_BROKER_URL") or ""
        cfg["RATELIMIT_STORAGE_URI"] = broker if broker.startswith(("redis://", "rediss://")) else "fairapp+db://"
    if cfg["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A write waits its turn for SQLite's one lock (BEGIN IMMEDIATE) up to 30 s, not the driver's 5 s:
        # under `make run` a request behind a long one (a certificate batch's chunk) waits, not a 500.
        options = dict(cfg["SQLALCHEMY_ENGINE_OPTIONS"])
        options["connect_args"] = {"timeout": 30, **options.get("connect_args", {})}
        cfg["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if not cfg.get("SECRET_KEY"):
        cfg["SECRET_KEY"] = _secret_key(inst)
