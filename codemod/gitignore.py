"""gitignore-style rules -> a matcher that says which rule speaks for a path.

Why not pathspec: importing it costs 12-22 ms of a run's start (its
backends look for hyperscan and re2), and it compiles one regex per pattern,
which the walk then tries one by one from Python. Here a plain name, a
plain path or `*` and a plain ending is looked up in a dict or compared
with `str.endswith` (most lines of real .gitignore files are such), and the
other patterns of a file become one regex: in reverse order as one
alternation, a group per pattern, so the first alternative that matches is
git's "last pattern that matches". The highest-numbered pattern that
matches, whichever way it was compared, says ignored or re-included.

The translation follows git's own code (dir.c `add_patterns_from_buffer`,
`parse_path_pattern`, `match_basename`, `match_pathname`; wildmatch.c), and
tests/test_gitignore.py holds it against `git check-ignore`. It works on
bytes as git does (a file's lines and a path's name are compared byte for
byte: `?` is one byte, not one character), through latin-1 so that each
byte is one str character.

Where git and pathspec 1.1.1 (what napi-fix used before) differ, this
follows git; each is a row of tests/test_gitignore.py's table (or, for a
walk, a test of tests/test_discover.py), found there or by the hypothesis
test against `git check-ignore`:
- lines git takes as rules that match nothing or as plain rules made
  pathspec raise, and napi-fix stop with "internal error" (exit 2): a lone
  `!`, a lone or trailing backslash, a reversed range `[z-a]` (git: only z);
- `*` then `!*/` (the "ignore all but" idiom): git re-includes every folder
  and walks it; pathspec kept the folders ignored (a pattern that matched
  the name outranked one that matched it as a folder);
- `bin/` then `!/bin/`: git still ignores bin/bin/; pathspec re-included it
  (the anchored negation matched everything below the top bin/);
- `a/*` then `!a/b/`: for a/b/c git's .gitignore says nothing (a shallower
  one may still ignore it); pathspec's said "re-included";
- `x/**` matches what is inside x, never x itself; pathspec matched x too,
  so `x/**` then `!x/keep.cc` lost keep.cc;
- no pattern re-includes a path whose folder is ignored (git never looks
  inside an ignored folder); pathspec matched a folder's rules against what
  is inside it, so a walk started inside vendor/ took vendor/lib/keep.cc by
  `vendor/` then `!vendor/lib/keep.cc`;
- in a pattern with a slash git compares the part before the first
  wildcard literally and matches the rest as a pattern of its own, where a
  leading `**` crosses folders: `a/b**` ignores a/bx/y even when a/bx/ is
  re-included;
- a negated class `[!x]` and a range around "/" never match "/" in git;
- `[[:digit:]]` and the other POSIX classes: git knows them, pathspec not;
- only spaces are trailing whitespace (a trailing tab stays in the pattern);
- git splits lines on "\\n" only (and drops one "\\r" before it); pathspec's
  `splitlines` also split on a lone "\\r", "\\v", "\\f", "\\x1c"-"\\x1e",
  "\\x85", U+2028 and U+2029; a NUL byte ends git's line;
- a UTF-8 byte order mark at the start of a .gitignore is skipped by git;
  pathspec kept it in the first pattern, which then matched nothing;
- `?`, `*` and classes match bytes: `?` does not match "é" (two bytes in
  UTF-8), `??` does.
Not followed: git (since 2.32) refuses a .gitignore that is a symbolic
link; discover reads one through the link, as it did before.
"""

from __future__ import annotations

import re

_BOM = "\xef\xbb\xbf"  # UTF-8's byte order mark, as latin-1 characters
_SPECIAL = re.compile(r"[*?[\\]")  # what ends the literal start of a pattern (git's simple_length)
# wildmatch's [:name:] classes, in the C locale (git matches bytes).
_POSIX = {
    "alnum": str.isalnum, "alpha": str.isalpha, "blank": lambda c: c in " \t", "cntrl": lambda c: ord(c) < 32 or c == "\x7f",
    "digit": str.isdigit, "graph": lambda c: 33 <= ord(c) <= 126, "lower": str.islower,
    "print": lambda c: 32 <= ord(c) <= 126, "punct": lambda c: 33 <= ord(c) <= 126 and not c.isalnum(),
    "space": lambda c: c in " \t\n\v\f\r", "upper": str.isupper, "xdigit": lambda c: c in "0123456789abcdefABCDEF",
}


class Rules:
    """One rule list (a .gitignore's lines, or patterns given one per string)
    compiled once: `verdict(relative path, is_dir)`. Git too compares a
    plain name, a plain path and `*ending` without its pattern matcher;
    here that also spares compiling them, which costs more than the rest
    of reading a .gitignore."""

    __slots__ = ("_ignores", "_names", "_folder_names", "_paths", "_folder_paths", "_endings", "_regex", "_groups")

    def __init__(self, lines):
        self._ignores: list[bool] = []  # by the pattern's index: True ignores, False re-includes (`!`)
        # A name or path -> the index of the last pattern that is exactly it;
        # folder_: the patterns with a trailing "/".
        self._names: dict[str, int] = {}
        self._folder_names: dict[str, int] = {}
        self._paths: dict[str, int] = {}
        self._folder_paths: dict[str, int] = {}
        self._endings: list[tuple[str, int, bool]] = []  # (ending, index, folders only), last pattern first
        alternatives = []
        for line in lines:
            rule = _rule(line)
            if rule is None:
                continue
            ignores, folders_only, kind, value = rule
            index = len(self._ignores)
            self._ignores.append(ignores)
            if kind == _NAME:
                (self._folder_names if folders_only else self._names)[value] = index
            elif kind == _PATH:
                (self._folder_paths if folders_only else self._paths)[value] = index
            elif kind == _ENDING:
                self._endings.insert(0, (value, index, folders_only))
            else:
                alternatives.insert(0, (index, "(" + ("D" if folders_only else "[DF]") + value + ")"))
        # The patterns in reverse order as one alternation: the first that
        # matches is the last pattern that matches; its group (1-based) names it.
        self._groups = (-1,) + tuple(index for index, _ in alternatives)
        self._regex = re.compile("|".join(text for _, text in alternatives), re.DOTALL) if alternatives else None

    @classmethod
    def from_bytes(cls, data: bytes) -> "Rules":
        """A .gitignore file's rules, split into lines as git splits them."""
        text = data.decode("latin-1")
        if text.startswith(_BOM):
            text = text[len(_BOM):]
        return cls(text.split("\n"))

    @classmethod
    def from_patterns(cls, patterns) -> "Rules":
        """Patterns given as strings (settings, workspace globs), each one line."""
        return cls(p.encode("utf-8", "surrogateescape").decode("latin-1") for p in patterns)

    def verdict(self, path: str, is_dir: bool) -> bool | None:
        """For `path` ("/"-separated, relative to the rules' folder): True
        when the last pattern that matches ignores it, False when it
        re-includes it (`!`), None when no pattern matches."""
        if not path.isascii():
            path = path.encode("utf-8", "surrogateescape").decode("latin-1")
        name = path[path.rfind("/") + 1:]
        best = max(self._names.get(name, -1), self._paths.get(path, -1))
        if is_dir:
            best = max(best, self._folder_names.get(name, -1), self._folder_paths.get(path, -1))
        for ending, index, folders_only in self._endings:
            if index < best:
                break
            if name.endswith(ending) and (is_dir or not folders_only):
                best = index
                break
        if self._regex is not None and self._groups[1] > best:
            match = self._regex.fullmatch(("D" if is_dir else "F") + path)
            if match is not None:
                best = max(best, self._groups[match.lastindex])
        return None if best < 0 else self._ignores[best]

    def covers(self, path: str, is_dir: bool) -> bool:
        """Whether git ignores `path` by these rules alone: it, or a folder
        above it (below the rules' folder), is ignored and not re-included."""
        parts = path.split("/")
        folder = ""
        for part in parts[:-1]:
            folder = folder + "/" + part if folder else part
            if self.verdict(folder, True):
                return True
        return bool(self.verdict(path, is_dir))


_NAME, _PATH, _ENDING, _REGEX = "name", "path", "ending", "regex"  # how a pattern is compared


def _rule(line: str) -> tuple[bool, bool, str, str] | None:
    """(ignores, folders only, how it is compared, what with) for one line;
    None for a blank line, a comment, or a pattern that can match nothing.
    A _REGEX is matched against "D" (a folder) or "F" (anything else)
    followed by the path."""
    if not line or line[0] == "#":
        return None
    if line[-1] == "\r":
        line = line[:-1]
    line = _trim(line.split("\0", 1)[0])  # git reads a line as a C string
    negative = line[:1] == "!"
    pattern = line[1:] if negative else line
    folders_only = pattern[-1:] == "/"
    if folders_only:
        pattern = pattern[:-1]
    if not pattern:
        return None
    special = _SPECIAL.search(pattern)
    literal = special.start() if special else len(pattern)  # git's simple_length: the part before the first wildcard
    if "/" not in pattern:  # matched against the last name only
        if literal == len(pattern):
            return not negative, folders_only, _NAME, pattern
        if pattern[0] == "*" and not _SPECIAL.search(pattern, 1):  # `*.log` (git's ENDSWITH)
            return not negative, folders_only, _ENDING, pattern[1:]
        body = _wild(pattern, False)
        return None if body is None else (not negative, folders_only, _REGEX, "(?:.*/)?" + body)
    if pattern[0] == "/":
        pattern, literal = pattern[1:], literal - 1
    if literal == len(pattern):
        return not negative, folders_only, _PATH, pattern
    rest = _wild(pattern[literal:], True)
    return None if rest is None else (not negative, folders_only, _REGEX, re.escape(pattern[:literal]) + rest)


def _trim(line: str) -> str:
    """Trailing spaces go, unless escaped with a backslash (git's trim_trailing_spaces)."""
    if line[-1:] != " ":
        return line  # a line that ends in a lone backslash too: git leaves it
    last_space = None
    i = 0
    while i < len(line):
        c = line[i]
        if c == " ":
            if last_space is None:
                last_space = i
        else:
            if c == "\\":
                i += 1  # the escaped character: the line ends in a space, so there is one
            last_space = None
        i += 1
    return line if last_space is None else line[:last_space]


def _wild(pattern: str, pathname: bool) -> str | None:
    """wildmatch's pattern as a regex; None when git cannot parse it (it
    then matches nothing). `pathname`: WM_PATHNAME, where `*` stays within
    a folder and `**` between slashes crosses them; without it the pattern
    meets a single name, which holds no slash."""
    out = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            if i + 1 == n:
                return None
            out.append(re.escape(pattern[i + 1]))
            i += 2
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "*":
            j = i
            while j < n and pattern[j] == "*":
                j += 1
            if pathname and j - i > 1 and (i == 0 or pattern[i - 1] == "/") \
                    and (j == n or pattern[j] == "/" or pattern[j:j + 2] == "\\/"):
                if j < n and pattern[j] == "/":
                    out.append("(?:.*/)?")  # `**/`: no folder, or any folders
                    j += 1
                else:
                    out.append(".*")
            else:
                out.append("[^/]*")
            i = j
        elif c == "[":
            parsed = _class(pattern, i)
            if parsed is None:
                return None
            cls, i = parsed
            out.append(cls)
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out)


def _class(pattern: str, i: int) -> tuple[str, int] | None:
    """The bracket expression at pattern[i] ("[") as a regex and the index
    after it, read as wildmatch reads it: a "]" right after "[" or "[!" is a
    member, "!" or "^" negates, `a-z` is a range (empty when z < a), `\\`
    escapes, [:name:] names a C-locale class; never a "/"."""
    n = len(pattern)
    i += 1
    negated = i < n and pattern[i] in "!^"
    if negated:
        i += 1
    members: set[str] = set()
    ranges: list[tuple[str, str]] = []
    prev = ""
    first = True
    while True:
        if i >= n:
            return None
        c = pattern[i]
        if c == "]" and not first:
            break
        first = False
        if c == "\\":
            i += 1
            if i >= n:
                return None
            prev = pattern[i]
            members.add(prev)
        elif c == "-" and prev and i + 1 < n and pattern[i + 1] != "]":
            i += 1
            high = pattern[i]
            if high == "\\":
                i += 1
                if i >= n:
                    return None
                high = pattern[i]
            ranges.append((prev, high))
            prev = ""
        elif c == "[" and i + 1 < n and pattern[i + 1] == ":":
            end = pattern.find("]", i + 2)
            if end < 0:
                return None
            inner = pattern[i + 2:end]
            if not inner or inner[-1] != ":":
                members.add("[")  # no ":]": an ordinary "[", and the ":" next
                prev = "["
                i += 1
                continue
            test = _POSIX.get(inner[:-1])
            if test is None:
                return None
            members.update(chr(b) for b in range(128) if test(chr(b)))
            prev = ""
            i = end
        else:
            prev = c
            members.add(c)
        i += 1
    members.discard("/")
    items = "".join(f"\\x{ord(c):02x}" for c in sorted(members))
    for low, high in ranges:
        if low > high:
            continue
        if low <= "/" <= high:  # split around "/": a class never matches it
            if low < "/":
                items += f"\\x{ord(low):02x}-\\x2e"
            if high > "/":
                items += f"\\x30-\\x{ord(high):02x}"
        else:
            items += f"\\x{ord(low):02x}-\\x{ord(high):02x}"
    if negated:
        return "[^/" + items + "]", i + 1
    return ("[" + items + "]" if items else "(?!)"), i + 1
