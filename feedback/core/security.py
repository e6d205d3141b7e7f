"""Security headers on every response, error pages included."""

from flask import Flask

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def add_security_headers(response):
    """Content-Security-Policy without inline script, no sniffing, no framing, little referrer."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "geolocation=(), microphone=(), payment=()")
    return response


def init_app(app: Flask) -> None:
    """Register the header hook; HSTS too when cookies are Secure (served over HTTPS)."""
    app.after_request(add_security_headers)
    if app.config["SESSION_COOKIE_SECURE"]:
        @app.after_request
        def hsts(response):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
            return response
