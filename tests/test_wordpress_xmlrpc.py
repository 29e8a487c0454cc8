"""The python-wordpress-xmlrpc adapter's shims (wpcpd/wordpress/xmlrpc.py), without WordPress."""

from __future__ import annotations

import collections
import collections.abc
import subprocess
import sys

import pytest

from wpcpd.wordpress import xmlrpc as xmlrpc_source

# -- python-wordpress-xmlrpc compatibility -------------------------------------------


def test_shim_lets_the_library_build_objects_on_a_python_without_collections_iterable() -> None:
    code = (
        "import collections\n"
        "assert not hasattr(collections, 'Iterable')\n"
        "import wpcpd.wordpress.xmlrpc\n"
        "import collections.abc\n"
        "assert collections.Iterable is collections.abc.Iterable\n"
        "from wordpress_xmlrpc.methods.users import GetUsers\n"
        "users = GetUsers().process_result([{'user_id': '1', 'nickname': 'Siân'}])\n"
        "print(repr(users))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert done.returncode == 0, done.stderr
    # A list result goes through collections.Iterable; objects print as text, not bytes.
    assert done.stdout.strip() == "[<WordPressUser: Siân>]"


def test_shim_adds_the_alias_only_when_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(collections, "Iterable", raising=False)
    assert xmlrpc_source.ensure_collections_iterable() is True
    assert collections.Iterable is collections.abc.Iterable  # type: ignore[attr-defined]

    own = object()
    monkeypatch.setattr(collections, "Iterable", own, raising=False)
    assert xmlrpc_source.ensure_collections_iterable() is False
    assert collections.Iterable is own  # type: ignore[attr-defined]


def test_library_term_objects_print_as_text() -> None:
    from wordpress_xmlrpc.wordpress import WordPressTerm

    assert repr(WordPressTerm({"name": "学习", "slug": "xue-xi"})) == "<WordPressTerm: 学习>"
