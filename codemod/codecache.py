"""Start-up of `napi-fix lsp` and of the command line: a disk cache of the
code objects that attrs, cattrs and dataclasses compile from the source they
generate.

lsprotocol defines ~560 attrs classes, and attrs writes each one's
`__init__`, `__repr__`, `__eq__`... as Python source and compiles it on every
start: about half of the ~0.3 s that importing lsprotocol takes, before the
server can read `initialize`. compile() is a pure function of its arguments,
so its result can be kept the way Python keeps .pyc files: marshalled, keyed
by a digest of everything compile() reads (source, file name, mode, flags,
optimization level), in a file named for this interpreter's bytecode. A new
attrs, cattrs or lsprotocol generates other source, which simply misses.

Only the compile() calls of the modules in COMPILING are redirected (through
a module-global `compile`, which shadows the builtin for that module alone).
The command line (cli.py) keeps its own file the same way for `dataclasses`,
which exec()s the source of each class's `__init__`, `__eq__`, `__hash__`...:
napi-fix's ~60 frozen dataclasses cost a fifth of a small dry run.
A missing, truncated or damaged file means compiling as usual, and a cache
that cannot be written is skipped: the cache costs time when absent, never
correctness. marshal data is trusted like a .pyc: the file lives in the
user's own cache folder, and a checksum keeps a damaged one from loading.
"""

from __future__ import annotations

import __future__
import ast
import builtins
import hashlib
import importlib
import importlib.util
import marshal
import os
import sys
import types
from typing import Callable

from codemod.cachedir import cache_dir

COMPILING = ("attr._make", "cattrs.gen", "cattrs.gen.typeddicts")  # modules that compile generated source
_CHECKSUM = 32  # bytes of blake2b over the marshalled entries, at the start of the file
# Some generated source differs on every start (attrs writes the process's
# string hash into a frozen class's __hash__): that few misses leave the file as it is.
WORTH_WRITING = 8


def cache_path(front_end: str = "lsp") -> str:
    """One file per front-end: each keeps what its own starts compile."""
    magic = importlib.util.MAGIC_NUMBER.hex()
    return cache_dir(f"{front_end}-code-{sys.implementation.cache_tag}-{magic}.marshal")


class CodeCache:
    def __init__(self, path: str):
        self.path = path
        self.stored = _read(path)
        self.used: dict[bytes, types.CodeType] = {}  # what this process asked for: the next file's entries
        self.hits = 0
        self.misses = 0
        self._saved_misses = 0  # misses already in the file this process wrote
        self._pid = os.getpid()  # a forked worker inherits the object but must not write the file

    def compile_for(self, module: types.ModuleType) -> Callable:
        """A compile() for `module`, with the __future__ flags its own calls inherit."""
        inherited = _future_flags(module)

        def compile(source, filename, mode, flags=0, dont_inherit=False, optimize=-1, **more):
            flags |= 0 if dont_inherit else inherited
            if more or flags & ast.PyCF_ONLY_AST or not isinstance(source, str) or not isinstance(filename, str):
                return builtins.compile(source, filename, mode, flags, True, optimize, **more)
            return self._compiled(source, filename, mode, flags, optimize)

        return compile

    def exec_for(self, module: types.ModuleType) -> Callable:
        """An exec() for `module`: source text is compiled through the cache
        (as exec() would: file name `<string>`, the module's __future__ flags)."""
        inherited = _future_flags(module)

        def exec(source, globals=None, locals=None, **more):
            if globals is None:  # exec() would run in its caller's namespace: this function's caller's
                caller = sys._getframe(1)
                globals, locals = caller.f_globals, caller.f_locals if locals is None else locals
            if isinstance(source, str) and not more:
                source = self._compiled(source, "<string>", "exec", inherited, -1)
            return builtins.exec(source, globals, locals, **more)

        return exec

    def _compiled(self, source: str, filename: str, mode: str, flags: int, optimize: int) -> types.CodeType:
        level = sys.flags.optimize if optimize == -1 else optimize  # -1: the interpreter's, as with -O
        key = hashlib.blake2b(f"{flags}\0{level}\0{mode}\0{filename}\0{source}".encode("utf-8", "surrogatepass"),
                              digest_size=20).digest()
        code = self.stored.get(key)
        if code is None:
            code = builtins.compile(source, filename, mode, flags, True, level)
            self.misses += 1
        else:
            self.hits += 1
        self.used[key] = code
        return code

    def save(self) -> None:
        """Write what this process used, when enough had to be compiled; atomically, or not at all."""
        if self.misses - self._saved_misses < (1 if not self.stored else WORTH_WRITING) or os.getpid() != self._pid:
            return
        if write_checksummed(self.path, marshal.dumps(self.used)):
            self.stored = dict(self.used)
            self._saved_misses = self.misses


def install() -> CodeCache:
    """Redirect the compile() calls of COMPILING through a cache read from disk now."""
    cache = CodeCache(cache_path())
    for name in COMPILING:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if "compile" not in vars(module):  # never replace a function of theirs that is called compile
            module.compile = cache.compile_for(module)
    return cache


def _read(path: str) -> dict[bytes, types.CodeType]:
    entries = read_marshalled(path)
    if not isinstance(entries, dict) or not all(
            isinstance(key, bytes) and isinstance(code, types.CodeType) for key, code in entries.items()):
        return {}
    return entries


def read_marshalled(path: str):
    """What write_checksummed stored at `path`, unmarshalled; None when the
    file is missing, damaged or not marshal data."""
    try:
        with open(path, "rb") as source:
            data = source.read()
    except OSError:
        return None
    checksum, payload = data[:_CHECKSUM], data[_CHECKSUM:]
    if hashlib.blake2b(payload, digest_size=_CHECKSUM).digest() != checksum:
        return None
    try:
        return marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None


def write_checksummed(path: str, payload: bytes) -> bool:
    """`payload` behind its checksum, at `path`, atomically (another process
    writing at once: one whole file wins); False when it cannot be written
    (a read-only home: the next start compiles again)."""
    import tempfile  # only a start that writes pays for it

    folder = os.path.dirname(path)
    try:
        os.makedirs(folder, exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix=".code-", dir=folder)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(hashlib.blake2b(payload, digest_size=_CHECKSUM).digest() + payload)
            os.replace(temp, path)
        except BaseException:
            os.unlink(temp)
            raise
    except OSError:
        return False
    return True


def _future_flags(module: types.ModuleType) -> int:
    """The compiler flags of the `from __future__ import ...` lines in `module`,
    which the builtin compile() would inherit from a call made there."""
    flags = 0
    for value in vars(module).values():
        if isinstance(value, __future__._Feature):
            flags |= value.compiler_flag
    return flags
