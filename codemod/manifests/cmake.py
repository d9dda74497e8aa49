"""CMakeLists.txt read the way CMake tokenizes it, in one pass.

Command invocations (`name(args)`), with CMake's comments (`#`, `#[[...]]`),
quoted and bracket arguments and nested parentheses. Every character is
looked at once: an unclosed `include_directories(` runs to the end of the
file as one command instead of being rescanned for each `(` (a 400 KB file
of them took 87 s with a pattern). An unterminated quote or bracket ends the
scan there, as it ends CMake's. Nothing is run; `${VAR}` is replaced only
for the source-folder variables and plain `set(VAR value)` assignments
(expanded when set, as CMake does).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Iterator

# One token per match; none of them can fail after reading far ahead.
_TOKEN = re.compile(r"""
    (?P<newline>\n)
  | (?P<space>[ \t\r]+)
  | (?P<bracket_comment>\#\[(?P<comment_eq>=*)\[)
  | (?P<comment>\#[^\n]*)
  | (?P<bracket>\[(?P<bracket_eq>=*)\[)
  | (?P<quote>")
  | (?P<open>\()
  | (?P<close>\))
  | (?P<word>(?:[^\s()\#"\\]|\\.)+)
  | (?P<other>.)
""", re.X | re.S)
_QUOTED_REST = re.compile(r'(?:[^"\\]|\\.)*"', re.S)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# target_include_directories' and include_directories' keywords: never paths.
KEYWORDS = frozenset(("SYSTEM", "BEFORE", "AFTER", "PUBLIC", "PRIVATE", "INTERFACE"))
SOURCE_DIR_VARIABLES = ("${CMAKE_CURRENT_SOURCE_DIR}", "${CMAKE_SOURCE_DIR}", "${PROJECT_SOURCE_DIR}",
                        "${CMAKE_CURRENT_LIST_DIR}")


@dataclass(frozen=True)
class Argument:
    text: str
    line: int
    quoted: bool


@dataclass(frozen=True)
class Command:
    name: str  # lower case: CMake command names are case-insensitive
    line: int
    args: tuple[Argument, ...]


def commands(text: str) -> Iterator[Command]:
    """Each closed command invocation, in order."""
    name: tuple[str, int] | None = None  # the last word, while it may still name a command
    args: list[Argument] | None = None
    depth = 0
    line, pos, end = 1, 0, len(text)
    while pos < end:
        m = _TOKEN.match(text, pos)
        kind, value, pos = m.lastgroup, m.group(), m.end()
        if kind in ("bracket_comment", "bracket"):
            closing = "]" + (m.group("comment_eq") or m.group("bracket_eq") or "") + "]"
            stop = text.find(closing, pos)
            if stop < 0:
                return  # unterminated: CMake stops here too
            body, pos = text[pos:stop], stop + len(closing)
            if kind == "bracket" and args is not None:
                args.append(Argument(body, line, True))
            line += value.count("\n") + body.count("\n")
            continue
        if kind == "quote":
            rest = _QUOTED_REST.match(text, pos)
            if rest is None:
                return
            body, pos = rest.group()[:-1], rest.end()
            if args is not None:
                args.append(Argument(body, line, True))
            line += body.count("\n")
            continue
        if kind == "newline":
            line += 1
            name = None if args is None else name
        elif kind == "comment" or kind == "space":
            pass
        elif args is None:
            if kind == "open" and name is not None:
                args, depth = [], 1
                continue
            name = (value, line) if kind == "word" and _NAME.match(value) else None
        elif kind == "open":
            depth += 1
            args.append(Argument(value, line, False))
        elif kind == "close":
            depth -= 1
            if depth == 0:
                yield Command(name[0].lower(), name[1], tuple(args))
                name, args = None, None
                continue
            args.append(Argument(value, line, False))
        else:
            args.append(Argument(value, line, False))


def include_paths(text: str, folder: str) -> tuple[tuple[int, str, str, str], ...]:
    """(line, as written, expanded, folder) for each literal include directory of
    include_directories / target_include_directories, `folder` being the
    CMakeLists.txt's own folder. A root's copy loader and its headers planner
    both ask, so the last few answers are kept."""
    key = (text, folder)
    found = _recent.get(key)
    if found is None:
        found = _recent[key] = tuple(_include_paths(text, folder))
        while len(_recent) > _RECENT:
            del _recent[next(iter(_recent))]
    return found


_RECENT = 8
_recent: dict[tuple[str, str], tuple[tuple[int, str, str, str], ...]] = {}


def _include_paths(text: str, folder: str) -> Iterator[tuple[int, str, str, str]]:
    variables: dict[str, str] = {}
    for command in commands(text):
        if command.name == "set" and len(command.args) == 2 and _NAME.match(command.args[0].text):
            # As CMake does: the value is expanded when set() runs, so no chain is ever followed later.
            variables[command.args[0].text] = _expand(command.args[1].text, variables)
            continue
        if command.name not in ("include_directories", "target_include_directories"):
            continue
        args = command.args[1:] if command.name == "target_include_directories" else command.args
        for arg in args:
            if arg.text in KEYWORDS:
                continue
            literal = _expand(arg.text, variables)
            if "${" not in literal and "$<" not in literal:
                yield arg.line, arg.text, literal, os.path.normpath(os.path.join(folder, literal))


_REFERENCE = re.compile(r"\$\{([A-Za-z0-9_]+)\}")
_UNKNOWN = "${?}"  # a value napi-fix cannot know: whatever holds it is no literal path
_LONGEST = 1024  # no include directory is longer; it stops set() values that double at each step


def _expand(text: str, variables: dict[str, str]) -> str:
    """`text` with the source-folder variables as `.` and set() variables
    replaced; what stays unknown keeps its `${...}`."""
    if "${" not in text:
        return text
    for name in SOURCE_DIR_VARIABLES:
        text = text.replace(name, ".")
    text = _REFERENCE.sub(lambda m: variables.get(m.group(1), m.group(0)), text)
    return _UNKNOWN if len(text) > _LONGEST else text
