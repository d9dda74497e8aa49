"""codecache.py: the code objects attrs and cattrs compile while
lsprotocol loads are read from disk on later starts. A hit must be exactly
what compile() gives; a damaged or unwritable cache must cost time only."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from codemod import codecache
from lsp_harness import copy_example, start_editor, stop_editor

# A fresh interpreter loads what the server loads before `initialize`, plus
# the cattrs hooks for reading an InitializeParams, then says what happened.
LOAD = """
import json, sys
from codemod import codecache
cache = codecache.install()
recorded = []
if sys.argv[1] == "record":  # every call and its result, to compare with a fresh compile()
    import importlib
    for name in codecache.COMPILING:
        module = importlib.import_module(name)
        def recording(source, filename, mode, *rest, _cached=module.compile, _module=module, **more):
            code = _cached(source, filename, mode, *rest, **more)
            recorded.append((_module, source, filename, mode, code))
            return code
        module.compile = recording
import lsprotocol.types, pygls.lsp.server
from lsprotocol.converters import get_converter
from pytest_lsp import client_capabilities
converter = get_converter()
caps = converter.unstructure(client_capabilities("visual-studio-code@v1.65.2"))
converter.structure({"processId": 1, "capabilities": caps, "rootUri": None}, lsprotocol.types.InitializeParams)
cache.save()
import __future__, ast, functools, inspect
@functools.lru_cache(maxsize=None)
def future_flags(module):  # read from its source: what compile() called in that module inherits
    found = [alias.name for node in ast.parse(inspect.getsource(module)).body
             if isinstance(node, ast.ImportFrom) and node.module == "__future__" for alias in node.names]
    return sum(getattr(__future__, name).compiler_flag for name in found)
different = 0
for module, source, filename, mode, code in recorded:
    fresh = compile(source, filename, mode, future_flags(module), True)
    different += code != fresh or code.co_filename != fresh.co_filename
print(json.dumps({"hits": cache.hits, "misses": cache.misses, "recorded": len(recorded), "different": different}))
"""


def load(cache: Path, mode: str = "plain", *python_flags: str) -> dict:
    done = subprocess.run([sys.executable, *python_flags, "-c", LOAD, mode], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "NAPI_FIX_CACHE": str(cache)})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def the_file(cache: Path) -> Path:
    files = list(cache.glob("lsp-code-*.marshal"))
    assert len(files) == 1, files
    return files[0]


@pytest.fixture(scope="module")
def primed(tmp_path_factory) -> bytes:
    """A cache file as one start writes it (each test starts from a copy)."""
    folder = tmp_path_factory.mktemp("primed")
    load(folder)
    return the_file(folder).read_bytes()


def write_cache(folder: Path, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    cache_file = folder / Path(codecache.cache_path()).name
    cache_file.write_bytes(data)
    return cache_file


def test_a_later_start_reads_what_the_first_compiled_and_it_is_what_compile_gives(tmp_path):
    first = load(tmp_path, "record")
    assert first["hits"] == 0 and first["misses"] > 500  # ~560 attrs classes and cattrs hooks
    assert first["different"] == 0
    written = the_file(tmp_path).stat().st_mtime_ns
    second = load(tmp_path, "record")
    assert second["recorded"] == first["recorded"]
    assert second["different"] == 0  # every code object read from disk equals a fresh compile()
    # attrs writes the process's string hash into a frozen class's __hash__: those few always miss
    assert second["hits"] > 500 and second["misses"] < codecache.WORTH_WRITING
    assert the_file(tmp_path).stat().st_mtime_ns == written  # that few misses do not rewrite the file


def test_code_compiled_without_python_O_is_never_read_under_it(tmp_path, primed):
    write_cache(tmp_path, primed)
    optimized = load(tmp_path, "record", "-O")  # asserts stripped: another key, checked against compile() under -O
    assert optimized["hits"] == 0 and optimized["different"] == 0


def _damaged(data: bytes, how: str) -> bytes:
    import hashlib
    import marshal

    if how == "empty":
        return b""
    if how == "truncated":
        return data[: len(data) // 2]
    if how == "a flipped byte":
        middle = len(data) // 2
        return data[:middle] + bytes([data[middle] ^ 0x40]) + data[middle + 1:]
    if how == "not a table of code":  # whole and checksummed, but not what the cache writes
        payload = marshal.dumps({b"key": "not code"})
        return hashlib.blake2b(payload, digest_size=32).digest() + payload
    raise AssertionError(how)


@pytest.mark.parametrize("how", ["empty", "truncated", "a flipped byte", "not a table of code"])
def test_a_damaged_cache_is_ignored_and_written_again(tmp_path, primed, how):
    write_cache(tmp_path, _damaged(primed, how))
    after = load(tmp_path)
    assert after["hits"] == 0 and after["misses"] > 500
    assert load(tmp_path)["hits"] > 500  # the start after it read the file that start wrote


def test_a_cache_folder_that_cannot_be_made_costs_time_only(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    cache = blocker / "cache"  # cannot be created, even by root
    assert load(cache)["misses"] > 500  # and its save() raised nothing
    assert not cache.exists() and blocker.read_text() == "not a folder"


def test_a_forked_worker_never_writes_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv("NAPI_FIX_CACHE", str(tmp_path))
    cache = codecache.CodeCache(codecache.cache_path())
    compiled = cache.compile_for(sys.modules[__name__])
    for i in range(codecache.WORTH_WRITING):
        compiled(f"x = {i}", "<test>", "exec")
    pid = os.fork()
    if pid == 0:  # the child: what a server's forked worker inherits
        cache.save()
        os._exit(0)
    os.waitpid(pid, 0)
    assert list(tmp_path.iterdir()) == []
    cache.save()
    assert the_file(tmp_path).exists()


@pytest.mark.asyncio
async def test_the_server_writes_its_cache_once_the_first_diagnostics_are_out(tmp_path):
    root = copy_example("leaky-addon", tmp_path / "addon")
    env = {**os.environ, "NAPI_FIX_CACHE": str(tmp_path / "cache")}
    first = await start_editor("vscode", [root], env=env)
    try:
        await first.codes(root / "package.json", {"NAPI001"})
        await first.wait_for(lambda: list((tmp_path / "cache").glob("lsp-code-*.marshal")))  # before shutdown
    finally:
        await stop_editor(first)
    written = the_file(tmp_path / "cache").stat().st_mtime_ns
    second = await start_editor("vscode", [root], env=env)
    try:
        await second.codes(root / "package.json", {"NAPI001"})
    finally:
        await stop_editor(second)
    assert the_file(tmp_path / "cache").stat().st_mtime_ns == written  # the second found all it needed
