"""Which repositories this machine takes: shard K of N by a stable hash of
the repository id (the same on every machine and every run), from --shard
K/N or a Kubernetes Indexed Job's JOB_COMPLETION_INDEX (0-based) and
JOB_COMPLETIONS."""

from __future__ import annotations

import hashlib
import os


class ShardError(ValueError):
    pass


def parse(text: str) -> tuple[int, int]:
    try:
        k, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise ShardError(f"--shard {text!r}: expected K/N, for example 1/4") from None
    if not 1 <= k <= n:
        raise ShardError(f"--shard {text!r}: K must be between 1 and N")
    return k, n


def from_environment(environ=os.environ) -> tuple[int, int] | None:
    index, count = environ.get("JOB_COMPLETION_INDEX"), environ.get("JOB_COMPLETIONS")
    if index is None or count is None:
        return None
    if not (index.isdigit() and count.isdigit()):
        raise ShardError(f"JOB_COMPLETION_INDEX={index!r} JOB_COMPLETIONS={count!r}: expected two numbers")
    return parse(f"{int(index) + 1}/{count}")


def in_shard(repo_id: str, shard: tuple[int, int] | None) -> bool:
    if shard is None:
        return True
    k, n = shard
    return int(hashlib.sha256(repo_id.encode()).hexdigest()[:16], 16) % n == k - 1
