"""The common command line read without typer.

Importing typer and click and building the command costs about a third of
a small dry run's start-up (`napi-fix --dry-run examples/leaky-addon`), and
editors, pre-commit hooks and batch runs pay it on every call. Almost every
call is PATHs and a few options with valid words, whose meaning leaves
nothing to decide: those are read here. Anything else (a subcommand,
--help, --version among other words, a value outside its list, an unknown option, `--`, a
PATH that starts with `-` or is empty, an option given twice, shell
completion) returns None and goes through typer, so every message, help
text and usage error is typer's own. tests/test_cli_quick.py runs each
accepted command line both ways and compares the bytes and the status.
"""

from __future__ import annotations

import os

from codemod.cli_options import COLORS, COMPLETION, FIX_FORMATS, SUBCOMMANDS
from codemod.options import PIN_MODES, STRATEGIES

FLAGS = ("--dry-run", "--patch-vendored", "--force", "--package-roots")
VALUES = {"--strategy": STRATEGIES, "--pin": PIN_MODES, "--format": FIX_FORMATS, "--color": COLORS,
          "--jobs": None}  # None: a count (ASCII digits)


def quick_args(argv: list[str]) -> dict | None:
    """The fix command's parameters (the names of cli.py's typer callback)
    when `argv` is a plain command line; None when typer must read it."""
    if os.environ.get(COMPLETION) or argv[:1] and argv[0] in SUBCOMMANDS:
        return None
    given: dict = {"paths": []}
    words = iter(argv)
    for word in words:
        if not word.startswith("-"):
            if not word:
                return None
            given["paths"].append(word)
            continue
        name, equals, value = word.partition("=")
        if name in FLAGS and not equals:
            key = name[2:].replace("-", "_")
        elif name in VALUES:
            if not equals:
                value = next(words, None)
            allowed = VALUES[name]
            if value is None or not (value in allowed if allowed else value.isascii() and value.isdigit()):
                return None
            key = "output" if name == "--format" else name[2:]
        else:
            return None
        if key in given:
            return None
        given[key] = int(value) if name == "--jobs" else value if name in VALUES else True
    return given
