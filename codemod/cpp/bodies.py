"""Function bodies a parse can leave out.

Most bytes of a C++ file are function bodies, and nothing the finder looks
for lives inside a plain one: classes, aliases, usings, includes and macros
sit at namespace or class scope. Parsing a candidate file with such bodies
excluded (tree-sitter's included ranges keep every byte offset) costs a
fifth of a full parse.

A body's inside is left out only when that is plainly safe:
- its `{` follows a `)`, perhaps with qualifiers (`const`, `noexcept`, ...);
- the inside says none of `class`, `struct`, `union`, `enum`, `namespace`,
  `template`, `using`, `typedef`, `extern`, `ObjectWrap`, nor holds a `#`
  (local classes, local aliases, directives and anything a report could
  quote stay in the parse);
- the braces of the whole file pair up once comments, string and character
  literals and directives are set aside, and in an `#if` with `#else` or
  `#elif` branches every branch leaves the brace depth as it found it.
Otherwise (and for raw string literals, which this scanner does not read)
the file is parsed whole. parse.py checks the result as well: on any parse
error, or a left-out inside whose braces did not become a block of
statements, the file is parsed again whole.
"""

from __future__ import annotations

import re

from codemod.textpos import WORD_BYTES, whole_words

# One token per match: the gap before it (no character that can start a
# token), then a brace, a comment, a literal, a directive (with its
# continuation lines) or a stray `/`; the last match may be a gap alone.
# Skipping the gap with a negated class first lets the regex engine run at
# memchr speed between tokens. Every character the gap stops at starts some
# token, and the token is optional: nothing ever backtracks into a gap.
_TOKEN = re.compile(
    rb"""[^{}/"'\#]*
    (?:(?P<open>\{)
      |(?P<close>\})
      |//(?:\\\r?\n|[^\n])*
      |/\*(?:[^*]|\*(?!/))*\*/
      |(?P<unclosed>/\*)
      |/
      |(?P<string>"(?:\\(?:\r\n|[^\r])|[^"\\\n])*")
      |(?<=[0-9A-Fa-f])'(?=[0-9A-Fa-f])
      |'(?:\\.|[^'\\\n])+'
      |(?P<lone>["'])
      |\#[ \t]*(?P<directive>\w*)(?:\\\r?\n|/\*(?:[^*]|\*(?!/))*\*/|[^\n])*
    )?""",
    re.X,
)
_CONDITIONAL_OPEN = frozenset((b"if", b"ifdef", b"ifndef"))
_CONDITIONAL_NEXT = frozenset((b"elif", b"elifdef", b"elifndef", b"else"))
_QUALIFIERS = (b"const", b"noexcept", b"override", b"final", b"mutable", b"volatile")
_KEEP_WORDS = (b"class", b"struct", b"union", b"enum", b"namespace", b"template", b"using", b"typedef", b"extern",
               b"ObjectWrap")

MIN_SKIP = 64  # insides shorter than this are not worth a range of their own


def skippable_bodies(data: bytes) -> list[tuple[int, int]] | None:
    """Byte ranges (the insides of function bodies, braces excluded) that a
    parse may leave out, in order; None when the file must be parsed whole."""
    pairs = _brace_pairs(data)
    if pairs is None:
        return None
    out: list[tuple[int, int]] = []
    covered = -1
    for open_at, close_at in sorted(pairs):
        if open_at < covered or close_at - open_at - 1 < MIN_SKIP:
            continue
        if _follows_function_head(data, open_at) and not _says_keep(data, open_at + 1, close_at):
            out.append((open_at + 1, close_at))
            covered = close_at
    return out


def _brace_pairs(data: bytes) -> list[tuple[int, int]] | None:
    open_braces: list[int] = []
    # Per open #if: [brace depth at the #if, seen an #else/#elif]. A lone
    # branch may open or close a brace (`#ifdef NS namespace NS {` #endif);
    # in a group with alternatives every branch must leave the depth alone,
    # or counting all of them would pair the wrong braces.
    conditionals: list[list] = []
    pairs: list[tuple[int, int]] = []
    for m in _TOKEN.finditer(data):
        kind = m.lastgroup
        if kind is None:  # a comment, a character literal, a digit separator, a `/`
            continue
        if kind == "open":
            open_braces.append(m.end() - 1)
        elif kind == "close":
            if not open_braces:
                return None
            pairs.append((open_braces.pop(), m.end() - 1))
        elif kind == "directive":
            name = m.group("directive")
            if name in _CONDITIONAL_OPEN:
                conditionals.append([len(open_braces), False])
            elif name in _CONDITIONAL_NEXT or name == b"endif":
                if not conditionals:
                    return None
                depth, alternatives = conditionals[-1]
                if (name != b"endif" or alternatives) and depth != len(open_braces):
                    return None
                if name == b"endif":
                    conditionals.pop()
                else:
                    conditionals[-1][1] = True
        elif kind == "string":
            if data[m.start("string") - 1 : m.start("string")] == b"R":
                return None  # a raw string literal: its quotes follow other rules
        else:  # "lone", "unclosed": a literal or comment that does not close
            return None
    if open_braces or conditionals:
        return None
    return pairs


def _follows_function_head(data: bytes, open_at: int) -> bool:
    """The `{` follows `)` and any qualifiers: a function's, a lambda's or a
    statement's block. (`class X final {` ends in a qualifier but no `)`.)"""
    head = data[max(0, open_at - 64) : open_at].rstrip()
    stripped = True
    while stripped:
        stripped = False
        for word in _QUALIFIERS:
            if head.endswith(word) and (len(head) == len(word) or head[-len(word) - 1] not in WORD_BYTES):
                head = head[: -len(word)].rstrip()
                stripped = True
    return head.endswith(b")")


def _says_keep(data: bytes, start: int, end: int) -> bool:
    if data.find(b"#", start, end) != -1:
        return True
    return any(next(whole_words(data, word, start, end), None) is not None for word in _KEEP_WORDS)
