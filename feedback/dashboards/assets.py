"""plotly.js served from the installed plotly package, and its stylesheet for a strict CSP.

plotly.js injects its base CSS at load time by creating a <style> element, which the site's
Content-Security-Policy (style-src 'self') blocks. Since plotly.js PR #7109 (2024; present in the
plotly.js 4.1.1 bundled with plotly 7.1.0) the library skips that injection when the page already
has an element with id "plotly.js-style-global" and class "no-inline-styles", and expects the
page to load those rules as a normal stylesheet; everything else it styles through the CSSOM
(element.style), which CSP allows. The
Python package ships only plotly.min.js, not that CSS, so we rebuild the stylesheet from the rule
table inside the very bundle we serve: it can never drift from the JavaScript version.

The bundle also injects maplibre-gl's CSS (83 KB, for map traces) into a <style> with a fixed id
unless an element with that id is already on the page. We draw no maps, so the page carries an
empty marker element with that id instead of shipping the CSS; see `unused_style_ids`.
"""

import re
from functools import cache
from pathlib import Path

import plotly

PLOTLY_VERSION = plotly.__version__
PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
# Where plotly.js looks for a page-provided stylesheet before injecting its own <style>.
STYLE_ELEMENT_ID = "plotly.js-style-global"
NO_INLINE_CLASS = "no-inline-styles"

_STRING = r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\''
_RULE = re.compile(rf"\s*({_STRING}|[A-Za-z_$][\w$]*)\s*:\s*({_STRING})\s*([,}}])")
# The rule table opens with this selector in every plotly.js release since 1.x.
_FIRST_RULE = '"X,X div"'
# A stylesheet the bundle injects only when no element with its id exists yet.
_GUARDED_STYLE = re.compile(
    r'document\.getElementById\("([^"]+)"\)\)\{var (\w+)=document\.createElement\("style"\)')


def _unquote(literal: str) -> str:
    """The text of a JavaScript string literal (or a bare identifier key)."""
    if literal[:1] not in "\"'":
        return literal
    return re.sub(r"\\(.)", r"\1", literal[1:-1])


@cache
def plotly_stylesheet() -> str:
    """The CSS plotly.js would inject, read from the bundled plotly.min.js.

    The bundle holds the rules as an object literal {"X .modebar": "position:absolute;…", …}
    where X and Y stand for the plot and notifier containers; plotly.js replaces them the same
    way before inserting each rule. Raises RuntimeError if the bundle's layout ever changes.
    """
    source = PLOTLY_JS.read_text(encoding="utf-8")
    first = source.find(_FIRST_RULE)
    if first < 0 or NO_INLINE_CLASS not in source:
        raise RuntimeError("plotly.min.js no longer has the style rule table this code expects")
    position = source.rfind("{", 0, first) + 1
    lines = [f"/* plotly.js base styles from plotly {PLOTLY_VERSION}, served as a file for the CSP */"]
    while True:
        match = _RULE.match(source, position)
        if match is None:
            raise RuntimeError("could not read plotly.js style rules")
        selector = _unquote(match.group(1))
        selector = re.sub(r"^,", " ,", selector).replace("X", ".js-plotly-plot .plotly")
        selector = selector.replace("Y", ".plotly-notifier")
        lines.append(f"{selector}{{{_unquote(match.group(2))}}}")
        position = match.end()
        if match.group(3) == "}":
            return "\n".join(lines) + "\n"


@cache
def unused_style_ids() -> tuple[str, ...]:
    """Ids of the third-party stylesheets (maplibre's) the bundle would inject for features we
    do not use; an element with such an id on the page makes plotly.js skip the injection."""
    return tuple(match.group(1) for match in _GUARDED_STYLE.finditer(PLOTLY_JS.read_text(encoding="utf-8")))
