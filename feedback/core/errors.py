"""Localized error pages (HTML for people, JSON for the API) for every error status."""

from flask import Flask, current_app, g, jsonify, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from feedback.extensions import db

TITLES = {
    400: _l("The request could not be understood"),
    401: _l("Please sign in"),
    403: _l("You do not have access to this page"),
    404: _l("Page not found"),
    405: _l("This action is not allowed here"),
    413: _l("What you sent is too large"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong on our side"),
    503: _l("The service is temporarily unavailable"),
}
EXPLANATIONS = {
    400: _l("Please go back, check what you entered and try again."),
    401: _l("This page is for staff. Please sign in first."),
    403: _l("Your account does not cover this page. If you think it should, ask your administrator."),
    404: _l("The address may be mistyped, or the page no longer exists. "
            "If you scanned a QR code, ask the staff at the counter."),
    405: _l("Please use the buttons and links on the page."),
    413: _l("Please shorten your text or attach a smaller file and try again."),
    429: _l("Please wait a few minutes, then try again."),
    500: _l("We have been told about it. Please try again in a few minutes."),
    503: _l("We are working on it. Please try again in a few minutes; nothing you sent is lost."),
}
# A database outage usually lasts a restart or a failover: ask clients to come back after this.
RETRY_AFTER_SECONDS = 30
CSRF_EXPLANATION = _l("The form expired or was opened in another tab. "
                      "Go back, reload the page and send it again.")


def render_error(code: int, explanation=None):
    """The error page (or JSON body under /api/) for `code`."""
    title = TITLES.get(code, TITLES[500])
    explanation = explanation or EXPLANATIONS.get(code, EXPLANATIONS[500])
    if request.path.startswith("/api/"):
        return jsonify(error={"status": code, "title": str(title), "detail": str(explanation)}), code
    return render_template("errors/error.html", code=code, title=title,
                           explanation=explanation), code


def handle_http_error(error: HTTPException):
    """Any werkzeug HTTP error as a localized page, keeping the headers it needs (Allow, Retry-After)."""
    code = error.code or 500
    if code >= 500:
        db.session.rollback()
    response = make_response(render_error(code))
    for name, value in error.get_headers():
        if name in ("Allow", "Retry-After"):
            response.headers[name] = value
    return response


def handle_csrf_error(error: CSRFError):
    """An expired or missing form token: say what happened and how to recover."""
    return render_error(400, CSRF_EXPLANATION)


def handle_database_down(error: OperationalError):
    """The database does not answer: a 503 page instead of a traceback."""
    db.session.rollback()
    g.database_down = True
    body, status = render_error(503)
    # Well-behaved clients and proxies wait this long before asking again.
    return body, status, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def handle_unexpected(error: Exception):
    """A bug: log it, answer a localized 500."""
    if isinstance(error, HTTPException):
        return handle_http_error(error)
    db.session.rollback()
    current_app.logger.exception("unhandled error", exc_info=error)
    return render_error(500)


def init_app(app: Flask) -> None:
    """Register the handlers."""
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(OperationalError, handle_database_down)
    app.register_error_handler(InternalServerError, handle_http_error)
    app.register_error_handler(ServiceUnavailable, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
