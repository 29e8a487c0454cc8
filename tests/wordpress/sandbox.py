"""A throwaway, real WordPress site for tests, built from Debian's packages.

Each sandbox gets its own copy of /usr/share/wordpress, its own MariaDB server (unix socket
only, no TCP) and its own PHP built-in web server on a free port, so several can run at once.
It needs no Docker and no network. Files live under /dev/shm when it is usable (see
default_tmp_root) and are deleted by stop().

    with WordPressSandbox() as wp:
        wp.php("echo get_bloginfo('name');")       # -> "CPD Sandbox"
        requests.get(wp.url + "/wp-json/")

This module imports nothing outside Python's standard library (not pytest, not lxml):
scripts/wordpress-sandbox runs it with the system python3 from a fresh clone, before any
virtual environment exists.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from types import TracebackType
from typing import Any, Self

HERE = Path(__file__).resolve().parent
WORDPRESS_DIR = Path("/usr/share/wordpress")
DEBIAN_PACKAGES = (
    "wordpress php-cli php-mysql php-xml php-mbstring php-curl mariadb-server "
    "wordpress-theme-twentytwentyone wordpress-theme-twentytwentythree"
)
DB_NAME = "wordpress"
BOOTSTRAP_ENV = "WPCPD_WP_BOOTSTRAP"
APP_PASSWORD_NAME = "wpcpd-sandbox"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0
# mail() must never try a real MTA; PHP notices go to stderr so they cannot corrupt the
# stdout that callers parse (JSON, WXR).
PHP_CLI_OPTIONS = (
    "-d", "sendmail_path=/bin/true",
    "-d", "display_errors=stderr",
    "-d", "log_errors=Off",
    "-d", "html_errors=Off",
)  # fmt: skip
# The defaults (128 MB buffer pool, 96 MB redo log) are wasteful for a site with 30 posts.
MARIADB_SIZE_OPTIONS = ("--innodb-buffer-pool-size=32M", "--innodb-log-file-size=8M")
# Linux limits sun_path to 108 bytes including the terminating NUL.
MAX_SOCKET_PATH = 107
# Copying 2,700 files and InnoDB's fsyncs cost seconds on a busy disk, a tenth of that in RAM.
RAM_TMP_DIR = Path("/dev/shm")
TMP_DIR_ENV = "WPCPD_SANDBOX_TMPDIR"
RAM_TMP_MIN_FREE = 512 * 1024 * 1024
# Ports of this process's running sandboxes.
_CLAIMED_PORTS: set[int] = set()


class SandboxError(RuntimeError):
    """The sandbox could not be started, or a PHP snippet failed inside it."""


def _which(name: str) -> str | None:
    # mariadbd lives in /usr/sbin, which is not on an ordinary user's PATH.
    extra = os.pathsep.join(("/usr/sbin", "/usr/local/sbin"))
    return shutil.which(name, path=os.environ.get("PATH", "") + os.pathsep + extra)


def available() -> tuple[bool, str]:
    """Whether a sandbox can start here; the reason names what is missing if not."""
    missing = [n for n in ("php", "mariadbd", "mariadb-install-db", "mariadb") if not _which(n)]
    if not (WORDPRESS_DIR / "wp-load.php").is_file():
        missing.append(str(WORDPRESS_DIR))
    if missing:
        return False, (
            f"real WordPress sandbox unavailable, missing: {', '.join(missing)} "
            f"(apt-get install {DEBIAN_PACKAGES})"
        )
    php = _which("php")
    assert php is not None
    probe = subprocess.run(
        [php, "-r", "exit(extension_loaded('mysqli') && extension_loaded('xml') ? 0 : 1);"],
        capture_output=True,
        check=False,
    )
    if probe.returncode != 0:
        return False, f"PHP lacks mysqli or xml (apt-get install {DEBIAN_PACKAGES})"
    return True, ""


def php_literal(value: str) -> str:
    """A single-quoted PHP string literal: no interpolation, only \\ and ' need escaping."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def default_tmp_root() -> Path | None:
    """Where sandboxes live: $WPCPD_SANDBOX_TMPDIR, else /dev/shm if usable, else $TMPDIR."""
    if os.environ.get(TMP_DIR_ENV):
        return Path(os.environ[TMP_DIR_ENV])
    try:
        usable = os.access(RAM_TMP_DIR, os.W_OK | os.X_OK) and (
            shutil.disk_usage(RAM_TMP_DIR).free > RAM_TMP_MIN_FREE
        )
    except OSError:
        usable = False
    return RAM_TMP_DIR if usable else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pick_port() -> int:
    # The kernel may hand the same free port to two sandboxes starting at once.
    while True:
        port = _free_port()
        if port not in _CLAIMED_PORTS and not _port_open(port):
            return port


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _tail(path: Path, lines: int = 25) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def _group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes in a process group, read from /proc."""
    members = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        # The command name may contain spaces and parentheses: split after the last ')'.
        state, _ppid, pgrp = stat.rsplit(")", 1)[1].split()[:3]
        if int(pgrp) == pgid and state not in ("Z", "X"):
            members.append(int(entry.name))
    return members


class _Daemon:
    """A background process started in its own session, so its whole group can be signalled."""

    def __init__(self, name: str, cmd: list[str], log: Path, env: dict[str, str] | None = None):
        self.name = name
        self.log = log
        with log.open("ab") as out:
            self.proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def running(self) -> bool:
        return self.proc.poll() is None

    def failure(self, what: str) -> SandboxError:
        return SandboxError(f"{self.name} {what}; log tail:\n{_tail(self.log)}")

    def stop(self, first_signal: signal.Signals = signal.SIGTERM) -> None:
        for sig in (first_signal, signal.SIGTERM, signal.SIGKILL):
            self._signal_group(sig)
            if self._wait_group(STOP_TIMEOUT):
                return
        raise SandboxError(f"{self.name} (pgid {self.pid}) survived SIGKILL")

    def _signal_group(self, sig: signal.Signals) -> None:
        # The group is gone once every member has exited and been reaped.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, sig)

    def _wait_group(self, timeout: float) -> bool:
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return False
        deadline = time.monotonic() + timeout
        while _group_members(self.pid):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True


_LIVE: set[WordPressSandbox] = set()


@atexit.register
def _stop_all() -> None:
    # Safety net for sandboxes whose owner forgot stop() or died on an exception.
    for sandbox in list(_LIVE):
        try:
            sandbox.stop()
        except SandboxError as err:  # keep going: the other sandboxes still need stopping
            print(f"wordpress sandbox: {err}", file=sys.stderr)


class WordPressSandbox:
    """A private WordPress site served at ``url`` with an admin and an application password."""

    admin_user = "admin"
    admin_email = "admin@example.org"
    title = "CPD Sandbox"

    def __init__(
        self,
        *,
        port: int | None = None,
        permalinks: str | None = "/%postname%/",
        theme: str = "twentytwentyone",
        wordpress_dir: Path = WORDPRESS_DIR,
        tmp_root: Path | None = None,
    ) -> None:
        self.requested_port = port
        self.permalinks = permalinks
        self.theme = theme
        self.wordpress_dir = wordpress_dir
        self.tmp_root = tmp_root or default_tmp_root()
        self.admin_password = secrets.token_urlsafe(18)
        self.admin_id = 1
        self.php_binary = _which("php") or "php"
        self.startup_seconds: float | None = None
        # The summary printed by seed_full.php, once seed_full() has run.
        self.seed: dict[str, Any] | None = None
        self._base_dir: Path | None = None
        self._port: int | None = None
        self._app_password: str | None = None
        self._web: _Daemon | None = None
        self._db: _Daemon | None = None

    # -- public attributes that only exist once started ------------------------------------

    @property
    def base_dir(self) -> Path:
        """The temp dir holding the site, the database files, sockets and logs."""
        return self._need(self._base_dir, "base_dir")

    @property
    def site_dir(self) -> Path:
        return self.base_dir / "site"

    @property
    def port(self) -> int:
        return self._need(self._port, "port")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def rest_url(self, route: str = "/") -> str:
        """The REST API URL for ``route``; plain permalinks have no /wp-json/ path."""
        if self.permalinks:
            return f"{self.url}/wp-json{route}"
        return f"{self.url}/?rest_route={route}"

    @property
    def app_password(self) -> str:
        return self._need(self._app_password, "app_password")

    @property
    def db_socket(self) -> Path:
        return self.base_dir / "mariadb.sock"

    @property
    def pids(self) -> dict[str, int]:
        """Pids of the running servers (each leads its own process group)."""
        return {d.name: d.pid for d in (self._web, self._db) if d is not None and d.running()}

    @property
    def started(self) -> bool:
        return self._app_password is not None and self._web is not None

    def _need(self, value: Any, name: str) -> Any:
        if value is None:
            raise SandboxError(f"{name} is only known after start()")
        return value

    # -- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> Self:
        if not self.started:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> Self:
        if self._base_dir is not None:
            raise SandboxError("a sandbox can only be started once")
        began = time.monotonic()
        self._base_dir = Path(tempfile.mkdtemp(prefix="wpcpd-wp-", dir=self.tmp_root))
        _LIVE.add(self)
        try:
            self._copy_site_and_init_db()
            self._start_mariadb()
            self._start_web_server()
            self._write_wp_config()
            self._create_database()
            self._install_wordpress()
            self._write_bootstrap()
            self._wait_for_http()
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - began
        return self

    def stop(self) -> None:
        """Stop both servers and delete every file; safe to call more than once."""
        try:
            if self._web is not None:
                # SIGINT is the PHP server's clean shutdown: the master then reaps its workers.
                # SIGTERM would kill the master first and orphan the workers.
                self._web.stop(signal.SIGINT)
                self._web = None
                _CLAIMED_PORTS.discard(self.port)
            if self._db is not None:
                self._db.stop(signal.SIGTERM)
                self._db = None
        finally:
            if self._base_dir is not None:
                shutil.rmtree(self._base_dir, ignore_errors=True)
            _LIVE.discard(self)

    # -- start-up steps ----------------------------------------------------------------------

    def _copy_site_and_init_db(self) -> None:
        # Both steps are mostly I/O (2,700 files; InnoDB's system tables), so overlap them.
        copy = subprocess.Popen(
            ["cp", "-rL", str(self.wordpress_dir), str(self.site_dir)],
            stderr=subprocess.PIPE,
        )
        self._db_tmp.mkdir(exist_ok=True)
        init = subprocess.run(
            [
                self._bin("mariadb-install-db"),
                "--no-defaults",
                f"--datadir={self.base_dir / 'mariadb'}",
                f"--tmpdir={self._db_tmp}",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
                *MARIADB_SIZE_OPTIONS,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        _, copy_err = copy.communicate()
        if copy.returncode != 0:
            raise SandboxError(f"copying {self.wordpress_dir} failed: {copy_err.decode()}")
        if init.returncode != 0:
            raise SandboxError(f"mariadb-install-db failed:\n{init.stdout}\n{init.stderr}")
        # Debian's wp-config.php looks for /etc/wordpress/config-HOST.php; ours replaces it.
        (self.site_dir / "wp-config.php").unlink()

    @property
    def _db_tmp(self) -> Path:
        """MariaDB's own temporary folder: sandboxes started at once share no /tmp files
        (its temp-table files there collided when several ran side by side)."""
        return self.base_dir / "mariadb-tmp"

    def _start_mariadb(self) -> None:
        if len(str(self.db_socket)) > MAX_SOCKET_PATH:
            raise SandboxError(f"socket path too long for Linux, set TMPDIR: {self.db_socket}")
        cmd = [
            self._bin("mariadbd"),
            "--no-defaults",
            f"--datadir={self.base_dir / 'mariadb'}",
            f"--socket={self.db_socket}",
            f"--tmpdir={self._db_tmp}",
            "--skip-networking",
            "--user=root",
            f"--pid-file={self.base_dir / 'mariadb.pid'}",
            *MARIADB_SIZE_OPTIONS,
        ]
        self._db = _Daemon("mariadbd", cmd, self.base_dir / "mariadb.log")

    def _start_web_server(self) -> None:
        # With workers, PHP's server binds with SO_REUSEPORT: on a port someone already
        # listens on it starts without error and the kernel splits requests between the two
        # sites. So a busy port has to be refused here, before PHP gets to it.
        if self.requested_port and _port_open(self.requested_port):
            raise SandboxError(f"port {self.requested_port} is already in use")
        attempts = 1 if self.requested_port else 5
        for _ in range(attempts):
            port = self.requested_port or _pick_port()
            web = self._spawn_web_server(port)
            if self._wait_for_port(web, port):
                self._web, self._port = web, port
                _CLAIMED_PORTS.add(port)
                return
        raise web.failure(f"could not listen on 127.0.0.1:{port}")

    def _spawn_web_server(self, port: int) -> _Daemon:
        env = {**os.environ, "PHP_CLI_SERVER_WORKERS": "4"}
        router = self.base_dir / "router.php"
        router.write_text(ROUTER_PHP, encoding="utf-8")
        cmd = [
            self.php_binary,
            "-d", "sendmail_path=/bin/true",
            "-S", f"127.0.0.1:{port}",
            "-t", str(self.site_dir),
            str(router),
        ]  # fmt: skip
        return _Daemon("php -S", cmd, self.base_dir / "php-server.log", env)

    @staticmethod
    def _wait_for_port(web: _Daemon, port: int) -> bool:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if not web.running():
                return False
            if _port_open(port):
                return True
            time.sleep(0.02)
        web.stop(signal.SIGINT)
        return False

    def _write_wp_config(self) -> None:
        keys = (
            "AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY",
            "AUTH_SALT", "SECURE_AUTH_SALT", "LOGGED_IN_SALT", "NONCE_SALT",
        )  # fmt: skip
        constants: dict[str, str | bool] = {
            "DB_NAME": DB_NAME,
            "DB_USER": "root",
            "DB_PASSWORD": "",
            "DB_HOST": f"localhost:{self.db_socket}",
            "DB_CHARSET": "utf8mb4",
            "DB_COLLATE": "",
            **{key: secrets.token_urlsafe(48) for key in keys},
            # 'local' is what lets application passwords work over plain http.
            "WP_ENVIRONMENT_TYPE": "local",
            "WP_HOME": self.url,
            "WP_SITEURL": self.url,
            # Debian's twentytwentythree is a separate package; without this, WordPress's
            # default theme may be missing.
            "WP_DEFAULT_THEME": self.theme,
            "DISABLE_WP_CRON": True,
            "AUTOMATIC_UPDATER_DISABLED": True,
            "WP_DEBUG": False,
        }
        lines = ["<?php", "// Written by tests/wordpress/sandbox.py"]
        for name, value in constants.items():
            php_value = ("true" if value else "false") if isinstance(value, bool) else None
            lines.append(f"define('{name}', {php_value or php_literal(str(value))});")
        lines += [
            "$table_prefix = 'wp_';",
            "if (!defined('ABSPATH')) { define('ABSPATH', __DIR__ . '/'); }",
            "require_once ABSPATH . 'wp-settings.php';",
        ]
        (self.site_dir / "wp-config.php").write_text("\n".join(lines) + "\n", encoding="utf-8")

    def _write_bootstrap(self) -> None:
        # Shared by php() and php_file(): scripts find it through the WPCPD_WP_BOOTSTRAP
        # environment variable, so the same seed script works in any sandbox.
        code = f"""<?php
// Written by tests/wordpress/sandbox.py: loads WordPress in the CLI as the admin.
// A fatal error must fail the process; WordPress's handler would print a page and exit 0.
define('WP_DISABLE_FATAL_ERROR_HANDLER', true);
$_SERVER['HTTP_HOST'] = {php_literal(f"127.0.0.1:{self.port}")};
$_SERVER['SERVER_NAME'] = '127.0.0.1';
$_SERVER['SERVER_PORT'] = '{self.port}';
$_SERVER['REQUEST_URI'] = $_SERVER['REQUEST_URI'] ?? '/';
require_once {php_literal(str(self.site_dir / "wp-load.php"))};
// Without a user with unfiltered_html, kses strips markup from seeded content.
wp_set_current_user({self.admin_id});
"""
        (self.base_dir / "bootstrap.php").write_text(code, encoding="utf-8")

    def _create_database(self) -> None:
        assert self._db is not None
        sql = f"CREATE DATABASE {DB_NAME} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci"
        cmd = [
            self._bin("mariadb"), "--no-defaults", f"--socket={self.db_socket}",
            "--user=root", "-e", sql,
        ]  # fmt: skip
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if not self._db.running():
                raise self._db.failure("exited during start-up")
            # The socket file appears a moment before the server accepts queries.
            if self.db_socket.exists():
                done = subprocess.run(cmd, capture_output=True, text=True, check=False)
                if done.returncode == 0:
                    return
            if time.monotonic() > deadline:
                raise self._db.failure("did not accept connections in time")
            time.sleep(0.05)

    def _install_wordpress(self) -> None:
        params = {
            "host": f"127.0.0.1:{self.port}",
            "wp_load": str(self.site_dir / "wp-load.php"),
            "title": self.title,
            "user": self.admin_user,
            "email": self.admin_email,
            "password": self.admin_password,
            "theme": self.theme,
            "permalinks": self.permalinks or "",
            "app_password_name": APP_PASSWORD_NAME,
        }
        code = INSTALL_PHP.replace("PARAMS_JSON", php_literal(json.dumps(params)))
        result = json.loads(self._run_php([], stdin=code))
        self.admin_id = int(result["user_id"])
        self._app_password = str(result["app_password"])

    def _wait_for_http(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        last_error = ""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/", timeout=10) as response:
                    if response.status == 200:
                        return
                    last_error = f"HTTP {response.status}"
            except (urllib.error.URLError, OSError) as err:
                last_error = str(err)
            time.sleep(0.1)
        assert self._web is not None
        raise self._web.failure(f"did not answer HTTP 200 on / ({last_error})")

    def _bin(self, name: str) -> str:
        path = _which(name)
        if path is None:
            raise SandboxError(f"{name} not found (apt-get install {DEBIAN_PACKAGES})")
        return path

    # -- running PHP inside the site ---------------------------------------------------------

    def add_mu_plugin(self, name: str, code: str) -> Path:
        """A must-use plugin (always active, no activation step) holding this PHP code."""
        path = self.site_dir / "wp-content" / "mu-plugins" / f"{name}.php"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(code if code.lstrip().startswith("<?php") else f"<?php {code}")
        return path

    def close_rest(self) -> Path:
        """Close the REST API to everyone, as some security plugins do."""
        return self.add_mu_plugin(
            "no-rest",
            "add_filter('rest_authentication_errors', function () {"
            " return new WP_Error('rest_disabled', 'The REST API is off here.',"
            " ['status' => 403]); });",
        )

    def php(self, code: str) -> str:
        """Run a PHP snippet with WordPress loaded as the admin user; return its stdout.

        ``code`` is PHP source with or without a leading ``<?php``.
        """
        body = code.removeprefix("<?php")
        bootstrap = php_literal(str(self.base_dir / "bootstrap.php"))
        return self._run_php([], stdin=f"<?php require {bootstrap};\n{body}")

    def php_file(self, path: str | Path, *args: str) -> str:
        """Run a PHP script (relative paths resolve against tests/wordpress/) and return stdout.

        The script loads WordPress itself with ``require getenv('WPCPD_WP_BOOTSTRAP');``.
        Arguments reach it as ``$argv[1:]``.
        """
        script = Path(path)
        if not script.is_absolute() and not script.exists():
            script = HERE / script
        script = script.resolve()  # PHP runs with its cwd in the sandbox's temp dir
        if not script.is_file():
            raise SandboxError(f"no such PHP script: {script}")
        return self._run_php([str(script), *args])

    def php_json(self, path: str | Path, *args: str) -> Any:
        """php_file() for scripts that print one JSON document."""
        return json.loads(self.php_file(path, *args))

    def empty(self) -> None:
        """Delete every post and page, as wp_install() leaves "Hello world!" (with its
        comment), "Sample Page" and a draft "Privacy Policy": an empty site to push into."""
        self.php(
            "foreach (get_posts(['post_type' => ['post', 'page'],"
            " 'post_status' => array_keys(get_post_stati()), 'numberposts' => -1]) as $p)"
            " { wp_delete_post($p->ID, true); }"
        )

    def seed_full(self) -> dict[str, Any]:
        """Apply tests/wordpress/seed_full.php (once only); returns and keeps its summary."""
        self.seed = dict(self.php_json("seed_full.php"))
        return self.seed

    def dump_db(self) -> dict[str, Any]:
        """What the database holds, as printed by tests/wordpress/dump_db.php."""
        return dict(self.php_json("dump_db.php"))

    def _run_php(self, args: list[str], stdin: str | None = None) -> str:
        env = {**os.environ, BOOTSTRAP_ENV: str(self.base_dir / "bootstrap.php")}
        done = subprocess.run(
            [self.php_binary, *PHP_CLI_OPTIONS, *args],
            input=stdin,
            capture_output=True,
            encoding="utf-8",
            env=env,
            cwd=self.base_dir,
            timeout=300,
            check=False,
        )
        fatal = any(m in done.stderr for m in ("Fatal error:", "Parse error:"))
        if done.returncode != 0 or fatal:
            where = args[0] if args else "snippet"
            output = f"{done.stderr}\n{done.stdout[-2000:]}"
            raise SandboxError(f"PHP {where} failed (exit {done.returncode}):\n{output}")
        return done.stdout

    # -- export ------------------------------------------------------------------------------

    def export_wxr(self, dest_path: str | Path, content: str = "all") -> Path:
        """Write WordPress core's own WXR export (Tools > Export) to ``dest_path``."""
        dest = Path(dest_path).resolve()
        # export_wp() echoes the file and calls header(), a no-op in the CLI. PHP writes the
        # buffer itself so no byte passes through a text decoding step.
        self.php(
            "require_once ABSPATH . 'wp-admin/includes/export.php';\n"
            "ob_start();\n"
            f"export_wp(['content' => {php_literal(content)}]);\n"
            f"if (file_put_contents({php_literal(str(dest))}, ob_get_clean()) === false) {{\n"
            "    fwrite(STDERR, 'Fatal error: cannot write the export'); exit(1);\n"
            "}\n"
        )
        _check_xml(dest)
        return dest


def _check_xml(path: Path) -> None:
    # A PHP notice or stray whitespace before <?xml would make every importer reject the file.
    head = path.read_bytes()[:5]
    if head != b"<?xml":
        raise SandboxError(f"WXR export does not start with <?xml: {head!r}")
    try:
        # Streaming, so a large export needs no more memory than a small one.
        for _event, element in ElementTree.iterparse(path, events=("end",)):
            element.clear()
    except ElementTree.ParseError as err:
        raise SandboxError(f"WXR export is not well-formed XML: {err}") from err


# What Apache's rewrite rules (or nginx's try_files) do for WordPress: an existing file or
# directory is served as usual (return false), every other request goes to index.php. Without
# it, php -S answers 404 itself for paths with an extension that no file backs, such as
# /wp-sitemap.xml and /robots.txt, which WordPress serves from its rewrite rules.
ROUTER_PHP = r"""<?php
// Written by tests/wordpress/sandbox.py: the router of `php -S`.
$root = $_SERVER['DOCUMENT_ROOT'];
$path = rawurldecode(parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH) ?? '/');
if (file_exists($root . $path)) {
    return false;
}
$_SERVER['SCRIPT_NAME'] = '/index.php';
$_SERVER['PHP_SELF'] = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = $root . '/index.php';
unset($_SERVER['PATH_INFO']);
chdir($root);
require $root . '/index.php';
"""

INSTALL_PHP = r"""<?php
// Runs once per sandbox, before any user exists, so it cannot use the bootstrap.
define('WP_INSTALLING', true);
$cfg = json_decode(PARAMS_JSON, true);
$_SERVER['HTTP_HOST'] = $cfg['host'];
require $cfg['wp_load'];
require_once ABSPATH . 'wp-admin/includes/upgrade.php';

$installed = wp_install($cfg['title'], $cfg['user'], $cfg['email'], true, '', $cfg['password']);
$user_id = (int) $installed['user_id'];

if (!wp_get_theme($cfg['theme'])->exists()) {
    fwrite(STDERR, "Fatal error: theme {$cfg['theme']} is not installed\n");
    exit(1);
}
switch_theme($cfg['theme']);

global $wp_rewrite;
$wp_rewrite->set_permalink_structure($cfg['permalinks']);
flush_rewrite_rules(false);

$created = WP_Application_Passwords::create_new_application_password(
    $user_id, ['name' => $cfg['app_password_name']]
);
if (is_wp_error($created)) {
    fwrite(STDERR, 'Fatal error: ' . $created->get_error_message() . "\n");
    exit(1);
}
echo json_encode(['user_id' => $user_id, 'app_password' => $created[0]]);
"""
