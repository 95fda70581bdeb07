"""docs/decisions.md §S3: production headers. A Content-Security-Policy without 'unsafe-inline' on
every response, HSTS, the HTTPS redirect and the proxy's HTTPS header set by environment
variables, and ``manage.py check --deploy`` silent with the documented production variables."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

WORKTREE = Path(__file__).resolve().parents[3]
PACKAGE = WORKTREE / "onewindow"

# The production variables the README documents (section "Production").
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k3J9-production-secret-" + "x7Qp2mZ8vR4tW6yB1nC5dF0gH" * 2,
    "ALLOWED_HOSTS": "zwfw.ezhou.gov.cn",
    "CSRF_TRUSTED_ORIGINS": "https://zwfw.ezhou.gov.cn",
    "SECURE_COOKIES": "true",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
    "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
    # docs/operations.md §W3, §W5, §W7 (test_deploy_files.py checks deploy/onewindow.env.example,
    # which reads the secrets from files).
    "STATIC_MANIFEST": "true",
    "LOG_FORMAT": "json",
}


def _check_deploy(tmp_path: Path, extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # Only what a deployment would set: no test-run switches (the browser tests set
    # DJANGO_ALLOW_ASYNC_UNSAFE in this process, which check --deploy rightly refuses).
    test_only = {*PRODUCTION, "DJANGO_ALLOW_ASYNC_UNSAFE", "REDIS_URL"}
    env = {name: value for name, value in os.environ.items() if name not in test_only}
    env = {
        **env,
        "ONEWINDOW_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'check.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "onewindow.settings",
        "PYTHONPATH": str(WORKTREE),
        **extra,
    }
    return subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_prints_nothing_with_the_production_variables(tmp_path):
    result = _check_deploy(tmp_path, PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced).", (
        result.stdout + result.stderr
    )
    assert "WARNING" not in result.stderr


def test_check_deploy_warns_without_them(tmp_path):
    result = _check_deploy(tmp_path, {})
    assert "security.W004" in result.stdout + result.stderr  # no HSTS


# --- headers ---------------------------------------------------------------------------------


def _policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {
        part.strip().split(" ", 1)[0]: part.strip().partition(" ")[2]
        for part in header.split(";")
        if part.strip()
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/", "/guides/", "/accounts/login/", "/api/v1/docs/", "/api/v1/redoc/"]
)
def test_every_page_carries_a_policy_without_unsafe_inline(client, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = _policy(response)
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert policy["default-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "https:" not in response["Content-Security-Policy"]  # no CDN


@pytest.mark.django_db
def test_the_api_docs_scripts_carry_the_nonce_of_the_policy(client):
    for path in ["/api/v1/docs/", "/api/v1/redoc/"]:
        response = client.get(path)
        nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
        assert nonce, path
        html = response.content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or f'nonce="{nonce.group(1)}"' in tag, (path, tag)
        assert "fonts.googleapis.com" not in html


@pytest.mark.django_db
def test_https_redirect_hsts_and_the_proxy_header_follow_the_settings(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    plain = client.get("/guides/")
    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/guides/"
    secure = client.get("/guides/", HTTP_X_FORWARDED_PROTO="https")
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    # The load balancer's health probe speaks plain HTTP inside the network.
    assert client.get("/healthz?scope=web").status_code == 200


def test_the_proxy_header_variable_is_parsed(monkeypatch):
    from onewindow.env import env_proxy_ssl_header

    monkeypatch.setenv("SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto")
    assert env_proxy_ssl_header("SECURE_PROXY_SSL_HEADER") == ("HTTP_X_FORWARDED_PROTO", "https")
    monkeypatch.setenv("SECURE_PROXY_SSL_HEADER", "")
    assert env_proxy_ssl_header("SECURE_PROXY_SSL_HEADER") is None


# --- templates -------------------------------------------------------------------------------

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*\bnonce=)[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b(?![^>]*\bnonce=)[^>]*>|\sstyle\s*=", re.I)


def test_no_template_holds_an_inline_script_or_style_without_the_nonce():
    offenders = []
    for template in PACKAGE.rglob("templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        if INLINE_SCRIPT.search(text) or INLINE_STYLE.search(text):
            offenders.append(str(template.relative_to(WORKTREE)))
    assert offenders == []


def test_no_python_code_writes_a_style_attribute_into_html():
    """format_html() markup in admin columns and helpers: classes, never style="" (CSP)."""
    offenders = [
        str(source.relative_to(WORKTREE))
        for source in PACKAGE.rglob("*.py")
        if "tests" not in source.parts and re.search(r"<[a-z]+[^>]*\sstyle=", source.read_text())
    ]
    assert offenders == []
