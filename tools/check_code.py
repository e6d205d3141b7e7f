"""Code checks that ruff does not make, run by `make lint` (and so by `make test`).

1. Size: no function in feedback/ with a cyclomatic complexity (radon's) above MAX_COMPLEXITY, and
   none longer than MAX_LINES lines (its def to its last line, docstring included). The demo
   (feedback/demo) is exempt: it is a one-off data script, not a path a citizen or an official takes.
2. Copies: pylint's duplicate-code check (R0801) over feedback/, blocks of MIN_SIMILAR_LINES or
   more lines (comments, docstrings, imports and signatures ignored) found in two places. There may
   be at most MAX_DUPLICATES of them, the count when this check was written, so a new copy fails.

Usage: `.venv/bin/python tools/check_code.py [size|copies]` (both when no argument is given).
It prints each finding as `path:line: message` and exits 1 when a limit is passed.
"""

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from radon.complexity import cc_visit
from radon.visitors import Class, Function

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "feedback"
EXEMPT = (PACKAGE / "demo",)

MAX_COMPLEXITY = 20
MAX_LINES = 80
# Functions allowed over a limit, as (path, function name): none. A function that must stay over
# one is named here with the reason beside it.
ALLOWED: set[tuple[str, str]] = set()

MIN_SIMILAR_LINES = 6
MAX_DUPLICATES = 0  # 1 when this check was written (dashboards' chart layouts), since shared


def _functions(blocks) -> Iterator[Function]:
    """Every function and method in radon's blocks, nested closures included."""
    for block in blocks:
        if isinstance(block, Class):
            yield from _functions(block.methods)
        elif isinstance(block, Function):
            yield block
            yield from _functions(block.closures)


def size_problems() -> list[str]:
    """`path:line: message` for every function over a size limit and not allowed above."""
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if any(path.is_relative_to(folder) for folder in EXEMPT):
            continue
        name = path.relative_to(ROOT).as_posix()
        for function in _functions(cc_visit(path.read_text(encoding="utf-8"))):
            if (name, function.name) in ALLOWED:
                continue
            length = function.endline - function.lineno + 1
            if function.complexity > MAX_COMPLEXITY:
                problems.append(f"{name}:{function.lineno}: {function.fullname} has a cyclomatic "
                                f"complexity of {function.complexity} (at most {MAX_COMPLEXITY})")
            if length > MAX_LINES:
                problems.append(f"{name}:{function.lineno}: {function.fullname} is {length} lines "
                                f"long (at most {MAX_LINES})")
    return problems


def copies() -> list[str]:
    """pylint's duplicate-code findings over feedback/, one `==module:[lines]` group each."""
    result = subprocess.run(
        [sys.executable, "-m", "pylint", "--disable=all", "--enable=duplicate-code",
         f"--min-similarity-lines={MIN_SIMILAR_LINES}", "--score=no", "feedback"],
        cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode & 1 or result.returncode & 32:  # fatal message, or a usage error
        sys.exit(f"pylint failed to run:\n{result.stdout}{result.stderr}")
    findings = re.split(r"^(?=\S+:\d+:\d+: R0801)", result.stdout, flags=re.MULTILINE)
    return [block.strip() for block in findings if "R0801" in block]


def main(argv: list[str]) -> int:
    """Run the checks named in `argv` (both by default); 1 if any limit is passed."""
    wanted = set(argv) or {"size", "copies"}
    failed = False
    if "size" in wanted:
        problems = size_problems()
        for problem in problems:
            print(problem)
        print(f"size: {len(problems)} function(s) over the limits (complexity {MAX_COMPLEXITY}, "
              f"{MAX_LINES} lines; {len(ALLOWED)} allowed by name)")
        failed |= bool(problems)
    if "copies" in wanted:
        found = copies()
        for finding in found:
            print(finding)
        print(f"copies: {len(found)} block(s) of {MIN_SIMILAR_LINES}+ similar lines in feedback/ "
              f"(at most {MAX_DUPLICATES})")
        failed |= len(found) > MAX_DUPLICATES
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
