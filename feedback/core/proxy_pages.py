"""`flask proxy-error-pages`: the pages the reverse proxy serves for what the app cannot answer.

nginx answers 413, 414, 502 and 504 itself (docs/nginx.conf), while the app may be down, so these
pages are plain files. They are rendered at deploy time from one template (templates/errors/proxy.html)
through the app's catalogs, so their text is translated where every other text is.
"""

from pathlib import Path

import click
from flask import current_app, render_template
from flask_babel import force_locale

# The statuses nginx replaces with a page of its own; the app's own pages (503, 404, 429) pass through.
PROXY_ERROR_CODES = (413, 414, 502, 504)
# Each page links to the other language, named in that language.
OTHER_LANGUAGE = {"vi": ("en", "English"), "en": ("vi", "Tiếng Việt")}


def render_proxy_error_page(code: int, lang: str) -> str:
    """The standalone page for status `code` in `lang` (vi or en)."""
    other_lang, other_name = OTHER_LANGUAGE[lang]
    with force_locale(lang):
        return render_template("errors/proxy.html", code=code, lang=lang,
                               other_lang=other_lang, other_name=other_name)


def write_proxy_error_pages(outdir: Path) -> list[Path]:
    """Write every page as `outdir/<lang>/<code>.html`; returns the files written."""
    written = []
    for lang in OTHER_LANGUAGE:
        (outdir / lang).mkdir(parents=True, exist_ok=True)
        for code in PROXY_ERROR_CODES:
            path = outdir / lang / f"{code}.html"
            path.write_text(render_proxy_error_page(code, lang) + "\n", encoding="utf-8")
            written.append(path)
    return written


@click.command("proxy-error-pages")
@click.argument("outdir", required=False, type=click.Path(file_okay=False, path_type=Path))
def proxy_error_pages_command(outdir: Path | None) -> None:
    """Render the reverse proxy's error pages into OUTDIR (default: instance/proxy-errors)."""
    outdir = outdir or Path(current_app.instance_path) / "proxy-errors"
    written = write_proxy_error_pages(outdir)
    click.echo(f"{len(written)} pages written to {outdir}/<vi|en>/<code>.html")
