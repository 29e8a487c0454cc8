"""The wheel carries what the tool needs at run time: the templates from the repository root."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _source_tree(into: Path) -> Path:
    """What an sdist holds, copied: building in the checkout would leave build/ behind."""
    into.mkdir()
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy(ROOT / name, into / name)
    for folder in ("wpcpd", "templates"):
        shutil.copytree(ROOT / folder, into / folder, ignore=shutil.ignore_patterns("__pycache__"))
    return into


def test_the_wheel_ships_the_root_templates_inside_the_package(tmp_path: Path) -> None:
    source = _source_tree(tmp_path / "source")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(tmp_path), str(source)],
        check=True, capture_output=True,
    )  # fmt: skip
    (wheel,) = tmp_path.glob("wpcpd-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {
        "wpcpd/templates/" + p.relative_to(ROOT / "templates").as_posix()
        for p in (ROOT / "templates").rglob("*")
        if p.is_file()
    }
    assert shipped and shipped <= names
    # So do the starter sites `wpcpd export markdown` copies out (data, not a Python package).
    starters = {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "wpcpd" / "sinks" / "markdown" / "starters").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    partial = "wpcpd/sinks/markdown/starters/hugo/layouts/partials/wpcpd-comments.html"
    assert partial in starters and starters <= names
    # And the portfolio's page template and style sheet.
    assert {
        "wpcpd/sinks/portfolio/portfolio.html.j2",
        "wpcpd/sinks/portfolio/portfolio.css",
    } <= names
    # And the HTML export's templates, style sheet and search script.
    html_files = {
        p.relative_to(ROOT).as_posix()
        for folder in ("templates", "assets")
        for p in (ROOT / "wpcpd" / "sinks" / "html" / folder).iterdir()
        if p.is_file()
    }
    assert "wpcpd/sinks/html/assets/search.js" in html_files and html_files <= names

    # Installed, the package finds them inside itself: list them from a tree without the checkout.
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
         str(wheel)],
        check=True, capture_output=True,
    )  # fmt: skip
    probe = "from wpcpd.reflect import programmes; print(programmes.SHIPPED_DIR)"
    found = subprocess.run(
        [sys.executable, "-c", probe],
        check=True, capture_output=True, text=True, cwd=tmp_path,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert Path(found.stdout.strip()) == target / "wpcpd" / "templates"
