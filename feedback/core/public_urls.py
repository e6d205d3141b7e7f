"""The public address printed on posters, receipts and code sheets."""

from flask import current_app, has_request_context, request

# Where `make run` serves; messages written outside a request (cron, the worker) fall back to it
# when PUBLIC_BASE_URL is not set.
DEVELOPMENT_URL = "http://127.0.0.1:5000"


def public_base_url() -> str:
    """The address citizens reach the site at: PUBLIC_BASE_URL, else this request's own root.

    Printed addresses outlive the request that printed them, so production should set
    PUBLIC_BASE_URL; behind a proxy the request root may name an internal host, and a command run
    by cron has no request at all.
    """
    base = current_app.config["PUBLIC_BASE_URL"]
    if not base:
        base = request.url_root if has_request_context() else DEVELOPMENT_URL
    return base.rstrip("/")
