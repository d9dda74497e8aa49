"""One C/C++ file -> FileFacts: everything the finder needs from it.

Pure and picklable: a worker process can scan, the parent resolves across
files. Nothing here knows about other files.

No class is dropped silently. The trees are read chunk by chunk (parse.py);
a class head with a base clause that no tree yields as a class, or that a
tree with errors yields (error recovery may have misplaced it), is parsed
again on its own; what still cannot be read becomes an Unparsed fact, which
the planner reports as NAPI005: an ERROR region whose code mentions
ObjectWrap, a head naming ObjectWrap that is still no class, or a whole
file past one of the limits in limits.py (size, nesting, time).
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

from tree_sitter import Tree

from codemod import queries
from codemod.cpp.aliases import AliasDecl, find_aliases
from codemod.cpp.classes import ClassDecl, find_classes
from codemod.cpp.dead import dead_spans, is_dead
from codemod.cpp.errors import Unparsed, find_unparsed, objectwrap_mentions, outermost_errors
from codemod.cpp.finalize import detect_indent_unit, detect_newline
from codemod.cpp.macros import MacroClass, find_macro_classes
from codemod.cpp.matching import match_tree
from codemod.cpp.limits import REPAIR_LIMIT, SCAN_SECONDS, Deadline, OverLimit
from codemod.cpp.parse import Budget, Points, Prepared, parse_chunk, prepare, reparse_class
from codemod.cpp.types import reading
from codemod.cpp.usings import Usings, find_usings
from codemod.textpos import line_column, node_places

NOT_A_CLASS = ("this class head names ObjectWrap in its base clause but tree-sitter did not parse it as a class, "
               "even on its own; check it by hand")
ERROR_REGION = "tree-sitter could not parse this region, which mentions ObjectWrap; check it by hand"


@dataclass(frozen=True)
class FileFacts:
    path: str
    digest: str  # of the bytes scanned: edits planned on them apply to nothing else
    classes: tuple[ClassDecl, ...]
    aliases: tuple[AliasDecl, ...]
    usings: Usings
    macro_classes: tuple[MacroClass, ...]
    unparsed: tuple[Unparsed, ...]
    recovered_macros: tuple[tuple[int, str], ...]
    # Every tree parsed cleanly, the braces paired, nothing was left unread
    # and no class took the file's indentation step: what one top-level
    # class yields does not depend on the rest of the file, so the editor
    # may re-scan that class alone (splice.py).
    separable: bool = False


def scan_cpp(path: str, data: bytes) -> FileFacts:
    try:
        return _scan(path, data, Deadline(SCAN_SECONDS))
    except OverLimit as over:
        return _unreadable(path, data, str(over))


def scan_part(path: str, prepared: Prepared, deadline: Deadline, unit, newline: str) -> FileFacts:
    """The facts of part of a file, prepared on its own (splice.py re-reads
    one class this way); `unit` (called when a class needs it) and
    `newline`: the whole file's indentation step and line break."""
    return _scan(path, prepared.data, deadline, prepared, unit, newline)


def _scan(path: str, data: bytes, deadline: Deadline, prepared: Prepared | None = None, unit=None,
          newline: str | None = None) -> FileFacts:
    prepared = prepared or prepare(data, deadline)
    facts = _Collected(path, prepared, unit, newline)
    points = Points(prepared.source)
    budget = Budget(REPAIR_LIMIT, deadline)
    with reading(prepared.source):
        for chunk in prepared.chunks:
            facts.add(parse_chunk(prepared, chunk, points, budget))
        facts.repair(points, budget)
    # What `#if 0` hides is no part of the build: no class, no finding.
    dead = dead_spans(data, prepared.lexed.directives)
    live = (lambda at: not is_dead(dead, at)) if dead else (lambda at: True)
    lexed = prepared.lexed
    unparsed = tuple(u for u in facts.unparsed() if live(u.start))
    return FileFacts(
        path=path,
        digest=digest(data),
        classes=tuple(sorted((c for c in facts.classes.values() if live(c.start)), key=lambda c: c.start)),
        aliases=tuple(facts.aliases),
        usings=Usings(tuple(facts.namespaces), tuple(facts.declarations), tuple(facts.includes),
                      tuple(facts.namespace_aliases)),
        macro_classes=tuple(facts.macro_classes),
        unparsed=unparsed,
        recovered_macros=prepared.recovered_macros,
        separable=(lexed.paired and not lexed.focused and lexed.open_tail == len(data) and not facts.had_error
                   and not facts.repaired and not facts.unit_used and not unparsed),
    )


class _Collected:
    """Facts gathered tree by tree (a tree is dropped once read: memory stays one chunk's)."""

    def __init__(self, path: str, prepared: Prepared, unit=None, newline: str | None = None):
        self.path = path
        self.prepared = prepared
        data = prepared.data
        # The indentation step needs a regex pass over the whole file; most class
        # bodies show their members' indentation, so it is worked out only on demand.
        detect = unit or (lambda: detect_indent_unit(data))
        self.unit = lru_cache(maxsize=None)(lambda: self._consulted(detect))
        self.unit_used = False  # a class took the file's indentation step: its bytes outside it count
        self.had_error = False  # some tree had an error
        self.newline = newline or detect_newline(data)
        self.where = node_places(data)  # our lines, not tree-sitter's rows
        self.classes: dict[int, ClassDecl] = {}  # by start offset
        self.suspect: set[int] = set()  # starts of classes yielded by a tree with errors
        self.errors: list[Unparsed] = []
        self.repaired: list[tuple[int, int]] = []
        self.aliases: list[AliasDecl] = []
        self.namespaces: list = []
        self.declarations: list = []
        self.includes: list[str] = []
        self.namespace_aliases: list = []
        self.macro_classes: list[MacroClass] = []

    def _consulted(self, detect) -> str:
        self.unit_used = True
        return detect()

    def add(self, tree: Tree) -> None:
        matches = match_tree(tree.root_node)
        self.had_error = self.had_error or tree.root_node.has_error
        self._classes(matches, suspect=tree.root_node.has_error)
        self.errors += find_unparsed(outermost_errors(matches), self.prepared.lexed.code, self.where, ERROR_REGION)
        self.aliases += find_aliases(matches, self.path)
        usings = find_usings(matches, self.path)
        self.namespaces += usings.namespaces
        self.declarations += usings.declarations
        self.includes += usings.includes
        self.namespace_aliases += usings.aliases
        self.macro_classes += find_macro_classes(matches, self.where)

    def _classes(self, matches: queries.Matches, within: tuple[int, int] | None = None, suspect: bool = False) -> None:
        """The classes of one tree; `within`: only those starting in that span
        (a class parsed again); `suspect`: the tree has an error somewhere, so
        error recovery may have put any of its classes in the wrong scope."""
        for cls in find_classes(matches, self.path, self.prepared.data, self.where, self.unit, self.newline,
                                self.prepared.member_macros):
            if within is not None and not within[0] <= cls.start < within[1]:
                continue
            self.classes[cls.start] = cls
            if suspect:
                self.suspect.add(cls.start)
            else:
                self.suspect.discard(cls.start)

    def repair(self, points: Points, budget: Budget) -> None:
        """Parse again on its own every class head that no tree yielded, or
        that a tree with errors did; keep what parses cleanly. Heads left when
        the byte budget runs out stay as they are (the cross-check reports
        those naming ObjectWrap)."""
        done = -1
        for head in self.prepared.heads:
            if head.keyword < done or (head.keyword in self.classes and head.keyword not in self.suspect):
                continue
            again = reparse_class(self.prepared, head, points, budget)
            if again is None:
                continue
            tree, span = again
            # Keyed by start: what the tree yields replaces what the chunk's tree did.
            self._classes(match_tree(tree.root_node), within=span)
            self.repaired.append(span)
            done = span[1]

    def unparsed(self) -> tuple[Unparsed, ...]:
        """ERROR regions still mentioning ObjectWrap outside repaired classes,
        and heads naming ObjectWrap that are no class; never both for one place."""
        code = self.prepared.lexed.code
        repaired = sorted(self.repaired)
        classes = sorted((c.start, c.end) for c in self.classes.values())
        reach = list(accumulate((end for _, end in classes), max))  # furthest end of the classes so far
        out = [
            e for e in self.errors
            if not _within_class(classes, reach, e.start)
            and any(not _inside(repaired, at) for at in objectwrap_mentions(code, e.start, e.end))
        ]
        reported = sorted((u.start, u.end) for u in out)
        for keyword, body in self.prepared.objectwrap_heads:
            if keyword not in self.classes and not _inside(reported, keyword):
                out.append(Unparsed(*line_column(self.prepared.data, keyword), keyword, body + 1, NOT_A_CLASS))
        return tuple(sorted(out, key=lambda u: u.start))


def _within_class(classes: list[tuple[int, int]], reach: list[int], offset: int) -> bool:
    """`offset` lies inside some class (an ERROR inside a class the trees did yield is that class's)."""
    at = bisect_right(classes, (offset, float("inf"))) - 1
    return at >= 0 and reach[at] > offset


def _inside(spans: list[tuple[int, int]], offset: int) -> bool:
    at = bisect_right(spans, (offset, float("inf"))) - 1
    return at >= 0 and offset < spans[at][1]


def _unreadable(path: str, data: bytes, reason: str) -> FileFacts:
    """A file past a limit: one NAPI005 fact, at its first mention of ObjectWrap."""
    at = max(data.find(b"ObjectWrap"), 0)
    unparsed = Unparsed(*line_column(data, at), at, len(data), reason)
    return FileFacts(path, digest(data), (), (), Usings((), (), ()), (), (unparsed,), ())


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
