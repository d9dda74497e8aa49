"""A project's own napi-fix settings: the `"napi-fix"` key of its package.json.

    "napi-fix": {
      "strategy": "pin" | "finalize" | "both",   # as --strategy
      "pin": "upgrade" | "rollback",            # as --pin
      "ignore": ["NAPI004"],                    # rules whose findings are suppressed
      "exclude": ["third_party/", "gen/*.h"]    # .gitignore patterns, relative to that package.json
    }

One reader for the three front-ends: the CLI and the batch runner (for
each repository) look for the nearest package.json with the key at or
above what they were given, the editor server for each workspace folder; each merges the
settings under what its user said explicitly (a command-line flag wins).
Why package.json and not a napi-fix.toml: see docs/settings.md.

Also here, pure as the rest: the per-class suppression comment
(`// napi-fix: ignore NAPI004`, or bare `// napi-fix: ignore` for every
rule) and `suppress`, which the engine calls once per report, so every
front-end drops the same findings and their edits.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field, replace
from typing import Callable, Iterator

from codemod.gitignore import Rules
from codemod.options import DEFAULT_PIN_MODE, DEFAULT_STRATEGY, PIN_MODES, STRATEGIES, Options
from codemod.results import Finding
from codemod.rules import BY_ID
from codemod.sources.base import Sources, Unreadable
from codemod.textpos import line_of

KEY = "napi-fix"
FIELDS = ("strategy", "pin", "ignore", "exclude")
# `// napi-fix: ignore` or `/* napi-fix: ignore NAPI004, NAPI005 */`: no code means every rule.
_COMMENT = re.compile(rb"(?://|/\*)[ \t]*napi-fix:[ \t]*ignore\b(?P<codes>(?:[ \t,]+NAPI\d{3})*)")
_CODE = re.compile(rb"NAPI\d{3}")
ALL = "*"  # a bare ignore comment


class BadSettings(ValueError):
    """A `"napi-fix"` key napi-fix cannot follow: names file and line."""

    def __init__(self, path: str, line: int, message: str):
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = path, line, message


@dataclass(frozen=True)
class Exclusions:
    """.gitignore patterns, relative to `folder`: files discovery never takes."""

    folder: str
    patterns: tuple[str, ...]

    def matches(self, path: str, is_dir: bool) -> bool:
        """Whether a pattern excludes `path` itself (the walk never asks
        about what is inside an excluded folder)."""
        absolute = os.path.abspath(path)
        inside = self._inside
        if not absolute.startswith(inside):
            return False  # outside `folder`, or `folder` itself
        return _rules(self.patterns).verdict(absolute[len(inside):].replace(os.sep, "/"), is_dir) is True

    @functools.cached_property
    def _inside(self) -> str:
        """How every path strictly inside `folder` starts."""
        folder = os.path.abspath(self.folder)
        return folder if folder.endswith(os.sep) else folder + os.sep


@functools.lru_cache(maxsize=16)
def _rules(patterns: tuple[str, ...]) -> Rules:
    return Rules.from_patterns(patterns)


@dataclass(frozen=True)
class Settings:
    """What a package.json asks for; None: it does not say."""

    strategy: str | None = None
    pin_mode: str | None = None
    ignore: frozenset[str] = frozenset()
    exclude: Exclusions | None = None
    source: str | None = field(default=None, compare=False)  # the package.json read, when it had the key

    def options(self, strategy: str | None = None, pin_mode: str | None = None,
                patch_vendored: bool = False) -> Options:
        """Options for a run: what the user said explicitly (not None) wins
        over these settings, which win over napi-fix's defaults."""
        return Options(strategy or self.strategy or DEFAULT_STRATEGY, pin_mode or self.pin_mode or DEFAULT_PIN_MODE,
                       patch_vendored, ignore=self.ignore, exclude=self.exclude)


def parse(data: bytes, path: str) -> Settings:
    """The settings in one package.json's bytes; BadSettings when the key is
    there but wrong (invalid JSON elsewhere is the planner's to report)."""
    from codemod.manifests.jsonspan import BadInput, Obj, loads

    if f'"{KEY}"'.encode() not in data:
        return Settings()
    try:
        manifest = loads(data, path)
    except BadInput:
        return Settings()  # the pin planner names the file and line
    raw = manifest.get(KEY) if isinstance(manifest, Obj) else None
    if raw is None:
        return Settings()

    def bad(message: str, key: str | None = None) -> BadSettings:
        spans = raw.spans if isinstance(raw, Obj) and key in raw.spans else manifest.spans
        at = spans.get(key if key in spans else KEY)
        return BadSettings(path, line_of(data, at[0]) if at else 1, f'"{KEY}": {message}')

    if not isinstance(raw, dict):
        raise bad(f"must be an object, not {_kind(raw)}")
    unknown = sorted(set(raw) - set(FIELDS))
    if unknown:
        raise bad(f"unknown key(s) {', '.join(unknown)} (known: {', '.join(FIELDS)})", unknown[0])
    strategy, pin_mode = _choice(raw, "strategy", STRATEGIES, bad), _choice(raw, "pin", PIN_MODES, bad)
    ignore = _strings(raw, "ignore", bad)
    wrong = [code for code in ignore if code not in BY_ID]
    if wrong:
        raise bad(f"ignore: {', '.join(wrong)} is not a rule (rules: {', '.join(BY_ID)})", "ignore")
    exclude = _strings(raw, "exclude", bad)
    return Settings(strategy, pin_mode, frozenset(ignore),
                    Exclusions(os.path.dirname(os.path.abspath(path)), tuple(exclude)) if exclude else None, source=path)


def _choice(raw: dict, key: str, allowed: tuple[str, ...], bad) -> str | None:
    value = _plain(raw.get(key))
    if value is not None and value not in allowed:
        raise bad(f"{key}: {value!r} is not one of {', '.join(allowed)}", key)
    return value


def _strings(raw: dict, key: str, bad) -> list[str]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(_plain(v), str) for v in value):
        raise bad(f"{key} must be a list of strings", key)
    return [_plain(v) for v in value]


def _plain(value):
    """jsonspan's string (which knows its bytes) as the string it is."""
    from codemod.manifests.jsonspan import Str

    return value.value if isinstance(value, Str) else value


def _kind(value) -> str:
    value = _plain(value)
    return {list: "a list", str: "a string", bool: "true or false"}.get(type(value), type(value).__name__)


def package_files_above(sources: Sources, path: str) -> Iterator[str]:
    """The package.json files at and above `path` (a file or folder), nearest
    first, up to the root of the git checkout it is in."""
    # Not made absolute: a relative path is relative to the sources' own root
    # (batch's RootedSources reads a worktree, not the process's folder), and
    # its walk ends at that root.
    folder = os.path.normpath(path if sources.is_dir(path) else os.path.dirname(path) or ".")
    while True:
        candidate = "package.json" if folder == "." else os.path.join(folder, "package.json")
        if sources.is_file(candidate):
            yield candidate
        parent = os.path.dirname(folder) or "."
        if parent == folder or sources.exists(os.path.join(folder, ".git")):
            return
        folder = parent


def read(sources: Sources, path: str) -> Settings:
    """The settings that apply to `path`: those of the nearest package.json
    at or above it that has the key (a workspace member without one follows
    its root's); none when no package.json up to the checkout's root has it."""
    for found in package_files_above(sources, path):
        try:
            data = sources.read(found)
        except Unreadable:
            continue  # the walk reports the file it cannot read
        settings = parse(data, os.path.relpath(found) if not os.path.isabs(path) else found)
        if settings.source is not None:
            return settings
    return Settings()


def read_for(sources: Sources, paths: tuple[str, ...]) -> Settings:
    """One run's settings: every PATH must agree (a run has one strategy)."""
    found = {path: read(sources, path) for path in paths}
    distinct = {s for s in found.values()}
    if len(distinct) > 1:
        sources_named = sorted({s.source or "(none)" for s in found.values()})
        raise BadSettings(sources_named[0], 1, f'"{KEY}" settings differ between {", ".join(sources_named)}: '
                                               "run napi-fix on each separately")
    return next(iter(distinct), Settings())


# -- suppression ------------------------------------------------------------------


def ignore_comments(data: bytes) -> dict[int, frozenset[str]]:
    """1-based line -> the rules an ignore comment on it names (ALL: every rule)."""
    if b"napi-fix:" not in data:
        return {}
    marks = {}
    for match in _COMMENT.finditer(data):
        codes = frozenset(code.decode() for code in _CODE.findall(match["codes"]))
        marks[line_of(data, match.start())] = codes or frozenset((ALL,))
    return marks


def _marked(marks: dict[int, frozenset[str]], finding: Finding) -> bool:
    """An ignore comment on the finding's line (the class head) or the line above."""
    return any(ALL in codes or finding.rule in codes
               for codes in (marks.get(finding.line, ()), marks.get(finding.line - 1, ())))


def suppress(per_path: dict[str, list[Finding]], units: dict[str, str], ignore: frozenset[str],
             comments: Callable[[str], dict[int, frozenset[str]]]) -> tuple[dict[str, list[Finding]], int]:
    """The findings that remain once `ignore` and the ignore comments
    (`comments(path)`: a C/C++ file's, read only when it has findings) are
    honoured, and how many were suppressed.

    A suppressed finding goes with its edits. A package root's manifests are
    one change, though (a lock and its specs agree or neither is written):
    while a finding that is not suppressed still needs that change, the
    suppressed ones keep their edits, without a rule (no diagnostic)."""
    from codemod.discover import is_cpp

    count = 0
    out: dict[str, list[Finding]] = {}
    dropped_units: set[str] = set()
    for path, found in per_path.items():
        marks = comments(path) if is_cpp(path) and any(f.rule for f in found) else {}
        kept = []
        for finding in found:
            if finding.rule is not None and (finding.rule in ignore or _marked(marks, finding)):
                count += 1
                if units.get(path, path) != path and finding.edits:
                    kept.append(replace(finding, rule=None))  # for now: decided per root below
                    dropped_units.add(units[path])
            else:
                kept.append(finding)
        out[path] = kept
    for unit in dropped_units:
        members = [p for p in out if units.get(p, p) == unit]
        if any(f.rule is not None and f.edits for p in members for f in out[p]):
            continue  # the root's pin stays: a finding still asks for it
        for path in members:  # nothing asks for it: no edit of the root is written
            out[path] = [f for f in out[path] if not (f.edits and f.rule is None)]
    return {path: found for path, found in out.items() if found}, count

