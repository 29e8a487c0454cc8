"""Site profiles: a name for a blog's address, user and channel, kept in a TOML file.

Profiles hold no secret: the password still comes from the environment, the keyring or a
prompt (wpcpd/credentials.py). The file lives in the platform's user configuration folder
(`WPCPD_CONFIG_DIR` overrides it), e.g. ~/.config/wpcpd/sites.toml on Linux.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path

import platformdirs
import tomli_w

from wpcpd.credentials import DEFAULT_PASSWORD_ENV
from wpcpd.errors import UsageError
from wpcpd.files import atomic_write

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


@dataclass
class Profile:
    name: str
    url: str
    user: str = ""
    password_env: str = DEFAULT_PASSWORD_ENV
    via: str = "auto"


def config_dir() -> Path:
    return Path(os.environ.get("WPCPD_CONFIG_DIR") or platformdirs.user_config_dir("wpcpd"))


def profiles_path() -> Path:
    return config_dir() / "sites.toml"


def load_profiles() -> dict[str, Profile]:
    path = profiles_path()
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: not valid TOML ({exc})") from exc
    sites = data.get("sites", {})
    try:
        return {name: Profile(name=name, **values) for name, values in sites.items()}
    except TypeError as exc:
        raise UsageError(f"{path}: a site profile has an unknown setting ({exc})") from exc


def save_profiles(profiles: dict[str, Profile]) -> Path:
    path = profiles_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    sites = {}
    for name, profile in sorted(profiles.items()):
        values = asdict(profile)
        del values["name"]
        sites[name] = {k: v for k, v in values.items() if v}
    atomic_write(path, tomli_w.dumps({"sites": sites}))
    return path


def add_profile(profile: Profile, *, replace: bool = False) -> Path:
    if not _NAME.match(profile.name) or "." in profile.name or profile.name.isdigit():
        raise UsageError(
            f"{profile.name!r}: a profile name is letters, digits, - and _ (no dots and not "
            "only digits, so it cannot be taken for an address or a site number)"
        )
    profiles = load_profiles()
    if profile.name in profiles and not replace:
        old = profiles[profile.name]
        raise UsageError(
            f"a site profile named {profile.name!r} exists ({old.url}, user "
            f"{old.user or 'none'}): add --replace to overwrite it"
        )
    profiles[profile.name] = profile
    return save_profiles(profiles)


def remove_profile(name: str) -> Path:
    profiles = load_profiles()
    if name not in profiles:
        raise UsageError(f"no site profile named {name!r}")
    del profiles[name]
    return save_profiles(profiles)


def find_profile(source: str) -> Profile | None:
    """The profile a pull's SOURCE names, if it is a profile name rather than a path or URL."""
    if not _NAME.match(source) or "." in source or source.isdigit() or Path(source).exists():
        return None
    profiles = load_profiles()
    if source not in profiles:
        raise UsageError(
            f"{source!r} is neither a file, an address nor a site profile "
            f"(profiles: {', '.join(profiles) or 'none; add one with wpcpd sites add'})"
        )
    return profiles[source]


def site_reference(ref: str) -> str:
    """How a site is named everywhere: a profile name stands for its address; a site key,
    an address or the number `wpcpd stats` shows pass through for the archive to resolve."""
    if _NAME.match(ref) and "." not in ref and not ref.isdigit():
        profile = load_profiles().get(ref)
        if profile is not None:
            return profile.url
    return ref


def target_options(ref: str, user: str | None, password_env: str) -> tuple[str, str | None, str]:
    """A site named by profile or address: (url, user, password variable) to write to."""
    profile = find_profile(ref)
    if profile is None:
        return ref, user, password_env
    return profile.url, user or profile.user or None, profile.password_env or password_env
