"""`flask users create` asks for the password twice when run on a terminal."""

import os
import pty
import subprocess
import sys
import time
from pathlib import Path

from feedback.accounts.services import find_user
from feedback.extensions import db

ROOT = Path(__file__).resolve().parents[2]


def _read_until(fd: int, text: str, timeout: float = 20.0) -> str:
    """Read the terminal until `text` shows up."""
    seen = ""
    deadline = time.monotonic() + timeout
    while text not in seen:
        assert time.monotonic() < deadline, f"waited for {text!r}, saw {seen!r}"
        try:
            seen += os.read(fd, 1024).decode(errors="replace")
        except OSError:
            break
    return seen


def test_password_is_asked_twice_on_a_terminal_and_not_echoed(app):
    main, child = pty.openpty()
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "FLASK_APP": "wsgi.py", "APP_ENV": "development", "ARGON2_TIME_COST": "1",
           "ARGON2_MEMORY_COST": "1024"}
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "users", "create", "tty@example.vn", "--role", "admin"],
        stdin=child, stdout=child, stderr=child, cwd=ROOT, env=env, close_fds=True)
    os.close(child)
    try:
        _read_until(main, "Password:")
        os.write(main, b"terminal secret 123\n")
        _read_until(main, "Repeat for confirmation:")
        os.write(main, b"terminal secret 123\n")
        output = _read_until(main, "Created tty@example.vn as admin")
        assert process.wait(timeout=20) == 0
    finally:
        process.kill()
        os.close(main)
    assert "terminal secret" not in output  # typed blind
    db.session.expire_all()
    assert find_user("tty@example.vn") is not None
