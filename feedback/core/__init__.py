"""What every page shares: language, security headers, error pages, home and health check."""

from flask import Flask

from feedback.core import errors, i18n, security, templating, views


def init_app(app: Flask) -> None:
    """Attach the cross-cutting request hooks and template helpers to `app`."""
    i18n.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    views.init_login(app)
