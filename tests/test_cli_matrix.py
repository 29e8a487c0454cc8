"""Every command, at a terminal, piped and with --json, with each outcome it can print:
the matrix that would have caught `publish` crashing whenever it printed its table."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from clirun import MODES, Run, assert_clean, cli_env, plain, run_cli, run_in_pty

SAMPLE = Path(__file__).parent.parent / "fixtures" / "sample-cpd23.xml"

# (arguments, whether --json applies, should it succeed)
OFFLINE = [
    (["stats"], True, True),
    (["stats", "--site", "1"], True, True),
    (["check", "--max-age", "52w"], True, True),
    (["list", "posts", "--status", "draft"], True, True),
    (["comments", "--status", "pending"], True, True),
    (["comments", "--since", "2023-01-01"], True, True),
    (["show", "4"], True, True),
    (["show", "thing-1-blogging"], True, True),
    (["reflections"], True, True),
    (["search", "reflective practice"], True, True),
    (["search", "course", "--type", "comment", "--limit", "1"], True, True),
    (["search", "--reindex"], False, True),
    (["datasette", "--no-serve"], False, True),
    (["templates"], True, True),
    (["sites", "list"], True, True),
    (["export", "json", "-o", "-"], False, True),
    (["new", "thing", "--thing", "12"], False, True),
    (["--help"], False, True),
    (["pull", "--help"], False, True),
    # errors: one line, non-zero, in every mode
    (["show", "999"], True, False),
    (["show", "no-such-slug"], True, False),
    (["list", "posts", "--status", "drafts"], True, False),
    (["comments", "--status", "maybe"], True, False),
    (["stats", "--site", "nosuch.example.org"], True, False),
    (["check", "--max-age", "soon"], True, False),
    (["pull", "exprot.xml"], True, False),
    (["pull", "--bogus"], False, False),
    (["pull", str(SAMPLE), "--via", "ftp"], True, False),
    (["pull", str(SAMPLE), "--since", "2011-01-01"], True, False),  # scraping only
    (["pull", str(SAMPLE), "--comments-only"], True, False),  # live sites only
    (["comments", "--type", "pingbacks"], True, False),
    (["list", "posts", "--type", "pots"], True, False),
    (["search", '"unbalanced'], True, False),
    (["search", "blog", "--type", "page"], True, False),
    (["search"], True, False),
    (["render", "missing.md"], False, False),
    (["sites", "remove", "nosuch"], False, False),
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("demo")
    done = run_cli(["pull", str(SAMPLE)], cli_env(home))
    assert done.code == 0, done.text
    return home


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("args", "has_json", "ok"), OFFLINE, ids=lambda a: " ".join(a)
                         if isinstance(a, list) else None)  # fmt: skip
def test_offline_commands_in_every_mode(
    demo: Path, args: list[str], has_json: bool, ok: bool, mode: str
) -> None:
    if mode == "json" and not has_json:
        mode = "piped"
    run = run_cli(args, cli_env(demo), mode)
    assert_clean(run, mode, ok=ok)


def test_a_terminal_gets_a_table_and_a_pipe_gets_tabs(demo: Path) -> None:
    terminal = run_cli(["list", "posts"], cli_env(demo), "terminal")
    piped = run_cli(["list", "posts"], cli_env(demo), "piped")
    assert "\t" not in terminal.out and "Thing 1: Blogging" in terminal.out
    assert piped.out.splitlines()[0].split("\t")[:3] == ["site", "id", "type"]


def test_long_comments_are_whole_when_piped_and_wrapped_at_a_terminal(demo: Path) -> None:
    long = "word " * 60 + "THE-END"
    env = cli_env(demo)
    sql = (
        f"UPDATE comments SET content = '<p>{long} &#8230;</p>' WHERE id = "
        "(SELECT min(id) FROM comments WHERE post_id = 4)"
    )
    subprocess.run([sys.executable, "-c", f"import sqlite3; c = sqlite3.connect("
                    f"{env['WPCPD_ARCHIVE']!r}); c.execute({sql!r}); c.commit()"],
                   check=True)  # fmt: skip
    piped = run_cli(["comments", "--since", "2000-01-01"], env, "piped")
    assert "THE-END …" in piped.out  # whole, and the entity decoded
    terminal = run_cli(["comments", "--since", "2000-01-01"], env, "terminal")
    screen = plain(terminal.out).splitlines()
    assert "THE-END" in plain(terminal.out) and all(len(line) <= 100 for line in screen)
    shown = run_cli(["show", "4"], env, "piped")
    assert "THE-END …" in shown.out
    shown = run_cli(["show", "4"], env, "terminal")
    tree = [line for line in plain(shown.out).splitlines() if line[:1] in "│├└"]
    assert "THE-END" in plain(shown.out) and all(len(line) <= 100 for line in tree)


def test_global_options_work_after_the_command_too(demo: Path, tmp_path: Path) -> None:
    moved = tmp_path / "moved.db"
    shutil.copy(demo / "wpcpd.db", moved)
    env = {k: v for k, v in cli_env(demo).items() if k != "WPCPD_ARCHIVE"}
    after = run_cli(["stats", "--archive", str(moved)], env, "json")
    assert_clean(after, "json")
    assert '"cpd23.example.org"' in after.out
    quiet = run_cli(["pull", str(SAMPLE), "-q", "--archive", str(moved)], env, "piped")
    assert quiet.code == 0 and quiet.err == ""
    version = run_cli(["--version"], env, "piped")
    assert version.out.startswith("wpcpd ")


def test_help_reads_well_at_80_columns(demo: Path) -> None:
    env = {**cli_env(demo), "COLUMNS": "80"}
    top = run_cli(["--help"], env, "piped").out
    commands = [line.split()[0] for line in top.split("Commands:")[1].splitlines() if line.strip()]
    assert "comments" in commands and len(commands) == len(set(commands))
    for command in commands:
        for args in ([command, "--help"], *([[command, sub, "--help"] for sub in ("posts",)]
                                            if command == "list" else [])):  # fmt: skip
            text = run_cli(args, env, "piped").out
            assert all(len(line) <= 80 for line in text.splitlines()), (args, text)
            for programmer in ("<str>", "<int", "<float", "<bool>", "list[", "<path>", "…"):
                assert programmer not in text, (args, programmer, text)
            # No automatic --no- twins of flags; `pull --no-media` and `datasette --no-serve`
            # are options of their own.
            own = text.replace("--no-media", "").replace("--no-serve", "")
            assert "--no-" not in own, (args, text)


def test_usage_errors_are_one_line_with_a_hint(demo: Path) -> None:
    run = run_cli(["pull", "--bogus"], cli_env(demo), "piped")
    assert run.code == 2 and run.err.count("\n") == 1
    assert "see 'wpcpd pull --help'" in run.err


def run_interrupted(args: list[str], env: dict[str, str], signal_number: int) -> Run:
    """Start a command at a terminal and interrupt it once its progress bar shows."""
    sent: list[bool] = []

    def interrupt(seen: bytes, process: subprocess.Popen) -> None:
        if not sent and b"pulling" in seen:
            process.send_signal(signal_number)
            sent.append(True)

    run = run_in_pty(args, env, interrupt)
    assert sent, run.out
    return run


@pytest.fixture(scope="module")
def big_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "big.xml"
    maker = Path(__file__).parent.parent / "benchmarks" / "make_wxr.py"
    # Big enough that the pull is still running when the signal lands on a loaded machine.
    subprocess.run([sys.executable, str(maker), str(SAMPLE), str(path), "--posts", "8000",
                    "--comments-per-post", "8"], check=True, capture_output=True)  # fmt: skip
    return path


@pytest.mark.parametrize("name", ["SIGINT", "SIGTERM"])
def test_an_interrupted_pull_says_so_in_one_line_and_leaves_the_terminal_as_it_was(
    big_export: Path, tmp_path: Path, name: str
) -> None:
    import signal

    run = run_interrupted(["pull", str(big_export)], cli_env(tmp_path), getattr(signal, name))
    assert run.code == 130, run.out
    assert run.out.count("wpcpd: error: interrupted") == 1 and "Traceback" not in run.out
    assert run.out.rstrip().endswith("resume") or "resume" in run.out.splitlines()[-1]
    hidden, shown = run.out.rfind("\x1b[?25l"), run.out.rfind("\x1b[?25h")
    assert shown > hidden  # the cursor is visible again
    checked = run_cli(["check"], cli_env(tmp_path), "piped")
    assert checked.code == 1  # nothing was backed up yet: an export pull is all or nothing


def help_examples(env: dict[str, str]) -> list[str]:
    """The example command lines in every command's --help."""
    top = run_cli(["--help"], env, "piped").out
    commands = [line.split()[0] for line in top.split("Commands:")[1].splitlines() if line.strip()]
    pages = [top]
    for command in commands:
        pages.append(run_cli([command, "--help"], env, "piped").out)
        if command in ("list", "export", "sites"):
            subs = pages[-1].split("Commands:")[1].splitlines()
            pages += [run_cli([command, line.split()[0], "--help"], env, "piped").out
                      for line in subs if line.strip()]  # fmt: skip
    found = []
    for page in pages:
        for block in page.split("Example")[1:]:
            lines = block.split("\n\n")[0].replace("\\\n", " ").splitlines()[1:]
            found += [" ".join(line.split()) for line in lines]
    return found


def test_the_help_examples_run_on_the_demo_archive(demo: Path, tmp_path: Path) -> None:
    work = tmp_path / "copy"
    shutil.copytree(demo, work)
    env = cli_env(work)
    examples = help_examples(env)
    assert len(examples) >= 18
    ran = []
    for example in examples:
        # Those naming a live blog run against real WordPress in test_readme.py.
        offline = example.startswith("wpcpd sites add")  # remembers, connects to nothing
        if not offline and ("example.org" in example or "..." in example or "--to " in example):
            continue
        words = example.split()
        if words[:2] == ["wpcpd", "pull"]:
            words[2] = str(SAMPLE)
        done = subprocess.run([sys.executable, "-m", "wpcpd", *words[1:]], cwd=work, env=env,
                              capture_output=True, text=True, timeout=120)  # fmt: skip
        assert done.returncode == 0, (example, done.stderr)
        ran.append(example)
    assert len(ran) >= 12, ran
