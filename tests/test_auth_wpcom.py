"""`wpcpd auth wpcom`: the steps, a pasted token, and the OAuth2 authorization-code flow
(https://developer.wordpress.com/docs/oauth2/) against the local stand-in for WordPress.com
(tests/wpcomfake.py), with the browser played by the test. The token ends in the keyring
(a JSON-file backend here, tests/filekeyring.py), and never in output or a profile."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from clirun import MODES, assert_clean, cli_env, run_cli
from test_publish import write_thing_12
from test_publish_wpcom import answer_prompt
from wpcomfake import SITE, TOKEN, FakeWpcom, running

TESTS = Path(__file__).parent


@pytest.fixture
def fake() -> Iterator[FakeWpcom]:
    with running(FakeWpcom()) as server:
        yield server


def keyring_env(tmp: Path, fake: FakeWpcom, **extra: str) -> dict[str, str]:
    env = cli_env(tmp, WPCPD_WPCOM_API=fake.url, PYTHONPATH=str(TESTS),
                  PYTHON_KEYRING_BACKEND="filekeyring.JsonFileKeyring",
                  WPCPD_TEST_KEYRING=str(tmp / "keyring.json"), **extra)  # fmt: skip
    env.pop("WPCPD_WPCOM_TOKEN", None)
    return env


def stored(tmp: Path) -> dict[str, str]:
    path = tmp / "keyring.json"
    return json.loads(path.read_text()) if path.exists() else {}


@pytest.mark.parametrize("mode", MODES)
def test_the_steps_are_explained_and_nothing_is_stored(
    fake: FakeWpcom, tmp_path: Path, mode: str
) -> None:
    env = keyring_env(tmp_path, fake)
    if mode == "terminal":
        code, shown = answer_prompt(["auth", "wpcom"], env, "Paste a token", "")
        assert code == 0, shown
    else:
        run = run_cli(["auth", "wpcom"], env, mode)
        assert_clean(run, mode)
        shown = run.out
    assert "developer.wordpress.com/apps" in shown and "--client-id" in shown
    assert stored(tmp_path) == {}


def test_a_pasted_token_is_checked_kept_in_the_keyring_and_used_to_publish(
    fake: FakeWpcom, tmp_path: Path
) -> None:
    env = keyring_env(tmp_path, fake)
    code, shown = answer_prompt(["auth", "wpcom"], env, "Paste a token", TOKEN)
    assert code == 0, shown
    assert "user jo" in shown and TOKEN not in shown
    assert list(stored(tmp_path).values()) == [TOKEN]
    file = write_thing_12(tmp_path)
    run = run_cli(["publish", str(file), "--to", SITE, "--json"], env)
    assert_clean(run, "piped")
    assert json.loads(run.out)["action"] == "created"  # the keyring's token, not a prompt
    assert TOKEN not in (tmp_path / "wpcpd.db").read_bytes().decode("latin-1")


def test_a_token_wordpress_com_refuses_is_not_kept(fake: FakeWpcom, tmp_path: Path) -> None:
    env = keyring_env(tmp_path, fake)
    code, shown = answer_prompt(["auth", "wpcom"], env, "Paste a token", "not-a-token")
    assert code != 0 and shown.count("wpcpd: error:") == 1
    assert "did not accept the token" in shown and "not-a-token" not in shown
    assert stored(tmp_path) == {}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_code_flow(tmp: Path, fake: FakeWpcom, approve: bool) -> subprocess.CompletedProcess:
    """`wpcpd auth wpcom --client-id`, with this test as the browser: it reads the address
    wpcpd prints, and comes back to the redirect URL the way WordPress.com sends it."""
    redirect = f"http://127.0.0.1:{free_port()}/wpcpd"
    env = keyring_env(tmp, fake, WPCPD_WPCOM_CLIENT_SECRET=fake.client[1])
    args = ["auth", "wpcom", "--client-id", fake.client[0], "--redirect-uri", redirect,
            "--scope", "global"]  # fmt: skip
    process = subprocess.Popen([sys.executable, "-m", "wpcpd", *args], env=env, text=True,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)  # fmt: skip
    assert process.stderr is not None
    err = ""
    while "oauth2/authorize" not in err:
        line = process.stderr.readline()
        assert line, err
        err += line
    address = next(w for w in err.split() if "oauth2/authorize" in w)
    query = {k: v[-1] for k, v in parse_qs(urlsplit(address).query).items()}
    assert query["client_id"] == fake.client[0] and query["redirect_uri"] == redirect
    assert query["response_type"] == "code" and query["scope"] == "global"
    if approve:
        fake.codes["code-77"] = redirect
        back = f"{redirect}?code=code-77&state={query['state']}"
    else:
        back = f"{redirect}?error=access_denied&state={query['state']}"
    with urllib.request.urlopen(back, timeout=30) as answer:
        assert b"close this tab" in answer.read()
    out, rest = process.communicate(timeout=60)
    return subprocess.CompletedProcess(args, process.returncode, out, err + rest)


def test_the_authorization_code_flow_from_a_terminal(fake: FakeWpcom, tmp_path: Path) -> None:
    done = run_code_flow(tmp_path, fake, approve=True)
    assert done.returncode == 0, done.stderr
    assert list(stored(tmp_path).values()) == [TOKEN]
    (exchange,) = [s for s in fake.seen if s.path == "/oauth2/token"]
    assert exchange.method == "POST"
    text = done.stdout + done.stderr
    assert TOKEN not in text and fake.client[1] not in text
    assert not (tmp_path / "config" / "sites.toml").exists()


def test_a_refusal_in_the_browser_is_one_line(fake: FakeWpcom, tmp_path: Path) -> None:
    done = run_code_flow(tmp_path, fake, approve=False)
    assert done.returncode == 2
    errors = [line for line in done.stderr.splitlines() if line.startswith("wpcpd: error:")]
    assert errors == ["wpcpd: error: WordPress.com did not authorize the app (access_denied)"]
    assert stored(tmp_path) == {}
