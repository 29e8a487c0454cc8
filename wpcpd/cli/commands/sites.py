"""`wpcpd sites add|test|list|remove`: site profiles, a short name for an address and user."""

from __future__ import annotations

from typing import Annotated

import typer

from wpcpd import pull
from wpcpd.cli.context import resolve_target
from wpcpd.cli.options import JsonOption, PasswordEnvOption, Via
from wpcpd.cli.output import print_json, print_rows, print_text, say
from wpcpd.config import Profile, add_profile, load_profiles, remove_profile
from wpcpd.credentials import DEFAULT_PASSWORD_ENV, resolve_password


def sites_add(
    name: Annotated[str, typer.Argument(help="A short name, e.g. myblog.")],
    url: Annotated[str, typer.Argument(help="The blog's address.")],
    user: Annotated[str, typer.Option(help="User name for the application password.")] = "",
    password_env: Annotated[
        str, typer.Option(help="Environment variable holding the password.")
    ] = DEFAULT_PASSWORD_ENV,
    via: Annotated[Via, typer.Option(help="How to read the site.")] = Via.auto,
    replace: Annotated[bool, typer.Option(help="Overwrite a profile of that name.")] = False,
) -> None:
    """Remember a site; no password is stored.

    \b
    Example:
      wpcpd sites add myblog https://blog.example.org --user jo
    """
    profile = Profile(name, url.rstrip("/"), user, password_env, via.value)
    path = add_profile(profile, replace=replace)
    say(f"saved {name} in {path}")


def sites_test(
    name: Annotated[str, typer.Argument(help="A profile name, or a blog's address.")],
    user: Annotated[str | None, typer.Option(help="User name, for addresses.")] = None,
    password_env: PasswordEnvOption = DEFAULT_PASSWORD_ENV,
    as_json: JsonOption = False,
) -> None:
    """Check that a site answers and accepts its credentials; say what is wrong if not.

    \b
    Example:
      WPCPD_PASSWORD=... wpcpd sites test myblog
    """
    url, user, variable = resolve_target(name, user, password_env)
    options = pull.LiveOptions(user=user, password=resolve_password(url, user, variable))
    found = pull.probe_site(url, options)
    if as_json:
        print_json(found)
    else:
        who = f"logged in as {found['user']}" if found.get("user") else "anonymous (no --user)"
        print_text(f"ok: {found['url']} answers through {found['channel']}; {who}")


def sites_list(
    as_json: JsonOption = False,
) -> None:
    """List site profiles.

    \b
    Example:
      wpcpd sites list
    """
    rows = [
        {"name": p.name, "url": p.url, "user": p.user, "password_env": p.password_env,
         "via": p.via}
        for p in load_profiles().values()
    ]  # fmt: skip
    print_rows(rows, ["name", "url", "user", "password_env", "via"], as_json)


def sites_remove(name: Annotated[str, typer.Argument(help="The profile's name.")]) -> None:
    """Forget a site profile (the archive keeps its records).

    \b
    Example:
      wpcpd sites remove myblog
    """
    path = remove_profile(name)
    say(f"removed {name} from {path}")
