"""JSON with byte spans, for byte-exact edits of package.json and lockfiles.

`parse` returns the same values `json.loads` would, but every string value
is a `Str` that also knows its byte span (quotes included) in the file, so an
edit can replace exactly one value and leave indentation, key order, line
endings and everything else alone. Invalid JSON raises BadInput with the
file's line and column.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from codemod.edits import Edit
from codemod.textpos import line_indent, line_of, starts_line


class BadInput(ValueError):
    """Input napi-fix refuses to handle: message names file and line."""

    def __init__(self, path: str, line: int, message: str):
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Str:
    value: str
    start: int  # byte offset of the opening quote
    end: int  # byte offset after the closing quote


class Obj(dict):
    """A JSON object; `spans[key]` is the byte span of the key's value."""

    def __init__(self):
        super().__init__()
        self.spans: dict[str, tuple[int, int]] = {}
        self.key_starts: dict[str, int] = {}
        self.start = 0
        self.end = 0


def loads(data: bytes, path: str):
    """Parse JSON bytes (UTF-8, optional BOM) into Obj/list/Str/numbers."""
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        text = data[bom:].decode("utf-8")
        json.loads(text)  # the standard parser is the judge of validity
    except UnicodeDecodeError as exc:
        raise BadInput(path, line_of(data, exc.start), "not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise BadInput(path, exc.lineno, f"invalid JSON: {exc.msg} (column {exc.colno})") from None
    parser = _Parser(data, bom)
    return parser.value()


class _Parser:
    def __init__(self, data: bytes, pos: int):
        self.data = data
        self.pos = pos

    def ws(self) -> None:
        data, pos = self.data, self.pos
        while pos < len(data) and data[pos] in b" \t\r\n":
            pos += 1
        self.pos = pos

    def value(self):
        self.ws()
        ch = self.data[self.pos : self.pos + 1]
        if ch == b"{":
            return self.obj()
        if ch == b"[":
            return self.arr()
        if ch == b'"':
            return self.string()
        return self.scalar()

    def obj(self) -> Obj:
        out = Obj()
        out.start = self.pos
        self.pos += 1
        self.ws()
        if self.data[self.pos : self.pos + 1] == b"}":
            self.pos += 1
            out.end = self.pos
            return out
        while True:
            self.ws()
            key_start = self.pos
            key = self.string().value
            out.key_starts[key] = key_start
            self.ws()
            self.pos += 1  # ':'
            self.ws()
            start = self.pos
            value = self.value()
            out[key] = value
            out.spans[key] = (start, self.pos)
            self.ws()
            ch = self.data[self.pos : self.pos + 1]
            self.pos += 1
            if ch == b"}":
                out.end = self.pos
                return out

    def arr(self) -> list:
        out = []
        self.pos += 1
        self.ws()
        if self.data[self.pos : self.pos + 1] == b"]":
            self.pos += 1
            return out
        while True:
            out.append(self.value())
            self.ws()
            ch = self.data[self.pos : self.pos + 1]
            self.pos += 1
            if ch == b"]":
                return out

    def string(self) -> Str:
        start = self.pos
        pos = start + 1
        data = self.data
        while True:
            ch = data[pos]
            if ch == 0x5C:  # backslash
                pos += 2
            elif ch == 0x22:  # quote
                pos += 1
                break
            else:
                pos += 1
        self.pos = pos
        return Str(json.loads(data[start:pos].decode("utf-8")), start, pos)

    def scalar(self):
        start = self.pos
        pos = start
        while pos < len(self.data) and self.data[pos] not in b",}] \t\r\n":
            pos += 1
        self.pos = pos
        return json.loads(self.data[start:pos].decode("utf-8"))


def quoted(value: str) -> bytes:
    """A JSON string literal for `value` (non-ASCII kept as is)."""
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def insert_member(path: str, data: bytes, obj: Obj, key: str, value, before: str | None = None) -> Edit:
    """An edit that adds `"key": value` to `obj`; see insert_members."""
    return insert_members(path, data, obj, {key: value}, before)


def insert_members(path: str, data: bytes, obj: Obj, members: dict, before: str | None = None) -> Edit:
    """One edit that adds `members` (in order) to `obj`, laid out like its
    siblings (indentation, tabs, line endings); before member `before` when
    given, else last. Values are any JSON-serialisable values."""
    newline = b"\r\n" if b"\r\n" in data else b"\n"
    own = line_indent(data, obj.start)
    if obj.key_starts:
        first = min(obj.key_starts.values())
        member = line_indent(data, first) if starts_line(data, first) else own + b"  "
    else:
        member = own + (b"\t" if own.startswith(b"\t") else b"  ")
    unit = member[len(own) :] or b"  "
    entries = []
    for key, value in members.items():
        text = json.dumps(value, ensure_ascii=False, indent=unit.decode()).encode("utf-8")
        text = text.replace(b"\n", newline + member)  # nested lines follow the member's indent
        entries.append(quoted(key) + b": " + text)
    entry = (b"," + newline + member).join(entries)
    if before is not None and before in obj.key_starts:
        at = obj.key_starts[before]
        return Edit(path, at, at, entry + b"," + newline + member)
    if not obj.key_starts:
        close = obj.end - 1
        return Edit(path, obj.start + 1, close, newline + member + entry + newline + own)
    last_end = max(end for _, end in obj.spans.values())
    return Edit(path, last_end, last_end, b"," + newline + member + entry)
