"""binding.gyp as GYP merges it, read without running anything.

A .gyp or .gypi file is a Python literal, parsed with tree-sitter-python
(queries/gyp.scm) and never evaluated: its `<!(...)` strings are shell
commands and stay text. What GYP would merge into a target's include_dirs
is read from every place GYP takes it (its InputFormatReference):
- the list under `include_dirs` and its merge suffixes `+` (prepend), `=`
  (replace) and `?` (set when absent), in a target, in `target_defaults`
  and in either branch of every `conditions` entry (which branch a build
  takes is not known here: both count);
- `includes: ['x.gypi']`, relative to the including file, followed
  transitively (each file once), whose own relative paths are relative to
  the .gypi (GYP relativizes them when it merges);
- `variables` (and `%` defaults) wherever defined, in the file or a .gypi:
  `<(name)` and `>(name)` are replaced by every value a definition gives.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Callable

from tree_sitter import Node

from codemod import queries
from codemod.manifests.jsonspan import BadInput
from codemod.textpos import line_of

MAX_FILES = 64  # .gypi files followed from one binding.gyp
MAX_VALUES = 8  # values one string may take through its variables
_REFERENCE = re.compile(r"[<>]@?\((?!!)([A-Za-z_][A-Za-z0-9_]*)\)")
# String values GYP never relativizes when it merges a .gypi: absolute,
# build-system variables, linker flags, GYP expansions.
_NOT_RELATIVE = ("/", "$", "-", "<", ">", "!")


@dataclass(frozen=True)
class Item:
    """One string of an include_dirs or dependencies list, as GYP would see it."""

    file: str  # where it is written: the binding.gyp or a .gypi
    setting: str  # "include_dirs" or "dependencies" (merge suffix dropped)
    target: str
    node: Node
    value: str  # as written (quotes and escapes undone)
    folder: str  # what a relative path in it is relative to
    line: int  # of the string in `file` (textpos's, not tree-sitter's \n-only row)


@dataclass(frozen=True)
class Expansion:
    value: str
    folder: str  # what it is relative to
    through: str = ""  # the variables it came through, for the report


def read_gyp(path: str, data: bytes, read: Callable[[str], bytes | None] | None = None
             ) -> tuple[list[Item], dict[str, list[tuple[str, str]]]]:
    """Every include_dirs and dependencies string of `path` and the .gypi
    files it includes (`read(path)` gives their bytes, None when it cannot),
    and its variables: name -> [(value, folder)], every string value any
    `variables` section gives `name` (a `%` default too), the folder being the
    .gypi's when GYP would relativize the value there (a `_dir`, `_path`,
    `_file` name), else "" (relative to the binding.gyp). Raises BadInput
    when `path` itself is no Python literal."""
    key = (path, data, read is None)
    known = _recent.get(key)
    if known is not None and all(read(file) == text for file, text in known[1]):
        return known[0]
    included: list[tuple[str, bytes | None]] = []

    def recorded(file: str) -> bytes | None:
        text = read(file)
        included.append((file, text))
        return text

    try:
        found = _read(path, data, recorded if read is not None else None)
    except RecursionError:
        raise BadInput(path, 1, "invalid GYP: nested too deeply") from None
    _recent.pop(key, None)
    _recent[key] = (found, tuple(included))
    while len(_recent) > _RECENT:
        del _recent[next(iter(_recent))]
    return found


# The last few files read, and the .gypi bytes each read took: a root's
# planners ask for the same binding.gyp up to three times (the loader for
# header copies, the headers planner, a repoint), each a tree-sitter parse
# and a walk. The same bytes, whose includes read the same, give the same
# answer; callers read it, never change it.
_RECENT = 8
_recent: dict[tuple[str, bytes, bool], tuple[tuple[list[Item], dict[str, list[tuple[str, str]]]],
                                             tuple[tuple[str, bytes | None], ...]]] = {}


def expansions(item: Item, variables: dict[str, list[tuple[str, str]]], gyp_folder: str) -> list[Expansion]:
    """The values `item` may take once its `<(name)` references are replaced
    (each with every value its definitions give, at most MAX_VALUES);
    one left as written when a name has no definition."""
    found = [Expansion(item.value, item.folder)]
    for _ in range(4):  # variables defined through variables, a few levels deep
        grown = []
        for expansion in found:
            m = _REFERENCE.search(expansion.value)
            values = variables.get(m.group(1)) if m else None
            if not values:
                grown.append(expansion)
                continue
            for value, base in values:
                text = expansion.value[:m.start()] + value + expansion.value[m.end():]
                # A leading variable whose value a .gypi relativized is relative to that .gypi.
                folder = base if m.start() == 0 and base else gyp_folder if m.start() == 0 else expansion.folder
                grown.append(Expansion(text, folder, expansion.through or m.group(0)))
        found = list(dict.fromkeys(grown))[:MAX_VALUES]
        if found == grown and not any(_REFERENCE.search(e.value) for e in found):
            break
    return found


def included(path: str, data: bytes) -> list[str]:
    """The files `path`'s `includes` lists name, relative to its folder."""
    try:
        matches = _matches(path, data)
    except BadInput:
        return []
    folder = os.path.dirname(path)
    return [os.path.normpath(os.path.join(folder, unquote(item)))
            for m in matches["gyp"] if _setting(m) == "includes"
            for item in m["list"][0].named_children if item.type == "string"]


def _read(path: str, data: bytes, read) -> tuple[list[Item], dict[str, list[tuple[str, str]]]]:
    found: list[Item] = []
    variables: dict[str, list[tuple[str, str]]] = {}
    queue: list[tuple[str, bytes, str | None]] = [(path, data, None)]
    seen = {path}
    while queue:
        file, text, context = queue.pop(0)
        try:
            matches = _matches(file, text)
        except BadInput:
            if file == path:
                raise
            continue  # a .gypi that is not a literal: GYP would fail; the binding.gyp's own entries still count
        folder = os.path.dirname(file)
        for m in matches["gyp"]:
            setting = _setting(m)
            target = target_name(m["setting"][0])
            if context is not None and target == ALL_TARGETS:
                target = context
            for item in m["list"][0].named_children:
                if item.type != "string":
                    continue
                value = unquote(item)
                if setting == "includes":
                    child = os.path.normpath(os.path.join(folder, value))
                    if child not in seen and len(seen) < MAX_FILES and read is not None:
                        seen.add(child)
                        child_data = read(child)
                        if child_data is not None:
                            queue.append((child, child_data, target))
                    continue
                # GYP relativizes a .gypi's paths, never a `<(...)`: that one is the binding.gyp's.
                base = os.path.dirname(path) if value.startswith(_NOT_RELATIVE) else folder
                found.append(Item(file, setting, target, item, value, base, line_of(text, item.start_byte)))
        for m in matches["gyp_variables"]:
            name = unquote(m["name"][0]).rstrip("%")
            if not _in_variables(m["variable"][0]):
                continue
            value = unquote(m["value"][0])
            base = folder if file != path and _is_path_name(name) and not value.startswith(_NOT_RELATIVE) else ""
            known = variables.setdefault(name, [])
            if (value, base) not in known and len(known) < MAX_VALUES:
                known.append((value, base))
    return found, variables


def _matches(path: str, data: bytes) -> queries.Matches:
    """The query's matches in one file: `included` and both kinds of read
    (with and without .gypi files) walk the same binding.gyp."""
    known = _parsed.get(data)
    if known is None:
        known = queries.match_all(_parse(path, data), "python")
        _parsed[data] = known
        while len(_parsed) > _RECENT:
            del _parsed[next(iter(_parsed))]
    return known


_parsed: dict[bytes, queries.Matches] = {}  # a file's bytes -> its matches, for the last few files


def _parse(path: str, data: bytes) -> Node:
    root = queries.python_parser().parse(data).root_node
    if root.has_error:
        raise BadInput(path, _first_error_line(root, data), "invalid GYP (a Python literal expected)")
    return root


def _setting(match) -> str:
    """The list's setting without GYP's merge suffix: `include_dirs+` is
    include_dirs to the compiler (prepended), as `=` and `?` are."""
    return unquote(match["key"][0]).rstrip("+=?")


def _in_variables(pair: Node) -> bool:
    """Is this `name: value` pair a definition in a `variables` section (or
    in a condition branch inside one)?"""
    parent = pair.parent
    while parent is not None:
        if parent.type == "pair":
            key = parent.child_by_field_name("key")
            name = unquote(key) if key is not None and key.type == "string" else ""
            if name == "variables":
                return True
            if name != "conditions":
                return False
        parent = parent.parent
    return False


def _is_path_name(name: str) -> bool:
    """GYP's IsPathSection for a variable's name: values under such names are
    relativized when a .gypi is merged."""
    name = name.rstrip("=+?!")
    if name in ("include_dirs", "sources", "inputs", "outputs", "destination", "files", "libraries"):
        return True
    tail = name[:-1] if name.endswith("s") else name
    return tail.endswith(("_dir", "_file", "_path"))


ALL_TARGETS = "(all targets)"


def target_name(node: Node) -> str:
    parent = node.parent
    while parent is not None:
        if parent.type == "dictionary":
            for pair in parent.named_children:
                key = pair.child_by_field_name("key")
                value = pair.child_by_field_name("value")
                if pair.type == "pair" and key is not None and unquote(key) == "target_name" and value is not None:
                    return unquote(value)
        if parent.type == "pair":
            key = parent.child_by_field_name("key")
            if key is not None and unquote(key) == "target_defaults":
                return "target_defaults"
        parent = parent.parent
    return ALL_TARGETS


# Python's escapes, undone by hand (nothing is evaluated).
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v", "\\": "\\", "'": "'",
            '"': '"', "\n": ""}
_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|.)", re.S)


def unquote(node: Node) -> str:
    """The value of a Python string literal (or adjacent literals, joined)."""
    if node.type == "concatenated_string":
        return "".join(unquote(part) for part in node.named_children if part.type == "string")
    text = node.text.decode("utf-8", "replace")
    prefix = re.match(r"^[rRuUbBfF]*", text).group(0)
    body = text[len(prefix):]
    quote = body[:3] if body[:3] in ('"""', "'''") else body[:1]
    body = body[len(quote):len(body) - len(quote)]
    if "r" in prefix.lower():
        return body
    return _ESCAPE.sub(_unescape, body)


def _unescape(m: re.Match) -> str:
    code = m.group(1)
    try:
        if code[0] in "xuU" and len(code) > 1:
            return chr(int(code[1:], 16))
        if code[0] in "01234567":
            return chr(int(code, 8))
    except ValueError:  # past U+10FFFF: left as written
        return m.group(0)
    return _ESCAPES.get(code, "\\" + code)


def _first_error_line(root: Node, data: bytes) -> int:
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            return line_of(data, node.start_byte)
        stack.extend(reversed(node.children))
    return 1
