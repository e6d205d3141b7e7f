"""The W3C Nu HTML checker (vnu.jar) over every HTML page the browser tests were served.

The live server keeps each distinct HTML body it sends (`HtmlPages.keep`); when a worker's session
ends, one run of vnu.jar checks them all (one JVM start, a few seconds) and the session fails on
any error. vnu.jar comes from the npm package vnu-jar, pinned here; `make test` and .ci/run install
it with npm into VNU_CACHE when it is missing. It needs Java 17+ (`default-jre-headless`).
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

VNU_VERSION = "26.9.27"
# The Makefile reads VNU_VERSION from this line and installs into the same folder.
VNU_CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / f"lang-nghe/vnu-{VNU_VERSION}"
# Set by .ci/run: there a missing checker fails the suite instead of skipping the check.
REQUIRED = os.environ.get("HTML_CHECKER_REQUIRED") == "1"


def vnu_command() -> tuple[list[str] | None, str]:
    """(the command that runs vnu.jar, "") or (None, why it cannot run)."""
    jar = Path(os.environ.get("VNU_JAR") or VNU_CACHE / "node_modules/vnu-jar/build/dist/vnu.jar")
    java = shutil.which("java")
    if java is None:
        return None, "the HTML checker needs Java (apt-get install default-jre-headless)"
    if not jar.is_file():
        return None, (f"the HTML checker is not installed at {jar} "
                      f"(npm install --prefix {VNU_CACHE} vnu-jar@{VNU_VERSION}, or set VNU_JAR)")
    return [java, "-Xss4m", "-jar", str(jar)], ""


HIDDEN_INPUT = re.compile(rb'<input\b[^>]*\btype="hidden"[^>]*>')
VALUE = re.compile(rb'\bvalue="[^"]*"')


@dataclass
class HtmlPages:
    """The distinct HTML documents served during a session, with the path each was first seen at."""

    pages: dict[str, tuple[str, bytes]] = field(default_factory=dict)

    def keep(self, path: str, body: bytes) -> None:
        """Remember `body`, served at `path`, unless the same document was already kept: the same
        but for its hidden inputs' values (CSRF and form tokens, a kiosk's next rating id), which
        are new on every response and have no syntax of their own to check."""
        key = HIDDEN_INPUT.sub(lambda m: VALUE.sub(b'value=""', m.group(0)), body)
        self.pages.setdefault(hashlib.sha256(key).hexdigest(), (path, body))

    def check(self, directory: Path, command: list[str]) -> list[str]:
        """Every error vnu.jar finds in the kept pages, as "path:line: message" lines."""
        if not self.pages:
            return []
        files = {}  # file name → the path the page was served at
        for n, (path, body) in enumerate(self.pages.values()):
            (directory / f"page-{n:04d}.html").write_bytes(body)
            files[f"page-{n:04d}.html"] = path
        result = subprocess.run([*command, "--errors-only", "--format", "json", "--stdout",
                                 "--exit-zero-always", *(str(directory / name) for name in files)],
                                capture_output=True, text=True, timeout=600, check=False)
        try:
            messages = json.loads(result.stdout)["messages"]
        except (ValueError, KeyError):
            return [f"the HTML checker did not answer in JSON: {result.stdout[:500]} {result.stderr[:500]}"]
        return [f"{files.get(m.get('url', '').rsplit('/', 1)[-1], m.get('url'))}:{m.get('lastLine', '?')}: "
                f"{m.get('message')}"
                f" [{(m.get('extract') or '').strip()[:120]}]"
                for m in messages if m.get("type") == "error" or m.get("subType") == "fatal"]
