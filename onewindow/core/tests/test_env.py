import pytest

from onewindow.env import ConfigError, env_bool, env_choice, env_int, env_list, env_str


def test_env_helpers_read_typed_values(monkeypatch):
    monkeypatch.setenv("OW_T_BOOL", "yes")
    monkeypatch.setenv("OW_T_INT", "42")
    monkeypatch.setenv("OW_T_LIST", "a, b,,c")
    assert env_bool("OW_T_BOOL", False) is True
    assert env_int("OW_T_INT", 1) == 42
    assert env_list("OW_T_LIST", "") == ["a", "b", "c"]
    assert env_str("OW_T_UNSET", "fallback") == "fallback"


@pytest.mark.parametrize(
    ("name", "value", "read"),
    [
        ("OW_T_BOOL", "maybe", lambda: env_bool("OW_T_BOOL", False)),
        ("OW_T_INT", "ten", lambda: env_int("OW_T_INT", 1)),
        ("OW_T_INT", "-1", lambda: env_int("OW_T_INT", 1, minimum=0)),
        ("OW_T_CHOICE", "fr", lambda: env_choice("OW_T_CHOICE", "en", ("en", "zh-hans"))),
    ],
)
def test_env_helpers_fail_loudly_on_bad_values(monkeypatch, name, value, read):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError):
        read()


def test_secret_read_from_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n", encoding="utf-8")
    monkeypatch.delenv("OW_T_SECRET", raising=False)
    monkeypatch.setenv("OW_T_SECRET_FILE", str(secret))
    assert env_str("OW_T_SECRET", "") == "s3cret"
