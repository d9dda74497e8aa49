"""Start-up of the command line: a disk cache of compiled regular expressions.

`re` turns a pattern into the opcodes its matcher runs in Python (a parser
and a code generator), and keeps the result for the process alone: the ~170
patterns napi-fix and its libraries compile on their way in cost ~15 ms of a
130 ms `napi-fix --dry-run` on a small addon (cProfile and a timer around
re's compiler), on every start. The opcodes are plain data, a list of ints
that `_sre.compile` takes with the pattern, its flags and its group names:
they can be kept on disk like the code objects of codecache.py, in a file
named for this interpreter and this `_sre` (its MAGIC changes with the
opcodes), behind the same checksum.

Only re's own compiler is redirected, so every caller (ours, node-semver's,
click's) goes on calling `re.compile`; a pattern re has already compiled in
this process never reaches it (re's in-process cache comes first). What is
stored was checked when stored: the opcodes made here give a Pattern equal
to the one re's compiler made (Pattern equality compares the opcodes, the
flags and the pattern), or nothing is stored. Patterns whose opcodes depend
on more than the pattern (re.LOCALE: the locale at compile time) or whose
compiling prints (re.DEBUG) always go to re. A missing or damaged file
costs time, never correctness.
"""

from __future__ import annotations

import marshal
import os
import re
import sys

import _sre

from codemod.cachedir import cache_dir
from codemod.codecache import read_marshalled, write_checksummed

_compiler = getattr(re, "_compiler", None) or __import__("sre_compile")  # 3.10 names it sre_compile
_parser = getattr(re, "_parser", None) or __import__("sre_parse")
UNCACHED = re.LOCALE | re.DEBUG
LIMIT = 4096  # entries kept: what one run used always, the rest of the file while it stays below this

Entry = tuple  # (flags, opcodes, groups, group index, index group): _sre.compile's arguments after the pattern


def cache_path(front_end: str = "cli") -> str:
    return cache_dir(f"{front_end}-re-{sys.implementation.cache_tag}-{_sre.MAGIC}-{sys.hexversion:x}.marshal")


class RegexCache:
    def __init__(self, path: str):
        self.path = path
        self.stored = _read(path)
        self.used: dict[tuple, Entry] = {}  # what this process compiled or read: kept by the next file
        self.hits = 0
        self.misses = 0
        self._original = _compiler.compile
        self._pid = os.getpid()  # a forked worker inherits the object but must not write the file

    def install(self) -> None:
        """Send re's compiler through this cache (for this process and the workers it forks)."""
        _compiler.compile = self.compile

    def compile(self, pattern, flags: int = 0):
        """re's compiler, as re._compile calls it (after its own cache missed)."""
        if not isinstance(pattern, (str, bytes)) or not isinstance(flags, int) or flags & UNCACHED:
            return self._original(pattern, flags)
        key = (pattern, flags)  # a str and a bytes pattern never compare equal
        held = self.stored.get(key)
        if held is not None:
            self.hits += 1
            self.used[key] = held
            return _sre.compile(pattern, *held)
        made = self._original(pattern, flags)
        self.misses += 1
        entry = _entry(pattern, flags)
        if entry is not None and _sre.compile(pattern, *entry) == made:
            self.used[key] = entry
        return made

    def save(self) -> None:
        """Keep what this process used and what the file held (a run that
        forks leaves its workers' patterns in the file a one-process run
        wrote), when something new was compiled; atomically, or not at all."""
        if not self.misses or os.getpid() != self._pid:
            return
        kept = {**self.stored, **self.used}
        if len(kept) > LIMIT:
            kept = self.used
        try:
            payload = marshal.dumps(kept)
        except ValueError:  # an entry marshal cannot hold: the next start compiles as before
            return
        if write_checksummed(self.path, payload):
            self.stored = kept
            self.misses = 0


def install() -> RegexCache:
    """Read the command line's file and send re's compiler through it."""
    cache = RegexCache(cache_path())
    cache.install()
    return cache


def _entry(pattern, flags: int) -> Entry | None:
    """`_sre.compile`'s arguments for `pattern`, made as re's compiler makes
    them (its own steps, which it does not return); None when they cannot be."""
    try:
        parsed = _parser.parse(pattern, flags)
        code = _compiler._code(parsed, flags)
        groupindex = dict(parsed.state.groupdict)
        indexgroup = [None] * parsed.state.groups
        for name, index in groupindex.items():
            indexgroup[index] = name
        # Plain ints: the opcodes are int subclasses (named constants), which marshal refuses.
        return (int(flags | parsed.state.flags), [int(op) for op in code], parsed.state.groups - 1, groupindex,
                tuple(indexgroup))
    except Exception:  # noqa: BLE001 -- an interpreter whose compiler differs: that pattern is not kept
        return None


def _read(path: str) -> dict[tuple, Entry]:
    entries = read_marshalled(path)
    if not isinstance(entries, dict) or not all(_well_formed(key, entry) for key, entry in entries.items()):
        return {}
    return entries


def _well_formed(key, entry) -> bool:
    return (isinstance(key, tuple) and len(key) == 2 and isinstance(key[0], (str, bytes))
            and isinstance(key[1], int) and isinstance(entry, tuple) and len(entry) == 5
            and isinstance(entry[0], int) and isinstance(entry[1], list) and isinstance(entry[2], int)
            and isinstance(entry[3], dict) and isinstance(entry[4], tuple))
