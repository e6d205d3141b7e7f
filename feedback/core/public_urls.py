"""The public address printed on posters, receipts and code sheets."""

from flask import current_app, request


def public_base_url() -> str:
    """The address citizens reach the site at: PUBLIC_BASE_URL, else this request's own root.

    Printed addresses outlive the request that printed them, so production should set
    PUBLIC_BASE_URL; behind a proxy the request root may name an internal host.
    """
    base = current_app.config["PUBLIC_BASE_URL"] or request.url_root
    return base.rstrip("/")
