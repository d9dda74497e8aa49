#!/usr/bin/env python3
"""A speed change must not change a byte of what napi-fix says.

    .venv/bin/python bench/same_output.py --save /tmp/before.json    # before the change
    .venv/bin/python bench/same_output.py --check /tmp/before.json   # after: exit 1 on any difference

Runs `napi-fix --dry-run --strategy both --format json` on each checkout of
bench/checkouts.py's corpus, on each root of bench/realworld.py's corpus (if
built), on each whole corpus and on examples/, and keeps stdout, stderr and the
exit status of each (run from each corpus's folder, so paths are relative and
the record does not depend on where the cache is).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT)]
from checkouts import default_archives, unpacked  # noqa: E402
from realworld import CORPUS as REALWORLD  # noqa: E402


def targets(archives: Path) -> list[tuple[Path, str]]:
    """(working folder, PATH argument) pairs."""
    checkouts = unpacked(archives)
    pairs = [(ROOT, "examples")]
    for corpus in (checkouts, REALWORLD):
        if corpus.exists():
            pairs.append((corpus, "."))
            pairs += [(corpus, entry.name) for entry in sorted(corpus.iterdir()) if entry.is_dir()]
    return pairs


def record(napi_fix: str, archives: Path) -> dict[str, dict]:
    out = {}
    for cwd, path in targets(archives):
        result = subprocess.run([napi_fix, "--dry-run", "--strategy", "both", "--format", "json", path],
                                cwd=cwd, capture_output=True, text=True, errors="replace")
        out[f"{cwd.name}/{path}"] = {"status": result.returncode, "stdout": result.stdout, "stderr": result.stderr}
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", type=Path, help="write the record here")
    group.add_argument("--check", type=Path, help="compare with this record")
    parser.add_argument("--archives", type=Path, default=default_archives())
    parser.add_argument("--napi-fix", default=str(Path(sys.executable).parent / "napi-fix"))
    args = parser.parse_args()
    now = record(args.napi_fix, args.archives)
    if args.save:
        args.save.write_text(json.dumps(now, indent=1, sort_keys=True))
        print(f"{len(now)} runs recorded in {args.save}")
        return 0
    before = json.loads(args.check.read_text())
    differ = sorted(k for k in before.keys() | now.keys() if before.get(k) != now.get(k))
    for key in differ:
        print(f"differs: {key}", file=sys.stderr)
    print(f"{len(now) - len(differ)} of {len(now)} runs identical")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
