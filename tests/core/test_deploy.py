import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
DEVELOPMENT_KEY = "insecure-local-development-key-change-me"
# What plain HTTP on loopback (make run) cannot have: HSTS, a redirect to https and cookies
# sent over https only would each lock the browser out of http://demo.localhost:8000/.
LOOPBACK_HTTP_WARNINGS = {"security.W004", "security.W008", "security.W012", "security.W016"}


def production_env(**extra) -> dict:
    """The environment a production server would have (no test-only switches)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "SECRET_KEY", "SITE_SCHEME", "SECRET_KEY_FILE")
    }
    return {**env, "DJANGO_SETTINGS_MODULE": "config.settings.prod", **extra}


def run(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def check_deploy(env: dict) -> subprocess.CompletedProcess:
    return run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)


@pytest.fixture
def key_file(tmp_path) -> Path:
    """A key file as make run writes it."""
    path = tmp_path / "secret_key"
    path.write_text(secrets.token_urlsafe(50) + "\n")
    path.chmod(0o600)
    return path


def test_production_settings_behind_https_pass_check_deploy():
    result = check_deploy(production_env(SECRET_KEY=secrets.token_urlsafe(50)))
    assert result.returncode == 0, result.stdout + result.stderr


def test_make_runs_settings_warn_only_about_what_loopback_http_cannot_have(key_file):
    """make run: SITE_SCHEME=http, the key from the file make generated."""
    result = check_deploy(production_env(SITE_SCHEME="http", SECRET_KEY_FILE=str(key_file)))
    output = result.stdout + result.stderr
    assert set(re.findall(r"\((\w+\.[WE]\d+)\)", output)) == LOOPBACK_HTTP_WARNINGS, output


def settings_error(env: dict) -> str:
    """What importing the production settings says when it refuses to start."""
    result = run(["-c", "import config.settings.prod"], env)
    assert result.returncode != 0, "the production settings must refuse to load"
    return result.stderr.strip().splitlines()[-1]


def test_production_settings_refuse_the_development_secret_key(tmp_path):
    assert "no usable secret key" in settings_error(production_env(SECRET_KEY=DEVELOPMENT_KEY))
    in_file = tmp_path / "secret_key"
    in_file.write_text(DEVELOPMENT_KEY)
    in_file.chmod(0o600)
    assert "no usable secret key" in settings_error(production_env(SECRET_KEY_FILE=str(in_file)))


def test_a_missing_or_exposed_key_file_stops_the_start_with_a_message(tmp_path, key_file):
    missing = settings_error(production_env(SECRET_KEY_FILE=str(tmp_path / "nothing")))
    assert "No secret key: set SECRET_KEY" in missing
    key_file.chmod(0o644)
    exposed = settings_error(production_env(SECRET_KEY_FILE=str(key_file)))
    assert f"chmod 600 {key_file}" in exposed


def test_a_key_file_is_used_when_no_secret_key_is_set(key_file):
    env = production_env(SECRET_KEY_FILE=str(key_file))
    result = run(["-c", "import config.settings.prod as s; print(s.SECRET_KEY)"], env)
    assert result.stdout.strip() == key_file.read_text().strip(), result.stderr
