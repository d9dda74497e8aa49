"""Find every Napi::ObjectWrap-derived class in a set of C/C++ files.

A cheap byte-level prefilter decides what is parsed: first the files that say
`ObjectWrap`; then, round by round, the files that mention a name the index
has learnt leads to it (an alias, an intermediate base). Real leaves such as
`class Leaf : public Wrapped<Leaf>` never say ObjectWrap.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import partial
from typing import Callable, Iterable

from codemod.cpp import finalize
from codemod.cpp.index import INDIRECT, INTERMEDIATE, TARGET, ProjectIndex
from codemod.cpp.scan import FileFacts, scan_cpp
from codemod.discover import project_root
from codemod.parallel import Workers
from codemod.results import (
    HAS_OVERRIDE,
    INDIRECT as INDIRECT_KIND,
    INTERMEDIATE_BASE,
    MANUAL,
    MISSING_OVERRIDE,
    Finding,
)

Reader = Callable[[str], bytes]
BASIC_FINALIZERS = b"NODE_ADDON_API_REQUIRE_BASIC_FINALIZERS"
_DEFINE_BASIC = re.compile(rb"^[ \t]*#[ \t]*define[ \t]+NODE_ADDON_API_REQUIRE_BASIC_FINALIZERS\b", re.M)
# binding.gyp "defines": [...] and CMake add_compile_definitions / -D flags,
# outside `#` comments (both formats use # for comments).
_BUILD_DEFINE = re.compile(rb"^[^#\n]*NODE_ADDON_API_REQUIRE_BASIC_FINALIZERS", re.M)


@dataclass(frozen=True)
class CppAnalysis:
    index: ProjectIndex
    errors: dict[str, str]  # path -> why it could not be read
    basic_roots: frozenset[str]  # project roots that require basic finalizers


def analyze(cpp_files: Iterable[str], build_files: Iterable[str], read: Reader, workers: Workers) -> CppAnalysis:
    cpp_files = tuple(cpp_files)
    index = ProjectIndex(read_header=lambda p: _try_read(read, p), known_files=cpp_files)
    errors: dict[str, str] = {}
    basic: set[str] = set()

    # Round 1: files that say ObjectWrap. Later rounds: files that mention a
    # name the index learnt leads to it, until no new name appears.
    unscanned: list[str] = list(cpp_files)
    names: tuple[str, ...] | None = None
    searched: set[str] = set()
    while unscanned:
        hits: set[str] = set()
        for sifted in workers.map_chunks(partial(sift, read=read, names=names), unscanned):
            for item in sifted:
                if item.facts is not None or item.error is not None:
                    hits.add(item.path)  # done with: later rounds skip it
                if item.error is not None:
                    errors[item.path] = item.error
                if item.basic:
                    basic.add(project_root(item.path))
                if item.facts is not None:
                    index.add(item.facts)
        unscanned = [p for p in unscanned if p not in hits]
        fresh = index.leading_names() - searched
        if not fresh:
            break
        searched |= fresh
        names = tuple(sorted(fresh))

    for path in build_files:
        data = _try_read(read, path)
        if data is not None and _BUILD_DEFINE.search(data):
            basic.add(project_root(path))
    return CppAnalysis(index, errors, frozenset(basic))


@dataclass(frozen=True)
class Sifted:
    """What the prefilter made of one file (only files worth a word are returned)."""

    path: str
    facts: FileFacts | None = None  # parsed: it is a candidate
    error: str | None = None
    basic: bool = False  # defines NODE_ADDON_API_REQUIRE_BASIC_FINALIZERS


def sift(paths, read: Reader, names: tuple[str, ...] | None) -> list[Sifted]:
    """Read each file once; parse the candidates. names None: the first round
    (mentions ObjectWrap); else: mentions one of `names` as a whole word."""
    # A plain alternation scans ~10x faster than one wrapped in \b...\b;
    # the word-boundary check runs only on the rare file that matches.
    quick = exact = None
    if names is not None:
        alternatives = b"|".join(re.escape(n.encode()) for n in names)
        quick, exact = re.compile(alternatives), re.compile(rb"\b(?:" + alternatives + rb")\b")
    out: list[Sifted] = []
    for path in paths:
        try:
            data = read(path)
        except (OSError, UnicodeError) as exc:
            if names is None:
                out.append(Sifted(path, error=_describe(exc)))
            continue
        basic = names is None and BASIC_FINALIZERS in data and bool(_DEFINE_BASIC.search(data))
        hit = b"ObjectWrap" in data if quick is None else bool(quick.search(data) and exact.search(data))
        if hit or basic:
            out.append(Sifted(path, scan_cpp(path, data) if hit else None, None, basic))
    return out


def findings(analysis: CppAnalysis, plan_edits: bool) -> dict[str, list[Finding]]:
    """Findings per file; targets lacking an override carry the planned edit."""
    out: dict[str, list[Finding]] = {}
    for path, facts in analysis.index.files.items():
        basic = _root_of(path, analysis.basic_roots)
        found = [f for cls in facts.classes for f in _class_findings(analysis.index, facts, cls, basic, plan_edits)]
        found += [
            Finding(path, m.line, m.column, MANUAL, m.macro, "",
                    f"macro {m.macro} defines an ObjectWrap-derived class; its expansions cannot be "
                    "edited safely, add `void Finalize(Napi::Env /*env*/) override {}` by hand")
            for m in facts.macro_classes
        ]
        found += [
            Finding(path, u.line, u.column, MANUAL, "", "",
                    "tree-sitter could not parse this region, which mentions ObjectWrap; check it by hand")
            for u in facts.unparsed
        ]
        if found:
            out[path] = sorted(found, key=lambda f: (f.line, f.column))
    return out


def _class_findings(index: ProjectIndex, facts: FileFacts, cls, basic: bool, plan_edits: bool):
    found = index.classify(cls, facts.path)
    if found is None:
        return
    name = cls.display_name()
    where = (facts.path, cls.line, cls.column)
    if found.kind == INTERMEDIATE:
        yield Finding(*where, INTERMEDIATE_BASE, name, found.wrapped,
                      f"intermediate base: passes its parameter {found.wrapped} to Napi::ObjectWrap; "
                      "node-addon-api looks for Finalize on each concrete leaf, so the leaves are the targets")
        return
    if found.kind == INDIRECT:
        yield Finding(*where, INDIRECT_KIND, name, found.wrapped,
                      f"derives from Napi::ObjectWrap<{found.wrapped}> through a base; node-addon-api "
                      f"looks for Finalize on {found.wrapped}, not on this class")
        return
    assert found.kind == TARGET
    macro = next((m for off, m in facts.recovered_macros if cls.start <= off < cls.end), None)
    recovered = f" (class head read past export macro {macro})" if macro else ""
    if cls.override is not None:
        yield Finding(*where, HAS_OVERRIDE, name, found.wrapped,
                      f"already overrides Finalize({cls.override}){recovered}")
        return
    if cls.insertion is None:
        yield Finding(*where, MANUAL, name, found.wrapped,
                      f"derives from Napi::ObjectWrap<{found.wrapped}> but its body could not be parsed; "
                      "add the override by hand")
        return
    other = "; its own Finalize(...) takes other parameters and is not an override" if cls.other_finalize else ""
    edits = (finalize.plan_insertion(facts.path, cls.insertion, basic),) if plan_edits else ()
    yield Finding(*where, MISSING_OVERRIDE, name, found.wrapped,
                  f"derives from Napi::ObjectWrap<{found.wrapped}> and has no Finalize override{other}"
                  f"{recovered}; inserting an empty override is {finalize.SHORT_NOTE}", edits)


def _root_of(path: str, roots: frozenset[str]) -> bool:
    folder = os.path.abspath(path)
    return any(folder.startswith(root + os.sep) for root in roots)


def _try_read(read: Reader, path: str) -> bytes | None:
    try:
        return read(path)
    except (OSError, UnicodeError):
        return None


def _describe(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return f"cannot read: {exc.strerror}"
    return f"cannot read: {exc}"
