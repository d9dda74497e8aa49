"""A large lockfile read again after a small edit, from its last parse.

The editor server re-plans a package after every pause in typing; parsing
a 30,000-line package-lock.json with spans (jsonspan.loads) costs about
25 ms, nearly all of it stepping over the entries napi-fix never edits
(jsonspan's lazy entries, stepped over: STEPPED). When the bytes that
changed since the last parse of the same file all lie inside one such
entry, and the entry's new bytes are one JSON object or array that still
does not mention the needle, the new parse is the old one with that one
value decoded again and every offset after it moved by the change in
length. The bytes around the entry are the old ones, which were valid
JSON, so the new file is valid JSON too. Anything else is parsed afresh.

Either way the result is what jsonspan.loads returns for the new bytes
(tests/manifests/test_jsonreparse.py checks that on real lockfiles edited at random).
Results share unchanged parts with earlier ones: parsed JSON is read, never
changed, by every planner.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict
from dataclasses import dataclass

from codemod.difference import changed_span
from codemod.manifests.jsonspan import Obj, Str, loads as parse, step_over

MIN_BYTES = 64 * 1024  # smaller files parse in a few ms: not worth a memo
_MAX_BRACKETS = 256


@dataclass(frozen=True)
class _Parsed:
    data: bytes
    lazy: object
    needle: bytes
    value: object
    # Each plain entry, in file order: where it starts and ends, and its key path.
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    paths: tuple[tuple, ...]


class Parses:
    """The last parse of up to `files` large files, owned by whoever re-plans
    the same files again and again: the editor server's session makes one and
    hands it down to the root planner. A CLI or batch run makes none (each file
    is parsed once there), so no run shares a parse with another. Sent to a
    worker process it arrives empty and remembers nothing: a worker plans each
    package root once, and a parse kept there would only hold memory."""

    def __init__(self, files: int):
        self.files = files
        self._recent: OrderedDict[str, _Parsed] = OrderedDict()

    def __reduce__(self):
        return Parses, (0,)

    def __len__(self) -> int:
        return len(self._recent)

    def loads(self, data: bytes, path: str, lazy=None, needle: bytes = b"node-addon-api",
              min_bytes: int = MIN_BYTES):
        """jsonspan.loads(data, path, lazy, needle), from the last parse of
        `path` when the edit since allows it."""
        if lazy is None or len(data) < min_bytes or not self.files:
            return parse(data, path, lazy, needle)
        last = self._recent.pop(path, None)
        parsed = None
        if last is not None and last.lazy is lazy and last.needle == needle:
            parsed = last if last.data == data else _after_edit(last, data)
        if parsed is None:
            skipped: list[tuple[int, int, tuple]] = []
            value = parse(data, path, lazy, needle, skipped)  # BadInput propagates; the memo forgets the file
            starts, ends, paths = zip(*skipped) if skipped else ((), (), ())
            parsed = _Parsed(data, lazy, needle, value, tuple(starts), tuple(ends), tuple(paths))
        self._recent[path] = parsed
        while len(self._recent) > self.files:
            self._recent.popitem(last=False)
        return parsed.value


def _after_edit(last: _Parsed, data: bytes) -> _Parsed | None:
    """The parse of `data` from `last`'s, or None when the edit is not
    inside one plain entry (or leaves it no single object or array)."""
    old = last.data
    if not data.isascii():  # jsonspan keeps entries plain only in ASCII files (characters are bytes there)
        return None
    prefix, old_end, _ = changed_span(old, data)
    at = bisect_right(last.starts, prefix) - 1
    if at < 0:
        return None
    start, end, where = last.starts[at], last.ends[at], last.paths[at]
    if old_end > end:
        return None  # the edit runs past the entry
    delta = len(data) - len(old)
    piece = data[start:end + delta]
    if piece[:1] not in (b"{", b"[") or piece[-1:] not in (b"}", b"]") or last.needle in piece:
        return None
    if piece.count(b"{") + piece.count(b"[") > _MAX_BRACKETS:
        return None  # nested near the recursion limit, where the whole file and the entry alone may differ
    if not _is_live(last.value, where, (start, end)):
        return None  # an earlier duplicate key's value: the parse does not hold it
    try:
        value = step_over(piece.decode("ascii"))  # exactly one value: it begins and ends with its brackets
    except (ValueError, RecursionError):
        return None
    root = _replaced(last.value, where, value, end, delta)
    # Entries after this one move; this one keeps its start and moves its end.
    starts = last.starts[:at + 1] + tuple([s + delta for s in last.starts[at + 1:]])
    ends = last.ends[:at] + tuple([e + delta for e in last.ends[at:]])
    return _Parsed(data, last.lazy, last.needle, root, starts, ends, last.paths)


def _is_live(root, where: tuple, span: tuple[int, int]) -> bool:
    node = root
    for key in where[:-1]:
        node = node[key]
    return type(node) is Obj and node.spans.get(where[-1]) == span


def _replaced(node, where: tuple, value, at: int, delta: int):
    """`node` with the value at key path `where` replaced by `value` and
    every offset from `at` on moved by `delta`."""
    if not where:
        return value
    key, rest = where[0], where[1:]
    if type(node) is Obj:
        out = _moved_obj(node, at, delta, skip=key)
        out[key] = _replaced(node[key], rest, value, at, delta)
        return out
    return [_replaced(item, rest, value, at, delta) if i == key else _moved(item, at, delta)
            for i, item in enumerate(node)]


def _moved(node, at: int, delta: int):
    """`node` with every offset from `at` on moved by `delta` (itself when none is)."""
    kind = type(node)
    if kind is Str:
        return Str(node.value, node.start + delta, node.end + delta) if node.start >= at else node
    if kind is Obj:
        return _moved_obj(node, at, delta) if node.end > at else node
    if kind is list:
        items = [_moved(item, at, delta) for item in node]
        return node if all(a is b for a, b in zip(items, node)) else items
    return node  # a number, a literal, or a stepped-over entry: no offsets inside


def _moved_obj(node: Obj, at: int, delta: int, skip=None) -> Obj:
    out = Obj()
    out.start = node.start + delta if node.start >= at else node.start
    out.end = node.end + delta if node.end >= at else node.end
    out.update(node)  # plain and stepped-over values hold no offsets: copied as they are, at C speed
    for key, item in node.items():
        if type(item) in _HOLDING and key != skip:
            out[key] = _moved(item, at, delta)
    # Members before `at` keep their offsets; the one holding it moves its end.
    out.spans = {k: (s + delta, e + delta) if s >= at else (s, e + delta) if e >= at else (s, e)
                 for k, (s, e) in node.spans.items()}
    out.key_starts = {k: s + delta if s >= at else s for k, s in node.key_starts.items()}
    return out


_HOLDING = (Obj, Str, list)  # the values with offsets in them
