"""Configuration read from the environment; every setting has a documented default (docs/configuration.md)."""

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _bool(name: str, default: bool) -> bool:
    """Read a yes/no environment variable."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def database_url(url: str | None) -> str:
    """Return an SQLAlchemy URL, sending plain PostgreSQL URLs to the psycopg 3 driver."""
    if not url:
        return f"sqlite:///{INSTANCE_DIR / 'lang_nghe.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


# The values APP_ENV may take (create_app refuses any other, e.g. "Production" or "prod").
APP_ENVIRONMENTS = ("development", "production", "testing")
# Published here, so worthless as a secret: used only when APP_ENV=development asks for it.
DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-set-SECRET_KEY-in-production"


class Config:
    """Settings for development and production, taken from environment variables."""

    # development, production or testing; unset runs as production (SECRET_KEY required).
    APP_ENV = os.environ.get("APP_ENV", "")
    PRODUCTION = APP_ENV in ("", "production")
    SECRET_KEY = os.environ.get("SECRET_KEY") or (
        DEVELOPMENT_SECRET_KEY if APP_ENV == "development" else None
    )
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL"))
    # No pool_pre_ping: extensions.ping_when_idle checks only connections that sat idle.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # SQLite only: how long a write waits for another writer's lock before giving up (seconds).
    # Flask-Compress: only stylesheets, scripts and SVG (feedback/core/static_files.py says why).
    COMPRESS_MIMETYPES = ["text/css", "text/javascript", "application/javascript", "image/svg+xml"]
    SQLITE_BUSY_TIMEOUT = float(os.environ.get("SQLITE_BUSY_TIMEOUT", "15"))
    # PostgreSQL: seconds to open a connection, also when the server accepts it and stays silent.
    DATABASE_CONNECT_TIMEOUT = int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "3"))
    # PostgreSQL, web requests only: seconds a statement may run before the page answers 503 (0: none).
    DATABASE_STATEMENT_TIMEOUT = float(os.environ.get("DATABASE_STATEMENT_TIMEOUT", "5"))

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", PRODUCTION)
    REMEMBER_COOKIE_HTTPONLY = True
    # Flask-Login's "remember me" cookie signs a person in like the session: same cross-site rule.
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    # Days a sign-in lasts at most, "keep me signed in" or not (the remember cookie's lifetime too).
    REMEMBER_COOKIE_DAYS = int(os.environ.get("REMEMBER_COOKIE_DAYS", "30"))
    REMEMBER_COOKIE_DURATION = timedelta(days=REMEMBER_COOKIE_DAYS)
    # Seconds a password-reset link made on /admin/users works (once) after it was made.
    PASSWORD_RESET_MAX_AGE = int(os.environ.get("PASSWORD_RESET_MAX_AGE", "3600"))
    # Number of reverse proxies in front of the app whose X-Forwarded-* headers are trusted.
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(1024 * 1024)))

    # argon2id costs (argon2-cffi's defaults: 3 passes over 64 MiB).
    ARGON2_TIME_COST = int(os.environ.get("ARGON2_TIME_COST", "3"))
    ARGON2_MEMORY_COST = int(os.environ.get("ARGON2_MEMORY_COST", str(64 * 1024)))

    # Address printed on posters, code sheets and QR codes (e.g. https://langnghe.tinh.gov.vn);
    # empty: the address the request came in on.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "").rstrip("/")

    # Where rate limits count (docs/rate-limits.md): a Redis URL shared by every worker; memory://
    # (one worker's own memory) refuses to start in production unless RATELIMIT_ALLOW_MEMORY_STORAGE.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    # Production with memory:// only for a deployment that runs one single process.
    RATELIMIT_ALLOW_MEMORY_STORAGE = _bool("RATELIMIT_ALLOW_MEMORY_STORAGE", False)
    # Prefix of every key the limiter writes to Redis, so several sites can share one database.
    RATELIMIT_REDIS_KEY_PREFIX = os.environ.get("RATELIMIT_REDIS_KEY_PREFIX", "langnghe")
    # Redis unreachable: count in each worker's memory until it is back, rather than fail requests.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "5 per minute;20 per hour")

    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("TIMEZONE", "Asia/Ho_Chi_Minh")
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
    LANGUAGES = ("vi", "en")

    # Small-sample rules (docs/statistics.md): hide below the first, grey out and never rank below the second.
    MIN_RESPONSES_SHOWN = int(os.environ.get("MIN_RESPONSES_SHOWN", "10"))
    MIN_RESPONSES_RANKED = int(os.environ.get("MIN_RESPONSES_RANKED", "30"))
    # A leader who cannot see a whole peer group is shown its aggregates only from this many ranked agencies.
    MIN_PEER_GROUP = int(os.environ.get("MIN_PEER_GROUP", "5"))
    # The hour (local time, 0–23) from which `flask reports send` sends the monthly report on the 1st.
    REPORT_SEND_HOUR = int(os.environ.get("REPORT_SEND_HOUR", "7"))
    # The public transparency page (/public/): each ranked agency's index and on-time rate. Off by default.
    PUBLIC_TRANSPARENCY = _bool("PUBLIC_TRANSPARENCY", False)
    # A survey filled faster than this is kept but flagged.
    SURVEY_MIN_SECONDS = int(os.environ.get("SURVEY_MIN_SECONDS", "5"))
    # How long a citizen's form token stays valid before the form is re-shown with answers kept.
    SURVEY_FORM_MAX_AGE = int(os.environ.get("SURVEY_FORM_MAX_AGE", str(6 * 3600)))
    # Open-link responses from one client to one agency per day beyond this are flagged.
    SURVEY_CLIENT_DAILY_LIMIT = int(os.environ.get("SURVEY_CLIENT_DAILY_LIMIT", "5"))
    # Open-link responses from one address (any browser) to one agency per day beyond this are
    # flagged, never refused. Kept well above the per-client limit: behind a mobile operator's
    # carrier-grade NAT thousands of phones share one address (docs/threat-model.md).
    SURVEY_ADDRESS_DAILY_LIMIT = int(os.environ.get("SURVEY_ADDRESS_DAILY_LIMIT", "20"))
    # Burst check: an agency's open-link responses of the last hour are held for review when they
    # are at least SURVEY_BURST_MIN and SURVEY_BURST_FACTOR times its hourly rate over the
    # SURVEY_BURST_BASELINE_DAYS days before today (nights included). SURVEY_BURST_MIN=0: off.
    SURVEY_BURST_FACTOR = float(os.environ.get("SURVEY_BURST_FACTOR", "10"))
    SURVEY_BURST_MIN = int(os.environ.get("SURVEY_BURST_MIN", "30"))
    SURVEY_BURST_BASELINE_DAYS = int(os.environ.get("SURVEY_BURST_BASELINE_DAYS", "14"))
    # Hours an unfinished survey (its page-by-page draft) is kept; `flask surveys purge-drafts`.
    SURVEY_DRAFT_MAX_AGE = int(os.environ.get("SURVEY_DRAFT_MAX_AGE", "48"))
    # Requests per client to the one-time code pages, so codes cannot be guessed cheaply.
    SURVEY_CODE_RATE_LIMIT = os.environ.get("SURVEY_CODE_RATE_LIMIT", "30 per minute")
    # Counter ratings (docs/counters.md). A desk-plate rating sent faster than this after its page
    # loaded is kept but flagged (its own setting: one tap is quick, a survey is not).
    COUNTER_MIN_SECONDS = float(os.environ.get("COUNTER_MIN_SECONDS", "1"))
    # Seconds after a rating during which its reasons and comment may still be added.
    COUNTER_UPDATE_SECONDS = int(os.environ.get("COUNTER_UPDATE_SECONDS", "60"))
    # A kiosk's queued rating is filed under the time it was given, if no older than this (hours).
    COUNTER_MAX_AGE_HOURS = int(os.environ.get("COUNTER_MAX_AGE_HOURS", "72"))
    # More than COUNTER_DEVICE_WINDOW_MAX ratings from one kiosk within the window are flagged.
    COUNTER_DEVICE_WINDOW_MAX = int(os.environ.get("COUNTER_DEVICE_WINDOW_MAX", "6"))
    COUNTER_DEVICE_WINDOW_SECONDS = int(os.environ.get("COUNTER_DEVICE_WINDOW_SECONDS", "60"))
    # Seconds of no touch after which the kiosk goes back to its idle screen.
    COUNTER_KIOSK_IDLE_SECONDS = int(os.environ.get("COUNTER_KIOSK_IDLE_SECONDS", "30"))
    # Minutes a kiosk pairing code stays valid.
    COUNTER_PAIRING_MINUTES = int(os.environ.get("COUNTER_PAIRING_MINUTES", "15"))
    # Months per-officer detail is kept (`flask officers purge`); agency totals are kept for good.
    COUNTER_OFFICER_DETAIL_MONTHS = int(os.environ.get("COUNTER_OFFICER_DETAIL_MONTHS", "24"))
    # Requests per API key to the JSON API.
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "120 per minute")

    WTF_CSRF_TIME_LIMIT = int(os.environ.get("WTF_CSRF_TIME_LIMIT", str(8 * 3600)))

    # Dialogue conferences (docs/rate-limits.md). Sign-up and resend posts per client address: only
    # abuse-level volumes, since carrier-grade NAT puts thousands of phones behind one address.
    DIALOGUE_SIGNUP_RATE_LIMIT = os.environ.get("DIALOGUE_SIGNUP_RATE_LIMIT", "300 per hour")
    # Sign-up posts per phone number and conference, and per form token (one page load).
    DIALOGUE_SIGNUP_PHONE_RATE_LIMIT = os.environ.get("DIALOGUE_SIGNUP_PHONE_RATE_LIMIT", "10 per hour")
    DIALOGUE_SIGNUP_TOKEN_RATE_LIMIT = os.environ.get("DIALOGUE_SIGNUP_TOKEN_RATE_LIMIT", "20 per hour")
    # Ticket emails re-sent per registration (the "already signed up" page's button).
    DIALOGUE_RESEND_RATE_LIMIT = os.environ.get("DIALOGUE_RESEND_RATE_LIMIT", "3 per hour")
    # Misses (unknown or malformed codes) on the ticket and tracking pages per client address, so
    # codes cannot be guessed cheaply; people opening their own tickets are never counted.
    DIALOGUE_CODE_RATE_LIMIT = os.environ.get("DIALOGUE_CODE_RATE_LIMIT", "60 per minute")
    # Wrong "last 4 phone digits" guesses per ticket when cancelling (2 digits are shown, so 100
    # possibilities): a mistyping person gets a few tries, a guesser at most 20 in a year.
    DIALOGUE_CANCEL_GUESS_LIMIT = os.environ.get("DIALOGUE_CANCEL_GUESS_LIMIT",
                                                 "5 per 15 minutes;10 per day;20 per year")
    # Days after a conference's end by which an assigned petition must be answered.
    PETITION_DUE_DAYS = int(os.environ.get("PETITION_DUE_DAYS", "7"))
    # Days after a conference's end before `flask purge-personal-data` anonymizes its registrants.
    PERSONAL_DATA_RETENTION_DAYS = int(os.environ.get("PERSONAL_DATA_RETENTION_DAYS", "90"))

    # Email for notifications: "console" prints each message to the worker's output; "smtp" sends.
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "console")
    MAIL_FROM = os.environ.get("MAIL_FROM", "Lắng Nghe <no-reply@langnghe.local>")
    SMTP_HOST = os.environ.get("SMTP_HOST", "localhost")
    SMTP_PORT = int(os.environ.get("SMTP_PORT", "587"))
    SMTP_USERNAME = os.environ.get("SMTP_USERNAME", "")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD", "")
    SMTP_STARTTLS = _bool("SMTP_STARTTLS", True)
    SMTP_TIMEOUT = int(os.environ.get("SMTP_TIMEOUT", "20"))
    # A message that still fails after this many attempts is given up (and shown as failed).
    NOTIFICATION_MAX_ATTEMPTS = int(os.environ.get("NOTIFICATION_MAX_ATTEMPTS", "8"))
    # Seconds before the first retry; each later retry waits twice as long.
    NOTIFICATION_RETRY_SECONDS = int(os.environ.get("NOTIFICATION_RETRY_SECONDS", "60"))

    # Text messages (docs/notifications.md): "console" prints them; SMS "http" sends through the
    # gateway described below, Zalo "zns" through Zalo Notification Service templates.
    SMS_BACKEND = os.environ.get("SMS_BACKEND", "console")
    SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "")
    SMS_GATEWAY_METHOD = os.environ.get("SMS_GATEWAY_METHOD", "POST")
    # One header "Name: value" carrying the gateway's credentials, e.g. "Authorization: Bearer …".
    SMS_GATEWAY_AUTH_HEADER = os.environ.get("SMS_GATEWAY_AUTH_HEADER", "")
    # The request body; $phone (84…), $text, $sender and $key are inserted escaped for the content type.
    SMS_GATEWAY_BODY = os.environ.get(
        "SMS_GATEWAY_BODY", '{"to": "$phone", "from": "$sender", "text": "$text", "ref": "$key"}')
    SMS_GATEWAY_CONTENT_TYPE = os.environ.get("SMS_GATEWAY_CONTENT_TYPE", "application/json")
    # A regular expression the body of a 2xx answer must match to count as accepted (empty: any 2xx).
    SMS_GATEWAY_SUCCESS = os.environ.get("SMS_GATEWAY_SUCCESS", "")
    # The header that carries an idempotency key, if the gateway takes one (empty: it takes none, so
    # a timeout is recorded as "unknown" and not resent).
    SMS_GATEWAY_IDEMPOTENCY_HEADER = os.environ.get("SMS_GATEWAY_IDEMPOTENCY_HEADER", "")
    # The registered brand name (sender id) the messages come from.
    SMS_SENDER_ID = os.environ.get("SMS_SENDER_ID", "LANGNGHE")
    # Seconds to wait for the SMS gateway's or Zalo's answer.
    SMS_TIMEOUT = float(os.environ.get("SMS_TIMEOUT", "15"))
    ZALO_BACKEND = os.environ.get("ZALO_BACKEND", "console")
    ZALO_ZNS_URL = os.environ.get("ZALO_ZNS_URL", "")
    ZALO_ACCESS_TOKEN = os.environ.get("ZALO_ACCESS_TOKEN", "")
    # JSON {message kind: approved ZNS template id}.
    ZALO_ZNS_TEMPLATES = os.environ.get("ZALO_ZNS_TEMPLATES", "{}")
    # Abuse limits on text messages (SMS and Zalo together), per local day: per phone number, per
    # conference and per host agency. A message over a limit is held until the next day.
    TEXT_MESSAGES_PER_PHONE_DAY = int(os.environ.get("TEXT_MESSAGES_PER_PHONE_DAY", "4"))
    TEXT_MESSAGES_PER_CONFERENCE_DAY = int(os.environ.get("TEXT_MESSAGES_PER_CONFERENCE_DAY", "600"))
    TEXT_MESSAGES_PER_AGENCY_DAY = int(os.environ.get("TEXT_MESSAGES_PER_AGENCY_DAY", "2000"))


class TestConfig(Config):
    """Settings for the test suite: a throwaway key, no Secure cookies over plain HTTP."""

    TESTING = True
    APP_ENV = "testing"
    PRODUCTION = False
    SECRET_KEY = "test-secret-key"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    RATELIMIT_STORAGE_URI = "memory://"
    SURVEY_MIN_SECONDS = 0
    COUNTER_MIN_SECONDS = 0
    # Cheap hashes keep the suite fast; production strength is the default above.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    DIALOGUE_SIGNUP_RATE_LIMIT = "1000 per hour"
    DIALOGUE_SIGNUP_PHONE_RATE_LIMIT = "1000 per hour"
    DIALOGUE_SIGNUP_TOKEN_RATE_LIMIT = "1000 per hour"
    DIALOGUE_RESEND_RATE_LIMIT = "1000 per hour"
    DIALOGUE_CODE_RATE_LIMIT = "1000 per minute"
    # A loaded test machine must not cancel a request's statement; tests/faults sets its own.
    DATABASE_STATEMENT_TIMEOUT = 30.0
