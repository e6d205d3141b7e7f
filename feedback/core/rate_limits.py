"""Where the rate limits keep their counts: storage every worker shares, required in production."""

from collections.abc import Callable

from flask import Flask, current_app
from werkzeug.wrappers import Response

# Seconds a request waits for the Redis server before its limits fall back to the worker's memory.
REDIS_TIMEOUT_SECONDS = 1


class RateLimitStorageError(RuntimeError):
    """The rate-limit storage configured cannot hold the limits in this environment."""


def configured(setting: str) -> Callable[[], str]:
    """A limit for Flask-Limiter read from the setting `setting` at each request, so a deployment's
    (or a test's) value applies without rebuilding the views."""

    def limit() -> str:
        """The limit as configured now."""
        return current_app.config[setting]

    limit.__name__ = setting.lower()
    return limit


def code_missed(response: Response) -> bool:
    """Whether a code page (one-time survey code, ticket, tracking code) answered that the code
    matches nothing usable (404, 410) or cannot be one (422).

    The per-address limits of the code pages count only these: a guesser misses nearly every time,
    while the people behind one carrier-grade NAT address opening their own codes never do.
    """
    return response.status_code in (404, 410, 422)


def memory_storage(uri: str) -> bool:
    """Whether `uri` keeps the counts in the worker process's own memory."""
    return uri.strip().lower().startswith("memory://")


def check_rate_limit_storage(app: Flask) -> None:
    """Refuse to start in production with counts kept per worker; bound how long Redis may stall.

    With memory:// each gunicorn worker counts on its own and forgets at every restart, so five
    failed sign-ins allowed become five per worker (and, with the random spread of requests, more
    than twice five with two). A single-process deployment may say so with
    RATELIMIT_ALLOW_MEMORY_STORAGE. Call before limiter.init_app.
    """
    uri = app.config["RATELIMIT_STORAGE_URI"]
    if (app.config["PRODUCTION"] and memory_storage(uri)
            and not app.config["RATELIMIT_ALLOW_MEMORY_STORAGE"]):
        raise RateLimitStorageError(
            "RATELIMIT_STORAGE_URI is memory:// in production (APP_ENV=production): each worker "
            "process would keep its own counts, so every rate limit (failed sign-ins, ticket digit "
            "guesses, one-time code guesses) would be multiplied by the number of workers and reset "
            "at each restart. Set RATELIMIT_STORAGE_URI to a Redis server shared by every worker "
            "(e.g. redis://127.0.0.1:6379/0), or, only if the app runs as one single process, set "
            "RATELIMIT_ALLOW_MEMORY_STORAGE=1. See docs/rate-limits.md.")
    if uri.startswith(("redis://", "rediss://")) and not app.config.get("RATELIMIT_STORAGE_OPTIONS"):
        # Without timeouts an unreachable Redis would hold every limited request for minutes;
        # with them the limiter falls back to memory (RATELIMIT_IN_MEMORY_FALLBACK_ENABLED). The
        # prefix keeps each site's keys (and the limiter's reset) apart in a shared database.
        app.config["RATELIMIT_STORAGE_OPTIONS"] = {
            "socket_connect_timeout": REDIS_TIMEOUT_SECONDS, "socket_timeout": REDIS_TIMEOUT_SECONDS,
            "key_prefix": app.config["RATELIMIT_REDIS_KEY_PREFIX"]}
