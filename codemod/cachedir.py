"""Where napi-fix keeps what it can make again: `$NAPI_FIX_CACHE`, else
~/.cache/napi-fix. Nothing in it is needed: deleting it costs time only."""

from __future__ import annotations

import os


def cache_dir(*parts: str) -> str:
    base = os.environ.get("NAPI_FIX_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "napi-fix")
    return os.path.join(base, *parts)
