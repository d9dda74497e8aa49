"""yarn.lock: classic (v1) entries are rewritten offline; berry is detected.

A classic entry is a header of patterns (`node-addon-api@^8.2.0, ...:`) and
indented fields (`version`, `resolved "<url>#<sha1>"`, `integrity`). When the
package.json spec changes, its pattern in the header changes with it (or
`yarn install --frozen-lockfile` would find the spec missing), but a
pattern another entry's dependencies still ask for stays (or a plain
`yarn install` would rewrite the lock); when the entry resolves 8.2.0/8.2.1
it moves to the smallest safe release all its patterns admit. Aliases
(`naa@npm:node-addon-api@^8.2.0`) are node-addon-api entries too. Berry (`__metadata:`) records a checksum of yarn's own zip
of the package, which cannot be computed offline: napi-fix says so and
gives the exact `yarn up` command instead of guessing.
"""

from __future__ import annotations

import os
import posixpath
import re
from dataclasses import dataclass

from codemod import rules
from codemod.edits import Edit
from codemod.manifests import spec as specs
from codemod.manifests.jsonspan import BadInput
from codemod.manifests.lockplan import Installs, LockPlan, LockSource, Pins, Refusal
from codemod.results import PIN, Finding
from codemod.rules import RESOLVES_BAD
from codemod.sources.base import within
from codemod.textpos import line_of

EDITS_LOCK = True
UPGRADE = "yarn upgrade node-addon-api@^8.2.2"  # what a person runs where the lock cannot be kept yarn's

_HEADER = re.compile(rb"^(?P<header>[^\s#][^\n]*):[ \t]*\r?$", re.M)
_FIELD = re.compile(rb'^(?P<indent>[ \t]+)(?P<key>version|resolved|integrity)[ \t]+(?P<value>"[^"\n]*"|[^\s]+)', re.M)


def is_berry(data: bytes) -> bool:
    return b"\n__metadata:" in data or data.startswith(b"__metadata:")


def _patterns(path: str, data: bytes, header: re.Match) -> list[str]:
    try:
        text = header.group("header").decode("utf-8")
    except UnicodeDecodeError:
        raise BadInput(path, line_of(data, header.start()), "not UTF-8 in an entry header") from None
    return [p.strip().strip('"') for p in text.split(",")]


def _wrap(pattern: str) -> str:
    """yarn classic's rule for quoting a key (lockfile/stringify.js)."""
    if (pattern.startswith(("true", "false")) or re.search(r'[:\s\\",\[\]]', pattern)
            or re.match(r"^[0-9]", pattern) or not re.match(r"^[a-zA-Z]", pattern)):
        return '"' + pattern.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return pattern


_LINE = re.compile(rb"[^\n]*\n?")


def check_classic(path: str, data: bytes) -> None:
    """A classic lock is comments, blank lines, entry headers (`pattern, ...:`
    at column 0) and indented fields; anything else is not a yarn.lock, and
    napi-fix will not read garbage as an empty lock."""
    if b"\0" in data:
        raise BadInput(path, line_of(data, data.index(b"\0")), "a NUL byte: not a yarn.lock")
    for number, m in enumerate(_LINE.finditer(data), 1):
        line = m.group(0).rstrip(b"\r\n")
        if not line.strip() or line.startswith((b"#", b" ", b"\t")):
            continue
        if not line.rstrip().endswith(b":"):
            raise BadInput(path, number, "not a yarn.lock entry header (`pattern, ...:`) nor an indented field")


_SECTION = re.compile(rb"(?:dependencies|optionalDependencies):")
_DEP = re.compile(rb'(?P<name>"[^"\n]*"|[^\s"]+)[ \t]+(?P<range>"[^"\n]*"|[^\s"]+)')


def split_pattern(pattern: str) -> tuple[str, str]:
    """('node-addon-api', '^8.2.0') for `node-addon-api@^8.2.0`; a scoped name keeps its leading @."""
    at = pattern.find("@", 1)
    return (pattern, "") if at < 0 else (pattern[:at], pattern[at + 1:])


def is_ours(pattern: str) -> bool:
    """A pattern that resolves node-addon-api: its own name, or an alias `naa@npm:node-addon-api@...`."""
    name, spec = split_pattern(pattern)
    return name == specs.PACKAGE or bool(specs.split_alias(spec)[0])


@dataclass(frozen=True)
class _Request:
    pattern: str  # name@range
    start: int  # the range's bytes in the lock, quotes included
    end: int
    name: str
    range: str


def _requests(data: bytes, start: int, end: int) -> list[_Request]:
    """The node-addon-api patterns one entry's dependencies ask for
    (`    node-addon-api "^8.2.1"`, `    naa "npm:node-addon-api@^8"`)."""
    found: list[_Request] = []
    depth = None  # indentation of the dependencies: line we are under
    for line in _LINE.finditer(data, start, end):
        text = line.group(0).rstrip()
        body = text.lstrip(b" \t")
        indent = len(text) - len(body)
        if not body:
            continue
        if depth is not None and indent <= depth:
            depth = None
        if _SECTION.fullmatch(body):
            depth = indent
        elif depth is not None and (m := _DEP.fullmatch(body)):
            name, wanted = (m.group(g).decode("utf-8", "replace").strip('"') for g in ("name", "range"))
            if is_ours(f"{name}@{wanted}"):
                offset = line.start() + indent
                found.append(_Request(f"{name}@{wanted}", offset + m.start("range"), offset + m.end("range"),
                                      name, wanted))
    return found


def _local_folder(patterns: tuple[str, ...]) -> str | None:
    """The folder (relative to the lock, normalized) of an entry that is a
    `file:` package inside the tree, whose dependencies yarn copies from its package.json."""
    folders = {posixpath.normpath(spec[len("file:"):]) for spec in (split_pattern(p)[1] for p in patterns)
               if spec.startswith("file:")}
    return folders.pop() if len(folders) == 1 and len(patterns) == 1 else None


@dataclass(frozen=True)
class _Entry:
    head: re.Match
    end: int  # where the next entry's header starts
    patterns: tuple[str, ...]


def _plan_classic(path: str, data: bytes, renamed: dict[str, str], mode: str,
                  local: dict[str, dict[str, str]]) -> LockPlan:
    """renamed: old spec -> new spec, for the package.json specs the pin changed;
    local: folder relative to the lock ('dep') -> its renames, for the
    packages of the tree a `file:` entry copies.

    The lock written is what yarn 1 itself would write for the pinned
    package.json (a fixed point of `yarn install`): a header keeps every
    pattern some package still asks for and gains the pinned specs' ones,
    and stays where yarn's sort puts it; where that cannot hold (no safe
    release satisfies every pattern, yarn would merge or move the entry)
    the change is refused and nothing is written for the root."""
    check_classic(path, data)
    heads = list(_HEADER.finditer(data))
    entries = [_Entry(h, heads[i + 1].start() if i + 1 < len(heads) else len(data), tuple(_patterns(path, data, h)))
               for i, h in enumerate(heads)]
    requested: set[str] = set()
    changes: list[Finding] = []
    refusals: list[Refusal] = []

    def pin(line: int, reason: str, edits, span=None) -> None:
        changes.append(Finding(path, line, 1, PIN, "yarn.lock", "", reason, tuple(edits),
                               rule=RESOLVES_BAD.id if span else None, span=span))

    def refuse(line: int, why: str) -> None:
        refusals.append(Refusal(path, line, "yarn.lock", rules.yarn_refused(why, UPGRADE), UPGRADE))

    for entry in entries:
        if data.find(specs.PACKAGE.encode(), entry.head.end(), entry.end) < 0:
            continue
        asked = _requests(data, entry.head.end(), entry.end)
        folder = _local_folder(entry.patterns)
        moved = local.get(folder, {}) if folder is not None else {}
        edits = tuple(Edit(path, r.start, r.end, _wrap(moved[r.range]).encode()) for r in asked if r.range in moved)
        if edits:  # its package.json was pinned: yarn copies the new spec
            pin(line_of(data, entry.head.start()), rules.dependencies_follow(rules.yarn_entry(entry.patterns)), edits)
        requested |= {r.pattern for r in asked if r.range not in moved}
    all_patterns = {p for entry in entries for p in entry.patterns}
    locked = {}  # version -> entries resolving it, for the merge check
    for entry in entries:
        if all(is_ours(p) for p in entry.patterns):
            m = _fields(data, entry).get("version")
            if m:
                locked.setdefault(m.group("value").decode().strip('"'), []).append(entry)
    for index, entry in enumerate(entries):
        if not all(is_ours(p) for p in entry.patterns):
            continue
        head, patterns = entry.head, entry.patterns
        fields = _fields(data, entry)
        new_patterns: set[str] = set()
        for pattern in patterns:
            name, spec = split_pattern(pattern)
            if spec in renamed:
                new_patterns.add(f"{name}@{renamed[spec]}")
                if pattern in requested:  # a dependency asks for the old pattern too
                    new_patterns.add(pattern)
            else:
                new_patterns.add(pattern)
        line = line_of(data, head.start())
        named = rules.yarn_entry(patterns)
        version = fields.get("version")
        old = version.group("value").decode().strip('"') if version else ""
        span = version.span("value") if version else None
        edits: list[Edit] = []
        if new_patterns != set(patterns):
            clash = sorted((new_patterns - set(patterns)) & all_patterns)
            if clash:
                refuse(line, rules.pattern_taken(named, clash))
                continue
            first = min(new_patterns)
            before = min(entries[index - 1].patterns) if index else ""
            after = min(entries[index + 1].patterns) if index + 1 < len(entries) else None
            if not (before < first and (after is None or first < after)):
                refuse(line, rules.yarn_would_move(named))
                continue
            text = ", ".join(_wrap(p) for p in sorted(new_patterns))
            edits.append(Edit(path, head.start("header"), head.end("header"), text.encode()))
        if version and specs.is_bad(old):
            ranges = [specs.split_alias(split_pattern(p)[1])[1] for p in sorted(new_patterns)]
            new = specs.choose_version(ranges, mode)
            if new is None:
                refuse(line, rules.unsatisfiable(named, old, ranges))
                continue
            if locked.get(new):
                refuse(line, rules.yarn_would_merge(named, old, new))
                continue
            info = specs.safe_versions()[new]
            edits.append(Edit(path, version.start("value"), version.end("value"), f'"{new}"'.encode()))
            if "resolved" in fields:
                m = fields["resolved"]
                url = specs.tarball_url(m.group("value").decode().strip('"'), new)
                url = re.sub(r"#[0-9a-f]{40}$", f"#{info.shasum}", url)
                edits.append(Edit(path, m.start("value"), m.end("value"), f'"{url}"'.encode()))
            if "integrity" in fields:
                m = fields["integrity"]
                edits.append(Edit(path, m.start("value"), m.end("value"), info.integrity.encode()))
            pin(line, rules.lock_moved(named, old, new), edits, span)
        elif edits:
            pin(line, rules.header_follows(named), edits)
    return LockPlan(tuple(changes), tuple(refusals))


def _fields(data: bytes, entry: _Entry) -> dict[str, re.Match]:
    return {m.group("key").decode(): m for m in _FIELD.finditer(data, entry.head.end(), entry.end)}


def berry_command(new_spec: str | None) -> str:
    return f"yarn up node-addon-api@{new_spec or '^8.2.2'}"


def plan(lock: LockSource, pins: Pins) -> LockPlan:
    """One yarn.lock moved with the pins of the packages at or below its
    folder. A berry lock that needs a change is refused (its checksums
    cannot be made offline); so is a classic entry whose move would not be
    what yarn itself writes."""
    path, data, folder = lock.path, lock.data, pins.folder
    members = {d: renames for d, renames in pins.renames.items() if not folder or within(d, folder)}
    renamed = {old: new for renames in members.values() for old, new in renames.items()}
    if is_berry(data):
        if renamed or b"node-addon-api@npm:8.2.0" in data or b"node-addon-api@npm:8.2.1" in data:
            command = berry_command(next(iter(renamed.values()), None))
            return LockPlan(refusals=(Refusal(path, 1, "yarn.lock", rules.yarn_berry(command), command),))
        return LockPlan()
    local = {posixpath.normpath(os.path.relpath(d, folder or ".").replace(os.sep, "/")): renames
             for d, renames in members.items()}
    return _plan_classic(path, data, renamed, pins.mode, local)


_ENTRY = re.compile(rb'^"?(?P<name>@?[^@"\s]+)@[^\n]*:\s*$')
_DEPENDENCY = re.compile(rb'^[ \t]{4,}"?node-addon-api"?[:\s]')


def dependents(data: bytes) -> Installs:
    """The packages of a yarn.lock (classic or berry) that list
    node-addon-api among their dependencies, each counted as built (yarn
    records no such thing) and as hoisted, resolving the root's copy (a
    second copy in the lock cannot be told apart here); the project's own
    workspaces are not among them."""
    found: Installs = {}
    entry = None
    for line in data.splitlines():
        header = _ENTRY.match(line)
        if header is not None:
            entry = None if b"@workspace:" in line else header["name"].decode("utf-8", "replace")
        elif entry is not None and entry != specs.PACKAGE and _DEPENDENCY.match(line):
            found[f"node_modules/{entry}"] = (True, True)
    return found
