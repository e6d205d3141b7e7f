"""APP_ENV and SECRET_KEY: an unknown environment or a missing key refuses to start with a clear
message; the development key published in config.py works only when development is asked for."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config import DEVELOPMENT_SECRET_KEY

ROOT = Path(__file__).resolve().parents[2]
PROBE = ("from feedback import create_app; app = create_app(); "
         "print('started', app.config['APP_ENV'] or '-', app.config['PRODUCTION'])")


def _start(tmp_path, **variables: str) -> subprocess.CompletedProcess:
    """Build the app in a fresh process whose environment has `variables` (and no other APP_ENV
    or SECRET_KEY), as `flask` or gunicorn would."""
    env = {k: v for k, v in os.environ.items() if k not in ("APP_ENV", "SECRET_KEY")}
    env.update(variables, DATABASE_URL=f"sqlite:///{tmp_path / 'app.db'}")
    return subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)


@pytest.mark.parametrize("value", ["Production", "prod", "dev", "staging"])
def test_an_unknown_app_env_refuses_to_start_and_names_the_allowed_values(tmp_path, value):
    run = _start(tmp_path, APP_ENV=value, SECRET_KEY="x" * 40)
    assert run.returncode != 0 and "started" not in run.stdout
    assert f"APP_ENV={value!r} is not a known environment" in run.stderr
    assert "development, production, testing" in run.stderr


def test_unset_app_env_runs_as_production_and_needs_a_secret_key(tmp_path):
    refused = _start(tmp_path)
    assert refused.returncode != 0 and "started" not in refused.stdout
    assert "SECRET_KEY is not set" in refused.stderr and "APP_ENV=development" in refused.stderr
    # The published development key is no key at all outside development.
    published = _start(tmp_path, SECRET_KEY=DEVELOPMENT_SECRET_KEY)
    assert published.returncode != 0
    assert "development key published in config.py" in published.stderr
    # (One process here, so counting rate limits in memory is allowed: docs/rate-limits.md.)
    given = _start(tmp_path, SECRET_KEY="x" * 40, RATELIMIT_ALLOW_MEMORY_STORAGE="1")
    assert given.stdout.split() == ["started", "-", "True"], given.stderr


def test_development_must_be_asked_for_to_get_the_development_key(tmp_path):
    run = _start(tmp_path, APP_ENV="development")
    assert run.stdout.split() == ["started", "development", "False"], run.stderr
    production = _start(tmp_path, APP_ENV="production", SECRET_KEY=DEVELOPMENT_SECRET_KEY)
    assert production.returncode != 0


def test_seed_demo_refuses_production_unless_forced(app, runner):
    app.config["PRODUCTION"] = True
    refused = runner.invoke(args=["seed-demo", "--responses", "20"])
    assert refused.exit_code != 0
    assert "production" in refused.output and "--force" in refused.output
    assert "Demo loaded" not in refused.output
    forced = runner.invoke(args=["seed-demo", "--responses", "20", "--force"])
    assert forced.exit_code == 0, forced.output
    assert "Demo loaded" in forced.output
