"""Shared fixtures. The real-WordPress sandbox itself lives in tests/wordpress/sandbox.py."""

from __future__ import annotations

import os
import signal
import sqlite3
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "wordpress"))
from sandbox import WordPressSandbox, available


def pytest_configure(config: pytest.Config) -> None:
    """Ctrl-C as the tests send it reaches the programs they start, however the suite was
    started: a shell that runs the suite in the background without job control makes
    SIGINT ignored, and an ignored signal stays ignored across exec. The tests that send
    SIGINT (an interrupted pull, stopping the sandbox script) then saw it do nothing."""
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def archive_dump(path: Path) -> list[str]:
    """The archive as SQL, to compare: the log of pull attempts is left out, since every
    attempt, even one that changed nothing, is recorded there."""
    with sqlite3.connect(path) as db:
        return [line for line in db.iterdump() if not line.startswith('INSERT INTO "pull_runs"')]


def require_wordpress() -> None:
    """Skip without the Debian packages; fail instead where CI promises to have them."""
    ok, reason = available()
    if ok:
        return
    if os.environ.get("WPCPD_REQUIRE_WORDPRESS") == "1":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def wordpress() -> Iterator[WordPressSandbox]:
    """A running WordPress with only wp_install()'s default content."""
    require_wordpress()
    with WordPressSandbox() as sandbox:
        yield sandbox


@pytest.fixture(scope="session")
def seeded_wordpress() -> Iterator[WordPressSandbox]:
    """A running WordPress with seed_full.php applied; ``.seed`` holds its id summary."""
    require_wordpress()
    with WordPressSandbox() as sandbox:
        sandbox.seed_full()
        yield sandbox


@pytest.fixture
def wordpress_factory() -> Iterator[Callable[..., WordPressSandbox]]:
    """Starts extra sandboxes (keyword options as WordPressSandbox) and stops them after."""
    require_wordpress()
    started: list[WordPressSandbox] = []

    def start(**options: Any) -> WordPressSandbox:
        sandbox = WordPressSandbox(**options)
        started.append(sandbox)
        return sandbox.start()

    yield start
    for sandbox in started:
        sandbox.stop()
