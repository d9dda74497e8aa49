"""The official SARIF 2.1.0 JSON schema, from the npm registry, cached.

`@microsoft/jest-sarif` ships `sarif-2.1.0-rtm.5.json` (the schema
schemastore.org serves for SARIF 2.1.0). `npm pack` fetches the pinned
tarball once into the cache ($NAPI_FIX_CACHE, default ~/.cache/napi-fix);
the schema is checked against its pinned digest and never committed here.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import tarfile
from functools import lru_cache
from pathlib import Path

from codemod.cachedir import cache_dir

CACHE = Path(cache_dir())
PACKAGE = "@microsoft/jest-sarif"
VERSION = "1.0.0-beta.0"
MEMBER = "package/lib/schemas/sarif-2.1.0-rtm.5.json"
SHA256 = "2d99159ae54a3eea97f81781cff48780548657c35949f4b7f25e99a2ba4de4f8"


def schema_path() -> Path:
    """The cached schema file, fetched with `npm pack` on first need."""
    folder = CACHE / "jest-sarif" / VERSION
    target = folder / Path(MEMBER).name
    if target.is_file() and _digest(target.read_bytes()) == SHA256:
        return target
    folder.mkdir(parents=True, exist_ok=True)
    name = subprocess.run(["npm", "pack", f"{PACKAGE}@{VERSION}", "--silent"], cwd=folder, check=True,
                          capture_output=True, text=True, timeout=300).stdout.strip().splitlines()[-1]
    with tarfile.open(folder / name) as tar:
        data = tar.extractfile(MEMBER).read()
    if _digest(data) != SHA256:
        raise RuntimeError(f"{PACKAGE}@{VERSION}: {MEMBER} is not the schema pinned here (sha256 {_digest(data)})")
    target.write_bytes(data)
    return target


@lru_cache(maxsize=None)
def schema() -> dict:
    return json.loads(schema_path().read_text(encoding="utf-8"))


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
