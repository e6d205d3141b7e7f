"""What every page shares: language, security headers, error pages, home and health check."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Attach the cross-cutting request hooks and template helpers to `app`."""
    # Imported here, not at the top: the small helpers beside them (core.text, core.dates) are used
    # by the survey services, which core.views itself imports.
    from feedback.core import errors, i18n, security, static_files, templating, views

    i18n.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    static_files.init_app(app)
    views.init_login(app)
