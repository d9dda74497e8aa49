"""JSON with byte spans, for byte-exact edits of package.json and lockfiles.

`parse` returns the same values `json.loads` would, but every string value
is a `Str` that also knows its byte span (quotes included) in the file, so an
edit can replace exactly one value and leave indentation, key order, line
endings and everything else alone. Invalid JSON raises BadInput with the
file's line and column.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from codemod.edits import Edit
from codemod.textpos import bom_length, line_indent, line_of, starts_line


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


def loads(data: bytes, path: str, lazy=None, needle: bytes = b"node-addon-api", skipped: list | None = None):
    """Parse JSON bytes (UTF-8, optional BOM) into Obj/list/Str/numbers.

    `lazy(key_path)`, when given, names the containers that are stepped over
    unless their bytes mention `needle` (their value is STEPPED, their span
    kept): a 500 KB package-lock.json has a few entries napi-fix edits among
    thousands it only steps over, which json's C decoder reads for it.
    `skipped`, when given, receives (start, end, key path) of each container
    stepped over."""
    bom = bom_length(data)
    try:
        text = data[bom:].decode("utf-8")
        # The standard parser is the judge of validity; each object it reads
        # is dropped at once (the hook), so judging a 30 MB lock does not
        # hold a second copy of it in memory beside the one _parse builds.
        json.loads(text, object_pairs_hook=_drop)
    except UnicodeDecodeError as exc:
        raise BadInput(path, line_of(data, exc.start), "not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise BadInput(path, line_of(data, bom + len(text[:exc.pos].encode())), f"invalid JSON: {exc.msg} (column {exc.colno})") from None
    except RecursionError:
        raise BadInput(path, 1, "invalid JSON: nested too deeply") from None
    if lazy is not None and data.isascii():  # character indices are byte offsets
        return _parse(data, bom, lazy, needle, text, skipped)
    return _parse(data, bom)


# One token per match. The input is already valid JSON, so commas and colons
# carry nothing the structure does not tell: they are skipped with the white
# space. Groups: 1 a string (escapes kept whole), 2 `{`, 3 `[`, 4 `}` or `]`,
# 5 a bare scalar (number, true, false, null).
_TOKEN = re.compile(rb'[ \t\r\n,:]*(?:("(?:[^"\\]|\\.)*")|(\{)|(\[)|([}\]])|([^ \t\r\n{}\[\],:"]+))', re.S)


class _Stepped:
    """The value of a lazy container napi-fix stepped over: not kept, so a
    100,000-entry lock does not hold 100,000 dicts it never reads."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "STEPPED"


STEPPED = _Stepped()


def _drop(pairs) -> None:
    return None


# Reads a JSON value to its end, keeping none of it (every object it meets is
# dropped as soon as it is read).
_STEP = json.JSONDecoder(object_pairs_hook=_drop)


def step_over(text: str) -> _Stepped:
    """STEPPED for one JSON value (ValueError when `text` is not exactly one)."""
    _STEP.decode(text)
    return STEPPED



def _parse(data: bytes, start: int, lazy=None, needle: bytes = b"", text: str = "", skipped: list | None = None):
    """Build the value of already-validated JSON without recursion: a stack of
    open containers; an object also holds the key waiting for its value."""
    stack: list[list] = []  # [container, pending key or None, key start, opening offset, key path]
    root = None
    pos = start
    while True:
        m = _TOKEN.match(data, pos)
        kind = m.lastindex if m is not None else None
        if kind is None:
            break  # trailing white space
        pos = m.end()
        if kind == 1:
            begin, finish = m.span(1)
            top = stack[-1] if stack else None
            if top is not None and top[1] is None and type(top[0]) is Obj:
                top[1], top[2] = _string(data, begin, finish), begin  # a key: its value follows
                continue
            value = Str(_string(data, begin, finish), begin, finish)
        elif kind == 2 or kind == 3:
            opened = pos - 1
            where = _key_path(stack)
            if lazy is not None and stack and lazy(where):
                _, finish = _STEP.raw_decode(text, opened)
                value = STEPPED
                if data.find(needle, opened, finish) == -1:
                    begin, pos = opened, finish
                    if skipped is not None:
                        skipped.append((begin, finish, where))
                    _attach(stack, value, begin, finish)
                    continue
            container = Obj() if kind == 2 else []
            if kind == 2:
                container.start = opened
            stack.append([container, None, 0, opened, where])
            continue
        elif kind == 4:
            value, _, _, begin, _ = stack.pop()
            finish = pos
            if type(value) is Obj:
                value.end = finish
        else:
            begin, finish = m.span(5)
            value = json.loads(data[begin:finish])
        if not stack:
            root = value
            continue
        _attach(stack, value, begin, finish)
    return root


def _key_path(stack: list[list]) -> tuple:
    """The path of the value about to open: its container's path, then its key or index."""
    if not stack:
        return ()
    container, key = stack[-1][0], stack[-1][1]
    return stack[-1][4] + ((key,) if type(container) is Obj else (len(container),))


def _attach(stack: list[list], value, begin: int, finish: int) -> None:
    top = stack[-1]
    container = top[0]
    if type(container) is Obj:
        key = top[1]
        container[key] = value
        container.spans[key] = (begin, finish)
        container.key_starts[key] = top[2]
        top[1] = None
    else:
        container.append(value)


def _string(data: bytes, begin: int, finish: int) -> str:
    if data.find(b"\\", begin, finish) == -1:
        return data[begin + 1:finish - 1].decode("utf-8")
    return json.loads(data[begin:finish])


def json_kind(value) -> str:
    """What a parsed JSON value is, in words (for "holds an array, not an object")."""
    if isinstance(value, list):
        return "an array"
    if isinstance(value, Str):
        return "a string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return "a number"


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
