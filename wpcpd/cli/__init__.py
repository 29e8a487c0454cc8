"""The command line: parse, call the library, print."""

from wpcpd.cli.app import app

__all__ = ["app"]
