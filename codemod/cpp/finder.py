"""Find every Napi::ObjectWrap-derived class in a set of C/C++ files.

A cheap byte-level prefilter decides what is parsed: first the files that say
`ObjectWrap`; then, round by round, the files that mention a name the index
has learnt leads to it (an alias, an intermediate base). Real leaves such as
`class Leaf : public Wrapped<Leaf>` never say ObjectWrap. Reads go through
Sources; the per-file work runs on the caller's pool.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import partial
from typing import Callable, Iterable, Iterator

from codemod.cpp.index import ProjectIndex
from codemod.cpp.scan import FileFacts, scan_cpp
from codemod.discover import project_root
from codemod.manifests.buildfiles import copy_candidates
from codemod.parallel import CHUNK, MIN_ITEMS_FOR_POOL, Workers
from codemod.sources.base import Sources, Unreadable

BASIC_FINALIZERS = b"NODE_ADDON_API_REQUIRE_BASIC_FINALIZERS"
_DEFINE_BASIC = re.compile(rb"^[ \t]*#[ \t]*define[ \t]+NODE_ADDON_API_REQUIRE_BASIC_FINALIZERS\b", re.M)
# `#include <ns/objectwrap.hpp>`: a file including such a header is read
# even when its own code never says ObjectWrap (its CRTP classes are then a
# finding when their base cannot be found, never silence).
_OBJECTWRAP_INCLUDE = re.compile(rb"#[ \t]*include[ \t]*[<\"][^>\"\n]*(?i:objectwrap|object_wrap)")
# Any of the first round's three spellings (`ObjectWrap`, `objectwrap`,
# `object_wrap`), in one pass: re finds a pattern's literal start as fast
# as a bytes find, and three finds over a file that has none of them cost
# three times one (the npm-tarball corpus's 93 MB of C/C++: 104 -> 34 ms).
_ANY_WRAP = re.compile(rb"bject(?:Wrap|wrap|_wrap)")
# binding.gyp "defines": [...] and CMake add_compile_definitions / -D flags,
# outside `#` comments (both formats use # for comments).
_BUILD_DEFINE = re.compile(rb"^[^#\n]*NODE_ADDON_API_REQUIRE_BASIC_FINALIZERS", re.M)


@dataclass(frozen=True)
class CppAnalysis:
    index: ProjectIndex
    errors: dict[str, str]  # path -> why it could not be read
    basic_roots: frozenset[str]  # project roots that require basic finalizers

    def basic(self, path: str) -> bool:
        folder = os.path.abspath(path)
        return any(folder.startswith(root + os.sep) for root in self.basic_roots)


class FirstRound:
    """The prefilter's first round, started while discovery is still walking:
    the files go to the pool in chunks as they are found, so the workers read
    and parse while the walk goes on (a small tree stays inline: a worker
    would build the C++ query again, ~13 ms, for a few files)."""

    def __init__(self, sources: Sources, workers: Workers):
        self.sources = sources
        self.workers = workers
        self.buffer: list[str] = []
        self.count = 0
        self.waits: list = []
        self.build: Callable[[], BuildFacts] | None = None

    def build_files(self, paths: Iterable[str]) -> None:
        """Read the build files' facts (build_facts) on a worker when the pool
        is running, queued ahead of the package roots: the parent sifts
        meanwhile, and never loads the GYP grammar for it."""
        self.build = self.workers.submit(build_facts, self.sources, tuple(paths), pool=self.workers.started)

    def add(self, path: str) -> None:
        self.buffer.append(path)
        self.count += 1
        if self.count >= MIN_ITEMS_FOR_POOL and len(self.buffer) >= CHUNK:
            self._flush(pool=True)

    def _flush(self, pool: bool) -> None:
        chunk, self.buffer = self.buffer, []
        self.waits.append(self.workers.submit(sift, chunk, self.sources, None, pool=pool))

    def results(self) -> Iterator[list["Sifted"]]:
        if self.buffer:
            self._flush(pool=self.count >= MIN_ITEMS_FOR_POOL)
        for wait in self.waits:
            yield wait()


BuildFacts = tuple[set[str], dict[str, tuple[str, ...]]]


def build_facts(sources: Sources, build_files: tuple[str, ...]) -> BuildFacts:
    """The project roots whose build defines NODE_ADDON_API_REQUIRE_BASIC_FINALIZERS,
    and each root's include folders its build files name."""
    basic: set[str] = set()
    include_dirs: dict[str, list[str]] = {}
    for path in build_files:
        try:
            data = sources.read(path)
        except Unreadable:
            continue  # the pin planner reports it
        root = project_root(sources, path)
        if _BUILD_DEFINE.search(data):
            basic.add(root)
        include_dirs.setdefault(root, []).extend(copy_candidates(path, data))
    return basic, {root: tuple(dirs) for root, dirs in include_dirs.items()}


def analyze(sources: Sources, cpp_files: Iterable[str], build_files: Iterable[str], workers: Workers,
            first_round: FirstRound | None = None) -> CppAnalysis:
    cpp_files = tuple(cpp_files)
    pending = first_round.build if first_round is not None else None
    sifted_first = list(first_round.results()) if first_round is not None else None
    basic, include_dirs = pending() if pending is not None else build_facts(sources, tuple(build_files))
    index = ProjectIndex(sources, cpp_files, include_dirs)
    errors: dict[str, str] = {}

    # Round 1: files that say ObjectWrap. Later rounds: files that mention a
    # name the index learnt leads to it, until no new name appears.
    unscanned: list[str] = list(cpp_files)
    names: tuple[str, ...] | None = None
    searched: set[str] = set()
    while unscanned:
        hits: set[str] = set()
        batches = sifted_first if sifted_first is not None and names is None else \
            workers.map_chunks(partial(sift, sources=sources, names=names), unscanned)
        for sifted in batches:
            for item in sifted:
                if item.facts is not None or item.error is not None:
                    hits.add(item.path)  # done with: later rounds skip it
                if item.error is not None:
                    errors[item.path] = item.error
                if item.basic:
                    basic.add(project_root(sources, item.path))
                if item.facts is not None:
                    index.add(item.facts)
        unscanned = [p for p in unscanned if p not in hits]
        fresh = index.leading_names() - searched
        if not fresh:
            break
        searched |= fresh
        names = tuple(sorted(fresh))
    return CppAnalysis(index, errors, frozenset(basic))


@dataclass(frozen=True)
class Sifted:
    """What the prefilter made of one file (only files worth a word are returned)."""

    path: str
    facts: FileFacts | None = None  # parsed: it is a candidate
    error: str | None = None
    basic: bool = False  # defines NODE_ADDON_API_REQUIRE_BASIC_FINALIZERS
    same_signature: bool | None = None  # known to show other files what its last scan did (a splice)


def sift(paths, sources: Sources, names: tuple[str, ...] | None) -> list[Sifted]:
    """Read each file once; parse the candidates. names None: the first round
    (mentions ObjectWrap); else: mentions one of `names` as a whole word."""
    # bytes.find runs at memchr speed, a regex alternation at a tenth of it
    # (0.7 s of a 200 MB corpus): the names are looked for as plain bytes, and
    # the word-boundary check runs only on the rare file that has one. The
    # names a project's index learns share stems (`Wrap12Base`, `Wrap98Base`):
    # one find per distinct 4-byte start, not one per name (71 names over
    # 160 MB: 4.5 s -> 0.2 s); a start that is found is followed by finds of
    # its own names, so the regex runs only where a whole name is: a common
    # start (`Obje` of `ObjectWrapHelper`) is in a fifth of the files of the
    # npm-tarball corpus, the whole name in none.
    starts = exact = None
    if names is not None:
        needles = [n.encode() for n in names]
        starts = {}
        for needle in sorted(needles):
            starts.setdefault(needle[:4], []).append(needle)
        exact = re.compile(rb"\b(?:" + b"|".join(re.escape(n) for n in needles) + rb")\b")
    out: list[Sifted] = []
    sources.prefetch(paths)
    for path in paths:
        try:
            data = sources.read(path)
        except Unreadable as exc:
            if names is None:
                out.append(Sifted(path, error=exc.reason))
            continue
        basic = names is None and BASIC_FINALIZERS in data and bool(_DEFINE_BASIC.search(data))
        hit = mentions_objectwrap(data) if starts is None else (_mentions_any(data, starts)
                                                                  and bool(exact.search(data)))
        if hit or basic:
            out.append(_scanned(path, data, hit, basic))
    return out


def _mentions_any(data: bytes, starts: dict[bytes, list[bytes]]) -> bool:
    """Whether `data` holds one of the names, grouped by their first 4 bytes."""
    return any(start in data and any(n in data for n in names) for start, names in starts.items())


def mentions_objectwrap(data: bytes) -> bool:
    """The first round's test: says ObjectWrap, or includes a header named after it."""
    if _ANY_WRAP.search(data) is None:
        return False  # most files: none of the spellings below is in them
    return b"ObjectWrap" in data or ((b"bjectwrap" in data or b"bject_wrap" in data)
                                     and _OBJECTWRAP_INCLUDE.search(data) is not None)


def _scanned(path: str, data: bytes, hit: bool, basic: bool) -> Sifted:
    """A scan that cannot stop the run: whatever goes wrong in one file is that file's result."""
    try:
        return Sifted(path, scan_cpp(path, data) if hit else None, None, basic)
    except RecursionError:
        return Sifted(path, error="not analyzed: nested too deeply for the parser", basic=basic)
    except Exception as exc:  # noqa: BLE001 -- a bug of ours must not end the run; it is reported
        return Sifted(path, error=internal_error(exc), basic=basic)


def internal_error(exc: BaseException) -> str:
    return f"not analyzed: internal error {type(exc).__name__}: {exc} (please report this)"


@dataclass(frozen=True)
class Rescanned:
    error: str | None = None  # why it could not be read, if so
    others_affected: bool = True  # other files' classification may have changed


def scan_one(sources: Sources, index: ProjectIndex, path: str,
             scanned: Callable[[bytes], Sifted | None] | None = None) -> Rescanned:
    """Re-scan one file into `index` (the editor server, after a change).
    Always a fresh parse: tree-sitter's incremental parse can recover from
    errors differently (seen on duckdb's connection.cpp), and the editor must
    say what `napi-fix PATH` says. `scanned(data)`: the `prescan` of exactly
    these bytes, if one was made ahead."""
    had = path in index.files
    try:
        data = sources.read(path)
    except Unreadable as exc:
        index.drop(path)
        return Rescanned(exc.reason, had)
    if worth_scanning(index, data):
        sifted = (scanned and scanned(data)) or prescan(path, data)
        if sifted.facts is None:
            index.drop(path)
            return Rescanned(sifted.error, had)
        return Rescanned(None, index.replace(sifted.facts, sifted.same_signature))
    index.drop(path)
    return Rescanned(None, had)


def worth_scanning(index: ProjectIndex, data: bytes) -> bool:
    """Whether an edited file's bytes can hold anything the finder looks for."""
    return mentions_objectwrap(data) or any(re.search(rb"\b" + re.escape(n.encode()) + rb"\b", data)
                                        for n in index.leading_names())


def prescan(path: str, data: bytes) -> Sifted:
    """What `scan_one` makes of a file's bytes; a worker can make it ahead."""
    return _scanned(path, data, True, False)
