"""Build an exported Markdown folder with the real static site generator it was written for.

A helper for the tests, not a test file: `build(layout, folder)` runs Hugo, Jekyll, Pelican or
Eleventy offline on `folder` and returns the folder of the built site. A tool that is missing,
fails, or complains (an error or warning in its output) is an AssertionError carrying the end
of what it printed, so a test says why rather than skipping: CI installs every tool
(`scripts/test`: Debian's hugo and jekyll, pelican from the test extras, Eleventy with npm).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

TIMEOUT = 180
GENERATORS = Path(__file__).resolve().parent / "generators"
ELEVENTY = GENERATORS / "node_modules" / ".bin" / "eleventy"
PELICAN = Path(sys.executable).parent / "pelican"

# What each tool prints when something is wrong but it still exits 0 (a template it could not
# find, a Liquid error it rendered as text, a link Pelican could not resolve).
COMPLAINTS = {
    "hugo": re.compile(r"^(ERROR|WARN)", re.MULTILINE),
    "jekyll": re.compile(r"\b(Error|Warning|Deprecation|Exception)\b"),
    "pelican": re.compile(r"\b(ERROR|WARNING|CRITICAL)\b"),
    "eleventy": re.compile(r"\b(Error|Warning|Problem)\b"),
}


def _tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _run(name: str, command: list[str], folder: Path, **more_env: str) -> None:
    """Run one generator in `folder`; fail with its output if it fails or complains."""
    if not Path(command[0]).is_file() and shutil.which(command[0]) is None:
        raise AssertionError(
            f"{name} is not installed ({command[0]}): run scripts/test, which installs the "
            "static site generators the Markdown export is tested with"
        )
    env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb", **more_env}
    try:
        done = subprocess.run(
            command, cwd=folder, capture_output=True, text=True, timeout=TIMEOUT, env=env,
            stdin=subprocess.DEVNULL,
        )  # fmt: skip
    except subprocess.TimeoutExpired as timeout:
        raise AssertionError(f"{name} took over {TIMEOUT} s on {folder}") from timeout
    output = f"{done.stdout}\n{done.stderr}"
    if done.returncode != 0:
        raise AssertionError(f"{name} failed (exit {done.returncode}):\n{_tail(output)}")
    if COMPLAINTS[name].search(output):
        raise AssertionError(f"{name} complained:\n{_tail(output)}")


def build_hugo(folder: Path) -> Path:
    """`hugo` without -D: drafts stay out, as on a real deploy.

    Not --quiet: that also hides the WARN lines (a page kind with no layout) this looks for.
    """
    out = folder / "public"
    _run("hugo", ["hugo", "--source", str(folder), "--destination", str(out)], folder)
    return out


def build_jekyll(folder: Path) -> Path:
    """Debian's jekyll, no bundler: nothing is fetched. Drafts and unpublished stay out.

    Not --quiet: that also hides "Build Warning: Layout 'post' … does not exist".
    """
    out = folder / "_site"
    command = ["jekyll", "build", "--source", str(folder), "--destination", str(out)]
    _run("jekyll", [*command, "--strict_front_matter"], folder)
    return out


def build_pelican(folder: Path) -> Path:
    """The venv's pelican with the folder's own pelicanconf.py."""
    out = folder / "output"
    command = [str(PELICAN), "-s", str(folder / "pelicanconf.py"), "-o", str(out)]
    _run("pelican", [*command, str(folder / "content")], folder)
    return out


def build_eleventy(folder: Path) -> Path:
    """Eleventy as tests/generators/package.json pins it (`npm ci --prefix tests/generators`)."""
    out = folder / "_site"
    command = [str(ELEVENTY), "--input=.", f"--output={out}", "--quiet"]
    # The starter config's require("markdown-it-footnote") finds the pinned copy, as a site
    # that ran `npm install markdown-it-footnote` would find its own.
    _run("eleventy", command, folder, NODE_PATH=str(ELEVENTY.parent.parent))
    return out


BUILDERS = {
    "hugo": build_hugo,
    "jekyll": build_jekyll,
    "pelican": build_pelican,
    "eleventy": build_eleventy,
}


def build(layout: str, folder: Path) -> Path:
    """Build `folder` with the generator `layout` names; the built site's folder."""
    return BUILDERS[layout](Path(folder))
