"""The one typer application: `napi-fix [OPTIONS] [PATH]...` (the fix
command, the default) with `batch`, `lsp` and `probe` as its subcommands,
one help listing them all and one shell completion for every word.

Parsing only. Each command's callback returns what to run: the fix
command's keyword arguments (cli.fix, which cli_quick.py's typer-free
reading also feeds), or a subcommand's runner, called by cli.main once
click is done, so a run's Ctrl-C, broken pipe or error is handled the same
whichever way its command line was read. A subcommand's module declares its
own command (batch/cli.py, probe/cli.py) and never imports the fix
command's; this module ties them together. A usage error is said the way
its subcommand says every other error, and as JSON under `--format json`.
"""

from __future__ import annotations

import sys

from codemod import __version__
from codemod.cli_options import (COLORS, FIX_FORMAT_HELP, FIX_FORMATS, JOBS_HELP, PATCH_VENDORED_HELP, PIN_HELP,
                                 SETTINGS_HELP, STRATEGY_HELP, SUBCOMMANDS, SUMMARY, metavar, wants_json)

FIX_HELP = ("Find and fix the node-addon-api 8.2.0/8.2.1 ObjectWrap napi_ref leak in each PATH (a file or folder; "
            "default: .).")
LSP_HELP = ("The language server: diagnostics and quick fixes in an editor. It speaks the Language Server Protocol "
            "on stdin/stdout.")
LSP_EXIT_HELP = """\b
Exit status: 0 when the editor stops it (shutdown, then exit), 2 for a usage error."""


def parse(argv: list[str]):
    """What to run for `argv`: a dict (the fix command's arguments), a
    callable (a subcommand's run), or an int (the exit status: --help or
    completion printed, a usage error said)."""
    import click
    import typer

    command = typer.main.get_command(application())
    try:
        return command.main(args=argv, prog_name="napi-fix", standalone_mode=False)
    except SystemExit as exc:  # typer's --show-completion and --install-completion, and completing a word, exit
        return exc.code if isinstance(exc.code, int) else 0
    except click.ClickException as exc:
        return usage_error(command, argv, exc)
    except click.exceptions.Abort:
        raise KeyboardInterrupt from None


def usage_error(command, argv: list[str], exc) -> int:
    """A usage error, said by the subcommand it belongs to (batch and probe
    print theirs as they print their other errors); exit 2."""
    first = argv[0] if argv[:1] and argv[0] in SUBCOMMANDS else None
    if first == "batch":
        from codemod.batch.cli import usage_error as batch_error

        return batch_error(exc, command.get_command(None, "batch"), argv[1:], "napi-fix batch")
    if first == "probe":
        from codemod.probe.cli import usage_error as probe_error

        return probe_error(exc, argv[1:])
    exc.show(file=sys.stderr)  # click's own words, and JSON when JSON was asked for
    if wants_json(argv):
        print_json(failure_json(f"usage: {exc.format_message()}", 2))
    return 2


def failure_json(message: str, code: int) -> dict:
    """What the fix command prints under --format json when it cannot run."""
    from codemod.results import EXIT_MEANING

    status = {"exit_code": code} | ({"status": EXIT_MEANING[code]} if code in EXIT_MEANING else {})
    return {"tool": "napi-fix", "version": __version__} | status | {"error": message}


def print_json(payload: dict) -> None:
    import json

    sys.stdout.write(json.dumps(payload, indent=2) + "\n")
    sys.stdout.flush()


def application():
    """The typer application; the fix command is its own (the callback)."""
    import click
    import typer

    from codemod.cli_group import complete_operand, complete_words
    from codemod.options import PIN_MODES, STRATEGIES

    # add_completion: --install-completion and --show-completion, through click's shell completion
    app = typer.Typer(cls=_napi_fix_group(), invoke_without_command=True, add_completion=True, rich_markup_mode=None,
                      pretty_exceptions_enable=False)

    def choice(default, name: str, words: tuple[str, ...], help: str):
        # Checked in the callback, not by click.Choice: its message would differ from what
        # cli_quick.py's callers have always been told.
        return typer.Option(default, name, metavar=metavar(words), show_default=False, help=help,
                            autocompletion=complete_words(words))

    @app.callback(help=FIX_HELP, epilog=exit_codes_help())
    def napi_fix(
        paths: list[str] = typer.Argument(None, metavar="[PATH]...", help="Files or folders (default: .)",
                                          autocompletion=complete_operand),
        dry_run: bool = typer.Option(
            False, "--dry-run", help="Print a unified diff; write nothing (also: DRY_RUN=true in the environment)."),
        strategy: str = choice(None, "--strategy", STRATEGIES, STRATEGY_HELP + SETTINGS_HELP % "pin"),
        pin: str = choice(None, "--pin", PIN_MODES, PIN_HELP + SETTINGS_HELP % "upgrade"),
        patch_vendored: bool = typer.Option(False, "--patch-vendored", help=PATCH_VENDORED_HELP),
        output: str = choice("text", "--format", FIX_FORMATS, FIX_FORMAT_HELP),
        jobs: int = typer.Option(0, "--jobs", metavar="N", help=JOBS_HELP, show_default=False),
        color: str = choice("auto", "--color", COLORS, "auto (the default: color on a terminal), always or never."),
        force: bool = typer.Option(False, "--force", help="Also write files (or folders) that are read-only."),
        package_roots: bool = typer.Option(
            False, "--package-roots",
            help="Plan the package root of each PATH (the nearest folder above it with a lockfile, else a "
                 "package.json) instead of PATH itself: what the pre-commit hooks pass."),
        version: bool = typer.Option(False, "--version", help="Print the version and exit."),
    ):
        if click.get_current_context().invoked_subcommand:  # its own callback decides
            return None
        if version:
            print(f"napi-fix {__version__}")
            return 0
        for value, allowed, flag in ((strategy, STRATEGIES, "--strategy"), (pin, PIN_MODES, "--pin"),
                                     (output, FIX_FORMATS, "--format"), (color, COLORS, "--color")):
            if value is not None and value not in allowed:
                raise typer.BadParameter(f"{value!r} is not one of {', '.join(allowed)}", param_hint=flag)
        return {"paths": paths, "dry_run": dry_run, "strategy": strategy, "pin": pin, "patch_vendored": patch_vendored,
                "output": output, "jobs": jobs, "color": color, "force": force, "package_roots": package_roots}

    return app


def _batch_command():
    import typer

    from codemod.batch.cli import batch_app

    return typer.main.get_group(batch_app())


def _lsp_command():
    def add_lsp(app) -> None:
        import typer

        @app.command(help=LSP_HELP, short_help=SUMMARY["lsp"], epilog=LSP_EXIT_HELP)
        def lsp(stdio: bool = typer.Option(False, "--stdio", help="Speak on stdin/stdout (the default, and the "
                                                                  "only transport).")):
            return serve

    return _command_of(add_lsp)


def _probe_command():
    from codemod.probe.cli import add_probe

    return _command_of(add_probe)


def _command_of(add):
    """The click command that `add(app)` declares in a typer application of its own."""
    import typer

    app = typer.Typer(add_completion=False, rich_markup_mode=None, pretty_exceptions_enable=False)
    add(app)
    return typer.main.get_command(app)


def _napi_fix_group():
    """The root group's class: subcommands made when first named (cli_group.DefaultGroup.lazy)."""
    from codemod.cli_group import DefaultGroup

    class NapiFix(DefaultGroup):
        lazy = {"batch": _batch_command, "lsp": _lsp_command, "probe": _probe_command}

    return NapiFix


def serve() -> int:
    from codemod.lsp.start import serve as start  # pygls and the server: imported by this subcommand only

    return start()


def exit_codes_help() -> str:
    """The exit-status table for --help; `\b` keeps click from re-wrapping it."""
    from codemod.results import EXIT_TABLE

    lines = ["\b", "Exit status: what remains after the run decides, in every --format (precedence",
             "2 > 1 > 3 > 0; 130/143 after Ctrl-C or SIGTERM). Each subcommand's --help has its own."]
    for status, meaning, cause in EXIT_TABLE:
        lines.append(f"  {status}  {meaning}")
        lines += [f"       {part}" for part in _wrap(f"caused by: {cause}", 88)]
    return "\n".join(lines)


def _wrap(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width, break_on_hyphens=False)
