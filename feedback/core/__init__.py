"""What every page shares: language, security headers, error pages, static files, health check."""

from flask import Flask

from feedback.core import errors, i18n, security, static_files, templating


def init_app(app: Flask) -> None:
    """Attach the cross-cutting request hooks and template helpers to `app`."""
    i18n.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    static_files.init_app(app)
