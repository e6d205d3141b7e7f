"""Static files under versioned URLs and compressed.

Every `url_for("static", filename=…)` gets `?v=<first 12 hex of the file's SHA-256>`. A request
carrying the current version is answered with a year-long, immutable cache lifetime, so a
returning visitor's browser asks for none of them again; a changed file gets a new URL. Without
`v`, or with an outdated one, the file is served as before (revalidated by ETag each time).

Stylesheets, scripts and SVG are compressed (zstd, brotli or gzip, as the browser accepts) by
Flask-Compress (create_app initialises it before this module, which the hooks' order relies on).
HTML is not: pages carry CSRF tokens next to what people typed, the mix BREACH
exploits, and they are small already.
"""

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, request

ONE_YEAR = 365 * 24 * 3600



def init_app(app: Flask) -> None:
    """Version the static URLs of `app` and give current versions a long cache lifetime."""
    folder = Path(app.static_folder)

    def file_version(filename: str) -> str | None:
        try:
            return hashlib.sha256((folder / filename).read_bytes()).hexdigest()[:12]
        except OSError:
            return None

    # Files do not change under a running server, except while developing with the reloader.
    version = file_version if app.debug else lru_cache(maxsize=None)(file_version)

    @app.url_defaults
    def add_version(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "v" not in values and "filename" in values:
            current = version(values["filename"])
            if current:
                values["v"] = current

    @app.after_request
    def cache_current_versions(response):
        if (request.endpoint == "static" and response.status_code in (200, 304)
                and request.args.get("v")
                and request.args["v"] == version(request.view_args.get("filename", ""))):
            response.cache_control.public = True
            response.cache_control.max_age = ONE_YEAR
            response.cache_control.immutable = True
            response.cache_control.no_cache = None
        return response

    @app.after_request
    def close_the_file_when_done(response):
        # Runs before Flask-Compress's hook (registered earlier, so run later), which swaps a
        # streamed file for a compressing generator and would leave the file open.
        if response.is_streamed and hasattr(response.response, "close"):
            response.call_on_close(response.response.close)
        return response
