"""Is the `codemod` package this process imported napi-fix's own?

The design names napi-fix's top-level package `codemod`, a name other
distributions may use too. pip lets a later install overwrite an earlier
one's files in silence, so a second `codemod` either replaces napi-fix's
`__init__.py` (napi-fix is shadowed) or has its own replaced by napi-fix's
(napi-fix shadows it). Either way one of the two tools is broken without a
word; napi-fix says so at start-up instead, naming the other distribution.

Only an installed napi-fix is checked (a source checkout has no RECORD to
compare with). The verdict is cached per site-packages folder and its
modification time, which every install or uninstall there changes: the
check reads ~80 RECORD files (15 ms cold), a cached "fine" costs one stat.
"""

from __future__ import annotations

import base64
import hashlib
import os

from codemod.cachedir import cache_dir

PACKAGE = "codemod"
DISTRIBUTION = "napi_fix"  # the dist-info folder's name prefix (normalized)


def foreign_codemod() -> str | None:
    """A message when another distribution also installs `codemod`, else None."""
    package_dir = os.path.dirname(os.path.abspath(__file__))
    site = os.path.dirname(package_dir)
    ours = _own_dist_info(site)
    if ours is None:
        return None  # a source checkout or an editable install: nothing pip could overwrite
    stamp = _stamp(site)
    cached = cache_dir("ownership", hashlib.sha256(site.encode()).hexdigest()[:16])
    if stamp is not None and _read(cached) == stamp.encode():
        return None
    problem = _overwritten(site, ours) or _claimed_elsewhere(site, ours)
    if problem is None and stamp is not None:
        _write(cached, stamp.encode())
    return problem


def _own_dist_info(site: str) -> str | None:
    try:
        names = os.listdir(site)
    except OSError:
        return None
    for name in names:
        if name.startswith(DISTRIBUTION + "-") and name.endswith(".dist-info"):
            record = _read(os.path.join(site, name, "RECORD"))
            if record is not None and f"\n{PACKAGE}/__init__.py,".encode() in b"\n" + record:
                return name
    return None


def _overwritten(site: str, ours: str) -> str | None:
    """napi-fix is shadowed: its `__init__.py` is no longer the one it installed."""
    record = _read(os.path.join(site, ours, "RECORD")) or b""
    for line in record.decode("utf-8", "replace").splitlines():
        path, _, rest = line.partition(",")
        if path != f"{PACKAGE}/__init__.py":
            continue
        algorithm, _, digest = rest.partition(",")[0].partition("=")
        data = _read(os.path.join(site, path))
        if algorithm != "sha256" or data is None:
            return None
        actual = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        if actual != digest:
            others = _claimants(site, ours)
            by = f" by {', '.join(others)}" if others else ""
            return (f"the '{PACKAGE}' package in {site} is not napi-fix's: its __init__.py was replaced{by}. "
                    f"Install napi-fix in its own environment (pipx install, or a virtual environment).")
    return None


def _claimed_elsewhere(site: str, ours: str) -> str | None:
    """napi-fix shadows another distribution that installed `codemod` too."""
    others = _claimants(site, ours)
    if not others:
        return None
    return (f"{', '.join(others)} also install{'s' if len(others) == 1 else ''} a '{PACKAGE}' package in {site}; "
            f"napi-fix's files replaced or mixed with theirs. Install napi-fix in its own environment "
            f"(pipx install, or a virtual environment).")


def _claimants(site: str, ours: str) -> list[str]:
    found = []
    prefix = f"{PACKAGE}/".encode()
    for entry in sorted(os.scandir(site), key=lambda e: e.name):
        if entry.name == ours or not entry.name.endswith(".dist-info"):
            continue
        record = _read(os.path.join(entry.path, "RECORD"))
        if record is not None and (record.startswith(prefix) or b"\n" + prefix in record):
            found.append(entry.name[: -len(".dist-info")])
    return found


def _stamp(site: str) -> str | None:
    try:
        return f"{site}\0{os.stat(site).st_mtime_ns}"
    except OSError:
        return None


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def _write(path: str, data: bytes) -> None:
    """Best effort: a cache that cannot be written costs time only."""
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        temporary = f"{path}.{os.getpid()}"
        with open(temporary, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except OSError:
        pass
