"""The words the command lines share: option help, output formats and the
one-line summary of each subcommand.

`napi-fix` (typer, cli.py), `napi-fix batch` (typer, batch/cli.py) and
`napi-fix probe` (argparse, probe/cli.py) take the same --strategy, --pin and
--format words; held here once, a front-end imports them without importing
another front-end (batch/cli.py used to import cli.py, which imports it).
Plain strings and tuples: importing this costs nothing at start-up.
"""

from __future__ import annotations

STRATEGY_HELP = (
    "pin: pin node-addon-api away from 8.2.0/8.2.1 (the fix). "
    "finalize: insert empty `void Finalize(Napi::Env /*env*/) override {}` overrides; this is hygiene "
    "only and does NOT stop the 8.2.0/8.2.1 leak, the version pin does. both: do both."
)
PIN_HELP = "upgrade: take 8.2.0/8.2.1 out of the spec and nothing else (the lock moves to 8.2.2 or later). rollback: exactly 8.1.0."
PATCH_VENDORED_HELP = "Apply upstream's 8.2.2 fix to leaky vendored header copies."
SETTINGS_HELP = ' (default: the "napi-fix" key of the nearest package.json, else %s; see docs/settings.md)'
JOBS_HELP = "Worker processes; 0 (the default) means one per core."

FIX_FORMATS = ("text", "json", "sarif", "github")  # napi-fix PATH...: a diff, a log or annotations
TABLE_FORMATS = ("text", "json", "markdown")  # batch and probe: a table of repositories or addons
COLORS = ("auto", "always", "never")

# The first argument that names a subcommand; anything else is a PATH of the fix command.
COMMANDS = (
    ("batch", "napi-fix batch [REPO]...", "fix many git repositories: patches, commits, pull requests"),
    ("lsp", "napi-fix lsp [--stdio]", "the language server: diagnostics and quick fixes in an editor"),
    ("probe", "napi-fix probe -- COMMAND", "run COMMAND and count each addon's wraps: does it leak?"),
)
USAGE = {name: (usage, what) for name, usage, what in COMMANDS}
BATCH_VERBS = (
    ("merge", "napi-fix batch merge LEDGER...", "the combined summary of shard ledgers"),
    ("status", "napi-fix batch status LEDGER...", "where the pull requests in the ledgers stand (gh)"),
)


def commands_table(title: str, rows: tuple[tuple[str, str, str], ...], folder_hint: str) -> list[str]:
    """`title`, then one line per subcommand, then how to name a folder
    that is spelled like one (`./lsp`, or after `--`)."""
    width = max(len(usage) for _, usage, _ in rows) + 2
    return [title, *(f"  {usage.ljust(width)}{what}" for _, usage, what in rows), folder_hint]


def wants_json(argv: list[str]) -> bool:
    """Whether `--format json` was asked for before any `--` (after it come
    PATHs, or probe's command): then even a usage error answers in JSON."""
    head = argv[:argv.index("--")] if "--" in argv else argv
    return "--format=json" in head or any(a == "--format" and head[i + 1:i + 2] == ["json"]
                                          for i, a in enumerate(head))
