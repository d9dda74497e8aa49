"""Real node-addon-api header copies from the npm registry, cached.

`npm pack` fetches the published tarball once into the cache
($NAPI_FIX_CACHE, default ~/.cache/napi-fix); later runs reuse it offline.
"""

from __future__ import annotations

import json
import subprocess
import tarfile
from functools import lru_cache
from pathlib import Path

from codemod.cachedir import cache_dir

CACHE = Path(cache_dir())


def _npm(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(
        ["npm", *args], cwd=cwd, check=True, capture_output=True, text=True, timeout=300
    ).stdout


@lru_cache(maxsize=None)
def latest(major: int = 8) -> str:
    """Newest published release of `major` (the registry's word, else the cache's)."""
    pinned = CACHE / "node-addon-api" / f"latest-{major}.json"
    try:
        versions = json.loads(_npm("view", f"node-addon-api@{major}", "version", "--json"))
        version = versions[-1] if isinstance(versions, list) else versions
        pinned.parent.mkdir(parents=True, exist_ok=True)
        pinned.write_text(json.dumps(version))
        return version
    except (subprocess.SubprocessError, OSError, ValueError):
        return json.loads(pinned.read_text())


@lru_cache(maxsize=None)
def headers(version: str) -> Path:
    """Folder holding napi.h and napi-inl.h of node-addon-api `version`."""
    folder = CACHE / "node-addon-api" / version
    package = folder / "package"
    if (package / "napi-inl.h").is_file():
        return package
    folder.mkdir(parents=True, exist_ok=True)
    name = _npm("pack", f"node-addon-api@{version}", "--silent", cwd=folder).strip().splitlines()[-1]
    with tarfile.open(folder / name) as tar:
        tar.extractall(folder, filter="data")
    assert (package / "napi-inl.h").is_file(), f"no napi-inl.h in node-addon-api@{version}"
    return package
