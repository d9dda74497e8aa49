"""yarn.lock: classic (v1) entries are rewritten offline; berry is detected.

A classic entry is a header of patterns (`node-addon-api@^8.2.0, ...:`) and
indented fields (`version`, `resolved "<url>#<sha1>"`, `integrity`). When the
package.json spec changes, its pattern in the header changes with it (or
`yarn install --frozen-lockfile` would find the spec missing); when the
entry resolves 8.2.0/8.2.1 it moves to the smallest safe release all its
patterns admit. Berry (`__metadata:`) records a checksum of yarn's own zip
of the package, which cannot be computed offline: napi-fix says so and
gives the exact `yarn up` command instead of guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from codemod.edits import Edit
from codemod.manifests import spec as specs
from codemod.manifests.jsonspan import BadInput
from codemod.results import MANUAL, PIN, Finding
from codemod.rules import NEEDS_PERSON, RESOLVES_BAD
from codemod.textpos import line_of

_HEADER = re.compile(rb"^(?P<header>[^\s#][^\n]*):[ \t]*\r?$", re.M)
_FIELD = re.compile(rb'^(?P<indent>[ \t]+)(?P<key>version|resolved|integrity)[ \t]+(?P<value>"[^"\n]*"|[^\s]+)', re.M)


def is_berry(data: bytes) -> bool:
    return b"\n__metadata:" in data or data.startswith(b"__metadata:")


@dataclass(frozen=True)
class YarnChange:
    line: int
    reason: str
    edits: tuple[Edit, ...]
    span: tuple[int, int] | None = None  # the entry's version value


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


def plan_yarn_lock(path: str, data: bytes, renamed: dict[str, str], mode: str) -> list[YarnChange]:
    """renamed: old spec -> new spec, for the package.json specs the pin changed."""
    check_classic(path, data)
    prefix = specs.PACKAGE + "@"
    heads = list(_HEADER.finditer(data))
    changes: list[YarnChange] = []
    for index, head in enumerate(heads):
        patterns = _patterns(path, data, head)
        if not all(p.startswith(prefix) for p in patterns):
            continue
        block_end = heads[index + 1].start() if index + 1 < len(heads) else len(data)
        fields = {m.group("key").decode(): m for m in _FIELD.finditer(data, head.end(), block_end)}
        new_patterns = sorted(prefix + renamed.get(p[len(prefix):], p[len(prefix):]) for p in patterns)
        edits: list[Edit] = []
        if new_patterns != sorted(patterns):
            text = ", ".join(_wrap(p) for p in new_patterns)
            edits.append(Edit(path, head.start("header"), head.end("header"), text.encode()))
        reason = f"entry {', '.join(patterns)}"
        version = fields.get("version")
        old = version.group("value").decode().strip('"') if version else ""
        span = version.span("value") if version else None
        if version and specs.is_bad(old):
            ranges = [p[len(prefix):] for p in new_patterns]
            new = specs.choose_version(ranges, mode)
            if new is None:
                changes.append(YarnChange(line_of(data, head.start()), f"{reason} resolves {old}; no safe release "
                                          f"satisfies {ranges}: add a `resolutions` entry forcing 8.2.2", (), span))
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
            reason += f" resolves {old}; move to {new}"
        elif edits:
            reason += " follows the package.json pin"
            span = None
        if edits:
            changes.append(YarnChange(line_of(data, head.start()), reason, tuple(edits), span))
    return changes


def berry_command(new_spec: str | None) -> str:
    return f"yarn up node-addon-api@{new_spec or '^8.2.2'}"


def plan_lock_file(path: str, data: bytes, renamed: dict[str, str], mode: str) -> list[Finding] | Finding:
    """Findings for one yarn.lock; for a berry lock that needs a change napi-fix
    cannot make offline, the one finding that says what to run instead."""
    if is_berry(data):
        if renamed or b"node-addon-api@npm:8.2.0" in data or b"node-addon-api@npm:8.2.1" in data:
            new = next(iter(renamed.values()), None)
            return Finding(path, 1, 1, MANUAL, "yarn.lock", "", (
                "yarn berry lockfile: its checksums are of yarn's own zip archives and cannot be computed "
                f"offline; nothing planned for this package. Run `{berry_command(new)}` in this lockfile's folder"),
                rule=NEEDS_PERSON.id)
        return []
    return [Finding(path, c.line, 1, PIN if c.edits else MANUAL, "yarn.lock", "", c.reason, c.edits,
                    rule=(RESOLVES_BAD.id if c.span else None) if c.edits else NEEDS_PERSON.id, span=c.span)
            for c in plan_yarn_lock(path, data, renamed, mode)]
