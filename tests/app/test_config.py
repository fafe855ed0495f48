"""Every setting is declared once (gallery/config.py): what the code reads is declared,
nothing is given a default where it is read, every setting has a default and a line of
help, the environment's text becomes the setting's kind or stops the app naming the
variable, and the operators' page is generated from the table."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from gallery import create_app
from gallery.config import BY_NAME, SETTINGS, TEST_SETTINGS, from_environ

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "gallery"


def _is_config(node: ast.expr) -> bool:
    """`app.config`, `current_app.config`, `self.app.config` or a local named `config`."""
    return (isinstance(node, ast.Attribute) and node.attr == "config") or (
        isinstance(node, ast.Name) and node.id == "config"
    )


def config_reads() -> list[tuple[str, str, str, int]]:
    """(how, setting, file:line, number of arguments) of every config[...] and
    config.get(...)/setdefault(...) with a literal name in gallery/."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        where = path.relative_to(ROOT)
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Subscript) and _is_config(node.value):
                if isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
                    found.append(("[]", node.slice.value, f"{where}:{node.lineno}", 1))
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("get", "setdefault")
                and _is_config(node.func.value)
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                found.append(
                    (
                        node.func.attr,
                        node.args[0].value,
                        f"{where}:{node.lineno}",
                        len(node.args) + len(node.keywords),
                    )
                )
    return found


# Flask's own settings the code may read without the gallery declaring them.
FLASK_OWN = {"TESTING", "DEBUG", "SERVER_NAME", "APPLICATION_ROOT"}


def test_the_scan_finds_the_reads_it_should():
    reads = {(how, name) for how, name, _, _ in config_reads()}
    assert ("[]", "REPORT_RATE_LIMIT") in reads and ("[]", "LOGIN_RATE_LIMIT") in reads
    assert len(reads) > 60


def test_every_setting_the_code_reads_is_declared():
    undeclared = sorted(
        {
            f"{name} ({where})"
            for _, name, where, _ in config_reads()
            if name not in BY_NAME and name not in FLASK_OWN
        }
    )
    assert undeclared == []


def test_no_setting_gets_a_default_where_it_is_read():
    """config.get("X", default) hides the declared default; only the settings filled in
    when the app starts (derived) are set with setdefault, by the code that owns them."""
    defaulted = sorted(
        f"{name} ({where})"
        for how, name, where, args in config_reads()
        if how == "get" and args > 1
    )
    assert defaulted == []
    for how, name, where, _ in config_reads():
        if how == "setdefault":
            assert BY_NAME[name].derived, f"{name} ({where}) is set by default but not derived"


def test_every_setting_has_a_default_help_and_a_group():
    for setting in SETTINGS:
        assert setting.help.strip() and "\n" not in setting.help, setting.name
        assert setting.group, setting.name
        if setting.derived:
            assert setting.variables == (), setting.name
        elif setting.default is not None:
            assert isinstance(setting.default, setting.type), setting.name
    assert len(BY_NAME) == len(SETTINGS)  # declared once


def test_every_setting_is_read_as_name_or_flask_name():
    for setting in SETTINGS:
        if not setting.derived:
            assert setting.variables[0] == setting.name
            assert "FLASK_" + setting.name in setting.variables
            flask_names = [v for v in setting.variables if v.startswith("FLASK_")]
            assert setting.variables.index(flask_names[0]) > setting.variables.index(setting.name)


def test_the_interfaces_environment_names_are_read():
    """The names operators' scripts use (interfaces.md, README)."""
    found = from_environ(
        {
            "DATABASE_URL": "sqlite:///x.sqlite3",
            "GALLERY_MEDIA": "s3://b/p",
            "FLASK_SECRET_KEY": "k",
            "RATELIMIT_STORAGE_URI": "redis://r",
            "TRUSTED_HOSTS": "a.example",
            "FLASK_ONION_URL": "http://o.onion",
            "MAIL_SERVER": "smtp.example",
            "FLASK_MAIL_PORT": "2525",
            "MAIL_USE_TLS": "false",
            "FLASK_RATELIMIT_ENABLED": "false",
        }
    )
    assert found == {
        "SQLALCHEMY_DATABASE_URI": "sqlite:///x.sqlite3",
        "MEDIA_STORE": "s3://b/p",
        "SECRET_KEY": "k",
        "RATELIMIT_STORAGE_URI": "redis://r",
        "TRUSTED_HOSTS": "a.example",
        "ONION_URL": "http://o.onion",
        "MAIL_SERVER": "smtp.example",
        "MAIL_PORT": 2525,
        "MAIL_USE_TLS": False,
        "RATELIMIT_ENABLED": False,
    }


@pytest.mark.parametrize(
    ("variable", "text", "name", "value"),
    [
        ("FLASK_WORKS_PER_PAGE", "30", "WORKS_PER_PAGE", 30),
        ("MAIL_TIMEOUT", "2.5", "MAIL_TIMEOUT", 2.5),
        ("DECODE_SLOTS", "3", "DECODE_SLOTS", 3),  # None by default, a number when set
        ("PAGE_CACHE", "off", "PAGE_CACHE", False),
        ("FLASK_CHALLENGE_ALWAYS", "Yes", "CHALLENGE_ALWAYS", True),
        ("LANGUAGES", '["en", "fr"]', "LANGUAGES", ("en", "fr")),
        (
            "SQLALCHEMY_ENGINE_OPTIONS",
            '{"pool_size": 3}',
            "SQLALCHEMY_ENGINE_OPTIONS",
            {"pool_size": 3},
        ),
        ("MAIL_PASSWORD", "1234", "MAIL_PASSWORD", "1234"),  # a password stays text
        ("ARGON2_MEMORY_KIB", "65536", "ARGON2_MEMORY_KIB", 65536),
    ],
)
def test_the_environment_becomes_the_settings_kind(variable, text, name, value):
    assert from_environ({variable: text}) == {name: value}


@pytest.mark.parametrize(
    ("variable", "text", "message"),
    [
        ("FLASK_WORKS_PER_PAGE", "thirty-secret", "FLASK_WORKS_PER_PAGE must be a number"),
        ("MEDIA_SENDFILE", "secret", "MEDIA_SENDFILE must be true or false"),
        ("LANGUAGES", "en,secret", "LANGUAGES must be written in JSON"),
        ("FLASK_LANGUAGES", '"secret"', "FLASK_LANGUAGES must be a JSON list"),
        ("DATABASE_URL", "", None),  # empty: unset
    ],
)
def test_a_bad_value_stops_the_app_at_start_naming_the_variable(tmp_path, variable, text, message):
    environ = {"GALLERY_INSTANCE": str(tmp_path / "instance"), variable: text}
    if message is None:
        app = create_app({"TESTING": True, **TEST_SETTINGS}, environ=environ)
        assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("gallery.sqlite3")
        return
    with pytest.raises(RuntimeError) as refused:
        create_app({"TESTING": True, **TEST_SETTINGS}, environ=environ)
    assert str(refused.value) == f"{message} (see docs/operators/configuration.md)."
    assert "secret" not in str(refused.value)  # never the value
    assert refused.value.__cause__ is None and refused.value.__suppress_context__


def test_the_app_reads_the_environ_it_is_given_not_the_process(tmp_path, monkeypatch):
    monkeypatch.setenv("FLASK_SITE_NAME", "From the shell")
    app = create_app(
        {"TESTING": True}, environ={"GALLERY_INSTANCE": str(tmp_path / "one"), "SITE_NAME": "Lyon"}
    )
    assert app.config["SITE_NAME"] == "Lyon"
    assert app.instance_path == str(tmp_path / "one")
    # Without one, the process's environment, as flask --app gallery and gunicorn read it.
    monkeypatch.setenv("GALLERY_INSTANCE", str(tmp_path / "two"))
    app = create_app({"TESTING": True})
    assert app.config["SITE_NAME"] == "From the shell"
    assert app.instance_path == str(tmp_path / "two")


def test_undeclared_flask_variables_are_read_as_flask_reads_them(tmp_path):
    app = create_app(
        {"TESTING": True},
        environ={
            "GALLERY_INSTANCE": str(tmp_path / "i"),
            "FLASK_SOMETHING": "[1, 2]",
            "FLASK_OTHER": "plain text",
            "FLASK_SQLALCHEMY_ENGINE_OPTIONS__pool_timeout": "7",
        },
    )
    assert app.config["SOMETHING"] == [1, 2] and app.config["OTHER"] == "plain text"
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_timeout"] == 7
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["hide_parameters"] is True
    # The declared default is untouched: the next app does not get this app's pool_timeout.
    assert BY_NAME["SQLALCHEMY_ENGINE_OPTIONS"].default == {
        "pool_pre_ping": True,
        "hide_parameters": True,
    }


def test_argon2_below_19_mib_is_refused_outside_tests(tmp_path):
    environ = {"GALLERY_INSTANCE": str(tmp_path / "i"), "ARGON2_MEMORY_KIB": "8"}
    with pytest.raises(RuntimeError, match="ARGON2_MEMORY_KIB must be at least 19456"):
        create_app(environ=environ)


def test_the_tests_hash_passwords_with_the_minimum(app):
    from gallery.core import passwords

    assert "$m=8,t=1,p=1$" in passwords.hash_password("x" * 64)


def test_the_operators_page_is_generated_from_the_table():
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "settings-doc"), "--check"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    page = (ROOT / "docs" / "operators" / "configuration.md").read_text()
    for setting in SETTINGS:
        assert f"| `{setting.name}` |" in page


def test_an_app_hashes_with_its_argon2_settings(tmp_path):
    from gallery.core import passwords

    app = create_app(
        {"TESTING": True},
        environ={"GALLERY_INSTANCE": str(tmp_path / "i"), "ARGON2_TIME_COST": "2"},
    )
    with app.app_context():
        stored = passwords.hash_password("x" * 64)
        assert "$m=47104,t=2,p=1$" in stored
        assert passwords.verify(stored, "x" * 64) and not passwords.needs_rehash(stored)
    with create_app(
        {"TESTING": True, **TEST_SETTINGS}, environ={"GALLERY_INSTANCE": str(tmp_path / "i")}
    ).app_context():
        assert passwords.needs_rehash(stored)  # renewed at the next login


def test_two_galleries_on_one_redis_keep_their_pages_apart(tmp_path):
    """CACHE_KEY_PREFIX is an operator's setting like any other: two galleries that share a
    Redis give it different values, and neither ever reads the other's pages (it was a
    derived value that no variable could change, so both wrote under "gallery:")."""
    one = create_app(
        {"TESTING": True, **TEST_SETTINGS},
        environ={"GALLERY_INSTANCE": str(tmp_path / "one"), "FLASK_CACHE_KEY_PREFIX": "lyon:"},
    )
    two = create_app(
        {"TESTING": True, **TEST_SETTINGS}, environ={"GALLERY_INSTANCE": str(tmp_path / "two")}
    )
    assert one.config["CACHE_KEY_PREFIX"] == "lyon:"
    assert two.config["CACHE_KEY_PREFIX"] == "gallery:"
    assert one.config["CACHE_DIR"] == str(tmp_path / "one" / "cache" / "pages")
