"""The right diagnosis, in one line, for what people really get wrong: against the real
WordPress, which answers every failed login alike (`rest_not_logged_in`)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

WRONG_BUT_SHAPED = "abcd efgh ijkl mnop qrst uvwx"


def pull(tmp: Path, *args: str, password: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "WPCPD_ARCHIVE": str(tmp / "wpcpd.db")}
    if password is not None:
        env["WPCPD_PASSWORD"] = password
    return subprocess.run([sys.executable, "-m", "wpcpd", "pull", *args], capture_output=True,
                          text=True, timeout=120, env=env)  # fmt: skip


def one_line(result: subprocess.CompletedProcess, *secrets: str) -> str:
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
    for secret in secrets:
        assert secret not in result.stderr + result.stdout
    return result.stderr


@pytest.fixture(scope="module")
def site(seeded_wordpress: Any) -> Any:
    return seeded_wordpress


def test_a_wrong_application_password_is_called_that(site: Any, tmp_path: Path) -> None:
    said = one_line(pull(tmp_path, site.url, "--user", "admin", password=WRONG_BUT_SHAPED),
                    WRONG_BUT_SHAPED)  # fmt: skip
    assert "wrong application password for 'admin'" in said
    assert "does not look like one" not in said and ".htaccess" not in said


def test_the_login_password_given_instead_is_recognised(
    wordpress_factory: Any, tmp_path: Path
) -> None:
    site = wordpress_factory()  # its own: the shared seeded site must keep its users
    login = "correct horse battery staple"  # what people type at wp-login.php
    site.php("if (!username_exists('jo')) { wp_insert_user(['user_login' => 'jo',"
             f" 'user_pass' => '{login}', 'role' => 'editor']); }}")  # fmt: skip
    result = pull(tmp_path, site.url, "--user", "jo", password=login)
    said = one_line(result, login)
    assert "login password, not an application password" in said
    assert "Application Passwords" in said


def test_an_unknown_user_is_told_to_give_the_login_name(site: Any, tmp_path: Path) -> None:
    said = one_line(pull(tmp_path, site.url, "--user", "nosuchuser", password=site.app_password),
                    site.app_password)  # fmt: skip
    assert "no user 'nosuchuser'" in said and "login name" in said


def test_a_web_server_stripping_authorization_gets_the_htaccess_line(
    wordpress_factory: Any, tmp_path: Path
) -> None:
    stripped = wordpress_factory()
    strip = "unset($_SERVER['PHP_AUTH_USER'], $_SERVER['PHP_AUTH_PW']);"
    strip += " unset($_SERVER['HTTP_AUTHORIZATION']);"
    stripped.add_mu_plugin("strip-auth", strip)
    result = pull(tmp_path, stripped.url, "--user", "admin", password=stripped.app_password)
    said = one_line(result, stripped.app_password)
    assert "strips the Authorization header" in said and "HTTP_AUTHORIZATION" in said
    assert "wrong" not in said


def test_a_missing_file_is_no_such_file_at_once(tmp_path: Path) -> None:
    started = time.monotonic()
    said = one_line(pull(tmp_path, "exprot.xml"))
    assert "exprot.xml: no such file" in said
    assert time.monotonic() - started < 5  # no DNS lookup, no retries


def test_host_and_port_without_a_scheme_fall_back_to_http_at_once(
    site: Any, tmp_path: Path
) -> None:
    started = time.monotonic()
    result = pull(tmp_path, site.url.removeprefix("http://"))
    assert result.returncode == 0, result.stderr
    assert f"from {site.url} via rest" in result.stdout
    assert time.monotonic() - started < 30


def test_an_address_inside_wp_admin_is_reduced_to_the_site(site: Any, tmp_path: Path) -> None:
    result = pull(tmp_path, f"{site.url}/wp-admin/edit.php?post_type=page")
    assert result.returncode == 0, result.stderr
    assert f"from {site.url} via rest" in result.stdout
