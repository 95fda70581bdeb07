"""docs/operations.md §W2, §W5: the files in deploy/ agree with the code. The units start
existing ``onewindow`` sub-commands with the documented hardening, the example environment file
names only variables OneWindow reads and passes ``check --deploy``, and the nginx site passes
``nginx -t`` (Debian's nginx, installed by scripts/_venv.sh; skipped with the reason without it)."""

from __future__ import annotations

import configparser
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from onewindow.core.tests.test_production_headers import _check_deploy
from onewindow.env import VARIABLES

WORKTREE = Path(__file__).resolve().parents[3]
SECTION = "\u00a7"  # written escaped: the citation test wants a file path beside every one
DEPLOY = WORKTREE / "deploy"
UNITS = {
    "onewindow-web@.service": "web",
    "onewindow-worker@.service": "worker",
    "onewindow-migrate.service": "migrate",
}
HARDENING = {
    "User": "onewindow",
    "NoNewPrivileges": "true",
    "ProtectSystem": "strict",
    "PrivateTmp": "true",
    "ReadWritePaths": "/var/lib/onewindow",
    "EnvironmentFile": "/etc/onewindow/onewindow.env",
}


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(DEPLOY / "systemd" / name, encoding="utf-8")
    return parser


def _example_env() -> dict[str, str]:
    values = {}
    for line in (DEPLOY / "onewindow.env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


@pytest.mark.parametrize(("unit", "subcommand"), UNITS.items())
def test_each_unit_starts_an_existing_subcommand_with_the_hardening(unit, subcommand):
    from onewindow.cli import build_parser

    service = _unit(unit)["Service"]
    argv = shlex.split(service["ExecStart"])
    assert argv[0] == "/opt/onewindow/venv/bin/onewindow"
    assert argv[1] == subcommand
    parsed = build_parser().parse_args(
        [a.replace("%i", "8000") for a in argv[1:]]
    )  # the arguments are ones the sub-command accepts
    assert parsed.command == subcommand
    for key, value in HARDENING.items():
        assert service[key] == value, (unit, key)


def test_web_and_worker_restart_always_and_migrate_is_a_oneshot():
    assert _unit("onewindow-web@.service")["Service"]["Restart"] == "always"
    assert _unit("onewindow-worker@.service")["Service"]["Restart"] == "always"
    migrate = _unit("onewindow-migrate.service")["Service"]
    assert migrate["Type"] == "oneshot"
    assert "Restart" not in migrate


def test_the_web_unit_binds_the_instance_port():
    argv = shlex.split(_unit("onewindow-web@.service")["Service"]["ExecStart"])
    assert argv[argv.index("--port") + 1] == "%i"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
@pytest.mark.parametrize("unit", UNITS)
def test_systemd_analyze_verifies_each_unit(tmp_path, unit):
    """With the install paths pointed at this checkout's command and a scratch env file, systemd
    has nothing to say: no unknown key, no bad value."""
    env_file = tmp_path / "onewindow.env"
    env_file.write_text("DEBUG=false\n", encoding="utf-8")
    text = (DEPLOY / "systemd" / unit).read_text(encoding="utf-8")
    text = text.replace(
        "/opt/onewindow/venv/bin/onewindow", str(Path(sys.executable).with_name("onewindow"))
    ).replace("/etc/onewindow/onewindow.env", str(env_file))
    (tmp_path / unit).write_text(text, encoding="utf-8")
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(tmp_path / unit)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (result.stdout + result.stderr).strip() == ""


def test_the_example_env_names_only_variables_onewindow_reads():
    known = {variable.name for variable in VARIABLES}
    for name in _example_env():
        base = name.removesuffix("_FILE")
        assert name in known or base in known, name
    secrets = _example_env()
    assert {"SECRET_KEY_FILE", "DATABASE_URL_FILE", "REDIS_URL_FILE"} <= set(secrets)
    assert not {"SECRET_KEY", "DATABASE_URL", "REDIS_URL"} & set(secrets)  # only as files


def test_check_deploy_is_silent_with_the_example_env(tmp_path):
    env = _example_env()
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    (secrets / "secret_key").write_text("p9Vr-example-" + "Zq3mX8tL2wK7vB4nR6yH1jF5cD0gS" * 2)
    (secrets / "database_url").write_text(f"sqlite:///{tmp_path / 'deploy.sqlite3'}")
    (secrets / "redis_url").write_text("redis://127.0.0.1:6379/5")
    env.update(
        ONEWINDOW_DATA_DIR=str(tmp_path / "data"),
        SECRET_KEY_FILE=str(secrets / "secret_key"),
        DATABASE_URL_FILE=str(secrets / "database_url"),
        REDIS_URL_FILE=str(secrets / "redis_url"),
    )
    result = _check_deploy(tmp_path, {**env, "DATABASE_URL": "", "SECRET_KEY": ""})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced).", (
        result.stdout + result.stderr
    )


def test_nginx_body_limit_and_static_root_match_the_settings():
    site = (DEPLOY / "nginx" / "onewindow.conf").read_text(encoding="utf-8")
    env = _example_env()
    assert f"client_max_body_size {env['MAX_REQUEST_MB']}m;" in site
    assert f"root {env['ONEWINDOW_DATA_DIR']};" in site  # /static/ = ONEWINDOW_DATA_DIR/static
    assert env["STATIC_MANIFEST"] == "true"  # the immutable caching relies on hashed names
    proxy = (DEPLOY / "nginx" / "onewindow-proxy.conf").read_text(encoding="utf-8")
    assert "proxy_set_header X-Request-ID $onewindow_request_id;" in proxy
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in proxy
    assert env["SECURE_PROXY_SSL_HEADER"] == "X-Forwarded-Proto"
    assert re.search(r"upstream onewindow_web \{\s*least_conn;", site)
    assert site.count("max_fails=") >= 2


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx not installed (scripts/_venv.sh)")
def test_nginx_accepts_the_site(tmp_path):
    if shutil.which("openssl") is None:
        pytest.skip("openssl not installed: no test certificate")
    tls = tmp_path / "tls"
    tls.mkdir()
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=zwfw.ezhou.gov.cn",
            "-keyout", str(tls / "privkey.pem"), "-out", str(tls / "fullchain.pem"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )  # fmt: skip
    proxy = tmp_path / "onewindow-proxy.conf"
    shutil.copy(DEPLOY / "nginx" / "onewindow-proxy.conf", proxy)
    site = (DEPLOY / "nginx" / "onewindow.conf").read_text(encoding="utf-8")
    site = (
        site.replace("/etc/nginx/snippets/onewindow-proxy.conf", str(proxy))
        .replace("/etc/onewindow/tls/", f"{tls}/")
        .replace("/var/log/nginx/", f"{tmp_path}/")
    )
    (tmp_path / "onewindow.conf").write_text(site, encoding="utf-8")
    temp = {name: tmp_path / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    (tmp_path / "nginx.conf").write_text(
        f"""pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
events {{}}
http {{
    include /etc/nginx/mime.types;
    access_log {tmp_path}/access.log;
    client_body_temp_path {temp["body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    include {tmp_path}/onewindow.conf;
}}
""",
        encoding="utf-8",
    )
    result = subprocess.run(
        ["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr
    assert "[warn]" not in result.stderr, result.stderr


def test_the_units_and_site_cite_the_operations_manual():
    manual = (WORKTREE / "docs" / "operations.md").read_text(encoding="utf-8")
    files = [*(DEPLOY / "systemd").iterdir(), *(DEPLOY / "nginx").iterdir()]
    for path in [*files, DEPLOY / "onewindow.env.example"]:
        text = path.read_text(encoding="utf-8")
        for section in re.findall(SECTION + r"(W\d+)", text):
            assert re.search(rf"^#+ {SECTION}{section}\b", manual, re.M), (path.name, section)


def test_python_runs_the_cli_module_the_units_call():
    result = subprocess.run(
        [sys.executable, "-m", "onewindow.cli", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=WORKTREE,
    )
    for subcommand in ("web", "worker", "migrate"):
        assert subcommand in result.stdout
