"""The fix command's start-up cache (cli.py, through codecache.py): the
code dataclasses compiles for each class's methods is read from disk on later
runs. A run that reads it prints byte for byte what a run that compiled
prints, every code object read equals what compile() gives, and a damaged
file costs time only."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from checkout import ROOT
from helpers import console_with_cache as napi_fix, the_cache_file

LEAKY = ROOT / "examples" / "leaky-addon"
SCRIPT = str(Path(sys.executable).parent / "napi-fix")

# The console script's run() with every compile through the cache recorded,
# then each recorded code object compared with a fresh compile().
RECORD = """
import json, sys
from codemod import cli
from codemod.codecache import CodeCache
recorded = []
compiled = CodeCache._compiled
def recording(self, source, filename, mode, flags, optimize):
    code = compiled(self, source, filename, mode, flags, optimize)
    recorded.append((source, code))
    return code
CodeCache._compiled = recording
sys.argv = ["napi-fix", "--dry-run", sys.argv[1]]
try:
    cli.run()
except SystemExit as exc:
    status = exc.code
fresh = [(compile(source, "<string>", "exec", 0, True), code) for source, code in recorded]
different = sum(code != new or code.co_filename != new.co_filename for new, code in fresh)
print(json.dumps({"status": status, "recorded": len(recorded), "different": different}))
"""


def the_file(cache: Path) -> Path:
    return the_cache_file(cache, "cli-code-*.marshal")


def test_a_later_run_reads_the_cache_and_prints_the_same(tmp_path):
    cache = tmp_path / "cache"
    first = napi_fix(cache, "--dry-run", "--format", "json", str(LEAKY))
    written = the_file(cache).stat().st_mtime_ns
    second = napi_fix(cache, "--dry-run", "--format", "json", str(LEAKY))
    assert second == first and first[0] == 1
    assert the_file(cache).stat().st_mtime_ns == written  # nothing missed: nothing written again
    assert json.loads(first[1])["exit_code"] == 1


def test_every_code_object_read_is_what_compile_gives(tmp_path):
    env = {**os.environ, "NAPI_FIX_CACHE": str(tmp_path)}

    def run() -> dict:
        done = subprocess.run([sys.executable, "-c", RECORD, str(LEAKY)], capture_output=True, text=True,
                              timeout=120, env=env, cwd=ROOT)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.splitlines()[-1])

    compiled, read = run(), run()
    assert compiled["status"] == read["status"] == 1
    assert read["recorded"] == compiled["recorded"] > 200  # ~60 dataclasses, a few methods each
    assert compiled["different"] == read["different"] == 0


@pytest.mark.parametrize("damage", [b"", b"\0" * 64, None], ids=["empty", "zeros", "flipped"])
def test_a_damaged_cache_is_ignored_and_written_again(tmp_path, damage):
    cache = tmp_path / "cache"
    expected = napi_fix(cache, "--dry-run", str(LEAKY))
    data = the_file(cache).read_bytes()
    if damage is None:
        middle = len(data) // 2
        damage = data[:middle] + bytes([data[middle] ^ 0x40]) + data[middle + 1:]
    the_file(cache).write_bytes(damage)
    assert napi_fix(cache, "--dry-run", str(LEAKY)) == expected
    assert the_file(cache).read_bytes() == data  # written again, whole


@pytest.mark.parametrize("argv, env", [
    pytest.param(["batch", "--help"], {}, id="batch"),
    pytest.param([], {"_NAPI_FIX_COMPLETE": "complete_bash", "COMP_WORDS": "napi-fix batch --", "COMP_CWORD": "2"},
                 id="completing-batch"),
])
def test_only_the_fix_command_writes_its_file(tmp_path, argv, env):
    """Other front-ends load other dataclasses: the file a fix run wrote
    would be rewritten with theirs, and the next fix run would miss."""
    done = subprocess.run([SCRIPT, *argv], capture_output=True, timeout=120, cwd=ROOT,
                          env={**os.environ, "NAPI_FIX_CACHE": str(tmp_path), **env})
    assert done.returncode == 0 and done.stdout
    assert list(tmp_path.glob("cli-code-*.marshal")) == []
