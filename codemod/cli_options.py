"""The words the command lines share: option help, output formats, the
subcommands' names and one-line summaries.

`napi-fix` (cli_app.py), `napi-fix batch` (batch/cli.py) and `napi-fix probe`
(probe/cli.py) are one typer application and take the same --strategy, --pin
and --format words; held here once, a front-end imports them without
importing another front-end. Plain strings and tuples: importing this costs
nothing at start-up, and cli.py and cli_quick.py decide from SUBCOMMANDS
whether typer is needed at all.
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
FIX_FORMAT_HELP = ("text (diff or summary; the default), json, sarif (GitHub code scanning) or github (workflow "
                   "annotations).")
BATCH_FORMAT_HELP = "text (a table; the default), json (one line per repository, then the summary) or markdown."
PROBE_FORMAT_HELP = "text (a table; the default), json or markdown."

# The subcommands, each with its one-line summary (the help lists it beside the usage line). A first
# argument that names one is that subcommand; anything else is a PATH of the fix command (cli_group.py).
SUMMARY = {
    "batch": "fix many git repositories: patches, commits, pull requests",
    "lsp": "the language server: diagnostics and quick fixes in an editor",
    "probe": "run COMMAND and count each addon's wraps: does it leak?",
}
SUBCOMMANDS = tuple(SUMMARY)
COMPLETION = "_NAPI_FIX_COMPLETE"  # set by the shell to ask for completions (click's name for napi-fix's)
BATCH_SUMMARY = {
    "merge": "the combined summary of shard ledgers",
    "status": "where the pull requests in the ledgers stand (gh)",
}


def metavar(words: tuple[str, ...]) -> str:
    """How every command line shows an option's words: `pin|finalize|both`."""
    return "|".join(words)


def wants_json(argv: list[str]) -> bool:
    """Whether `--format json` was asked for before any `--` (after it come
    PATHs, or probe's command): then even a usage error answers in JSON."""
    head = argv[:argv.index("--")] if "--" in argv else argv
    return "--format=json" in head or any(a == "--format" and head[i + 1:i + 2] == ["json"]
                                          for i, a in enumerate(head))
