"""docs/operations.md §W3: every variable may come from the file ``<NAME>_FILE`` names (the
production secrets: SECRET_KEY, DATABASE_URL, REDIS_URL); a missing, unreadable or empty file, or
both forms at once, stop the start with one clear line, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from onewindow.env import ConfigError, env_str

WORKTREE = Path(__file__).resolve().parents[3]
ONEWINDOW = str(Path(sys.executable).with_name("onewindow"))
SECRETS = ("SECRET_KEY", "DATABASE_URL", "REDIS_URL")


def _clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not any(name.startswith(secret) for secret in SECRETS)
    }
    return {
        **env,
        "ONEWINDOW_DATA_DIR": str(tmp_path / "data"),
        "DJANGO_SETTINGS_MODULE": "onewindow.settings",
        "PYTHONPATH": str(WORKTREE),
        **extra,
    }


def test_a_missing_file_is_a_config_error_naming_the_variable_and_path(monkeypatch, tmp_path):
    monkeypatch.delenv("OW_T_DB", raising=False)
    monkeypatch.setenv("OW_T_DB_FILE", str(tmp_path / "absent"))
    with pytest.raises(ConfigError) as error:
        env_str("OW_T_DB", "")
    assert "无法读取 OW_T_DB_FILE" in str(error.value)
    assert str(tmp_path / "absent") in str(error.value)


def test_an_unreadable_file_is_a_config_error(monkeypatch, tmp_path):
    monkeypatch.delenv("OW_T_DB", raising=False)
    monkeypatch.setenv("OW_T_DB_FILE", str(tmp_path))  # a directory cannot be read as text
    with pytest.raises(ConfigError, match="无法读取"):
        env_str("OW_T_DB", "")


def test_an_empty_file_is_a_config_error_not_the_default(monkeypatch, tmp_path):
    empty = tmp_path / "database_url"
    empty.write_text("\n", encoding="utf-8")
    monkeypatch.delenv("OW_T_DB", raising=False)
    monkeypatch.setenv("OW_T_DB_FILE", str(empty))
    with pytest.raises(ConfigError, match="是空的"):
        env_str("OW_T_DB", "sqlite:///fallback")


def test_setting_both_the_value_and_the_file_is_refused(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-file", encoding="utf-8")
    monkeypatch.setenv("OW_T_DB", "from-env")
    monkeypatch.setenv("OW_T_DB_FILE", str(secret))
    with pytest.raises(ConfigError, match="只能设置一个"):
        env_str("OW_T_DB", "")


def test_settings_read_the_three_production_secrets_from_files(tmp_path):
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    (secrets / "secret_key").write_text("k" * 60 + "\n", encoding="utf-8")
    (secrets / "database_url").write_text(f"sqlite:///{tmp_path / 'db.sqlite3'}\n")
    (secrets / "redis_url").write_text("redis://127.0.0.1:6379/5\n")
    env = _clean_env(
        tmp_path,
        SECRET_KEY_FILE=str(secrets / "secret_key"),
        DATABASE_URL_FILE=str(secrets / "database_url"),
        REDIS_URL_FILE=str(secrets / "redis_url"),
    )
    script = (
        "from django.conf import settings as s; "
        "print(s.SECRET_KEY == 'k' * 60, s.DATABASES['default']['NAME'], s.REDIS_URL, "
        "s.CACHES['ratelimit']['BACKEND'], s.SESSION_ENGINE)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        str(tmp_path / "db.sqlite3"),
        "redis://127.0.0.1:6379/5",
        "django.core.cache.backends.redis.RedisCache",
        "django.contrib.sessions.backends.cache",
    ]


@pytest.mark.parametrize("command", [["web", "--port", "8123"], ["migrate"], ["worker"]])
def test_the_commands_stop_with_one_line_when_a_secret_file_is_missing(tmp_path, command):
    env = _clean_env(tmp_path, DATABASE_URL_FILE="/etc/onewindow/secrets/absent_database_url")
    result = subprocess.run(
        [ONEWINDOW, *command], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "无法读取 DATABASE_URL_FILE" in result.stderr
    assert "/etc/onewindow/secrets/absent_database_url" in result.stderr
    assert not (tmp_path / "data" / "onewindow.sqlite3").exists()  # no fallback database
