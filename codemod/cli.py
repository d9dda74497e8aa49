"""The command line: typer, kept thin over `main(argv) -> int`.

The only layer that prints and returns the exit status; results.py decides
it from what remains after the run (the table `--help` prints: 0 nothing
remains, 1 the leak remains or napi-fix could not decide, 2 bad input or a
failure, 3 no leak now but changes pending), the same in every --format.
stdout carries only what a script reads (the diff, the JSON, the summary);
errors go to stderr in every mode, and under --format json stdout is valid
JSON in every outcome, usage errors and interrupts included. Never a traceback.
"""

from __future__ import annotations

import errno
import os
import sys
from dataclasses import dataclass

from codemod import __version__
from codemod.cli_options import (COLORS, COMMANDS, FIX_FORMATS, JOBS_HELP, PATCH_VENDORED_HELP, PIN_HELP,
                                 SETTINGS_HELP, STRATEGY_HELP, commands_table, wants_json)

EXIT_INTERRUPTED = 130


@dataclass(frozen=True)
class RunOptions:
    """What this front-end was asked for beyond analysis: output and writing."""

    paths: tuple[str, ...] = (".",)
    dry_run: bool = False
    output: str = "text"
    color: bool = False
    jobs: int = 1
    force: bool = False


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["lsp"]:  # the language server: pygls is imported by this subcommand only (start.py)
        from codemod.lsp.start import serve

        return serve(argv[1:])
    if argv[:1] == ["batch"]:  # imported only when asked: the plain CLI starts as fast as before
        return _batch(argv[1:])
    if argv[:1] == ["probe"]:  # runs the user's command: its own parser (codemod/probe/cli.py)
        from codemod.probe.cli import main as probe

        return probe(argv[1:])
    if not argv and os.environ.get("_NAPI_FIX_COMPLETE") and _complete_batch() is not None:
        return 0  # completing `napi-fix batch ...`: batch's own options were offered
    if argv == ["--version"]:  # answered before the (slow) typer import
        print(f"napi-fix {__version__}")
        return 0
    as_json = wants_json(argv)
    try:
        return _parse_and_run(argv)
    except KeyboardInterrupt:
        return _fail("interrupted: nothing written", as_json, EXIT_INTERRUPTED)
    except Exception as exc:  # noqa: BLE001 -- the last line of defence: a message, never a traceback
        return _fail(f"internal error: {type(exc).__name__}: {exc} (please report this)", as_json)


def _parse_and_run(argv: list[str]) -> int:
    from codemod.cli_quick import quick_args

    given = quick_args(argv)
    if given is not None:  # a plain command line: typer is not even imported (cli_quick.py)
        try:
            return fix(**given)
        except EOFError:  # what click's main does with one
            sys.stderr.write("\n")
            raise KeyboardInterrupt from None
        except OSError as exc:
            if exc.errno != errno.EPIPE:
                raise
            return _broken_pipe()
    return _typer_parse_and_run(argv)


def _typer_parse_and_run(argv: list[str]) -> int:
    import click
    import typer

    from codemod.options import PIN_MODES, STRATEGIES

    # add_completion: --install-completion and --show-completion, through click's shell completion
    app = typer.Typer(add_completion=True, rich_markup_mode=None, pretty_exceptions_enable=False)
    outcome: list[int] = []

    @app.command(help="Find and fix the node-addon-api 8.2.0/8.2.1 ObjectWrap napi_ref leak in each PATH "
                      "(a file or folder; default: .).", epilog=commands_help() + "\n\n" + exit_codes_help())
    def napi_fix(
        paths: list[str] = typer.Argument(None, metavar="[PATH]...", help="Files or folders (default: .)",
                                          autocompletion=complete_first_word),
        dry_run: bool = typer.Option(
            False, "--dry-run", help="Print a unified diff; write nothing (also: DRY_RUN=true in the environment)."),
        strategy: str = typer.Option(None, "--strategy", help=STRATEGY_HELP + SETTINGS_HELP % "pin",
                                     metavar="|".join(STRATEGIES), show_default=False),
        pin: str = typer.Option(
            None, "--pin", metavar="|".join(PIN_MODES), show_default=False,
            help=PIN_HELP + SETTINGS_HELP % "upgrade",
        ),
        patch_vendored: bool = typer.Option(False, "--patch-vendored", help=PATCH_VENDORED_HELP),
        output: str = typer.Option(
            "text", "--format", metavar="|".join(FIX_FORMATS), show_default=False,
            help="text (diff or summary; the default), json, sarif (GitHub code scanning) or github (workflow "
                 "annotations)."),
        jobs: int = typer.Option(0, "--jobs", help=JOBS_HELP, show_default=False),
        color: str = typer.Option("auto", "--color", help="auto (the default: color on a terminal), always or never.",
                                  metavar="|".join(COLORS), show_default=False),
        force: bool = typer.Option(False, "--force", help="Also write files (or folders) that are read-only."),
        package_roots: bool = typer.Option(
            False, "--package-roots",
            help="Plan the package root of each PATH (the nearest folder above it with a lockfile, else a "
                 "package.json) instead of PATH itself: what the pre-commit hooks pass."),
        version: bool = typer.Option(False, "--version", help="Print the version and exit."),
    ) -> None:
        if version:
            print(f"napi-fix {__version__}")
            outcome.append(0)
            return
        for value, allowed, flag in ((strategy, STRATEGIES, "--strategy"), (pin, PIN_MODES, "--pin"),
                                     (output, FIX_FORMATS, "--format"), (color, COLORS, "--color")):
            if value is not None and value not in allowed:
                raise typer.BadParameter(f"{value!r} is not one of {', '.join(allowed)}", param_hint=flag)
        try:
            outcome.append(fix(paths, dry_run, strategy, pin, patch_vendored, output, jobs, color, force,
                               package_roots))
        except KeyboardInterrupt:  # typer would answer 130 in silence (and this function 0): see main()
            raise click.exceptions.Abort() from None

    try:
        app(args=argv, prog_name="napi-fix", standalone_mode=False)
    except click.exceptions.Exit as exc:  # --help
        return exc.exit_code
    except SystemExit as exc:  # typer's --show-completion and --install-completion, and completing a word, exit
        return exc.code if isinstance(exc.code, int) else 0
    except click.ClickException as exc:  # a usage error: click's own words, and JSON when JSON was asked for
        exc.show(file=sys.stderr)
        if wants_json(argv):
            _print_json(_failure_json(f"usage: {exc.format_message()}", 2))
        return 2
    except click.exceptions.Abort:
        raise KeyboardInterrupt from None
    return outcome[0] if outcome else 0


def fix(paths: list[str] | None = None, dry_run: bool = False, strategy: str | None = None, pin: str | None = None,
        patch_vendored: bool = False, output: str = "text", jobs: int = 0, color: str = "auto",
        force: bool = False, package_roots: bool = False) -> int:
    """The fix command once its words are read and valid (by typer or cli_quick.py)."""
    from codemod import settings
    from codemod.parallel import default_jobs
    from codemod.sources.disk import DiskSources

    if package_roots:
        from codemod.precommit import package_roots_of

        paths = list(package_roots_of(tuple(paths or (".",))))
    run_options = RunOptions(
        paths=tuple(paths or (".",)),
        dry_run=dry_run or dry_run_from_environment(),
        output=output,
        color=color == "always" or (color == "auto" and sys.stdout.isatty() and "NO_COLOR" not in os.environ),
        jobs=jobs if jobs > 0 else default_jobs(),
        force=force,
    )
    try:  # the project's package.json "napi-fix" key, under the flags given
        found = settings.read_for(DiskSources(), run_options.paths)
    except settings.BadSettings as exc:
        return _fail(str(exc), output == "json")
    return execute(found.options(strategy, pin, patch_vendored), run_options)


def _broken_pipe() -> int:
    """stdout's reader went away (`napi-fix --dry-run | head`): status 1 and
    no complaint at exit, as click's main answers it."""
    from click.utils import PacifyFlushWrapper

    sys.stdout = PacifyFlushWrapper(sys.stdout)
    sys.stderr = PacifyFlushWrapper(sys.stderr)
    return 1


def complete_first_word(ctx, incomplete: str) -> list[str]:
    """Shell completion of a PATH: as the first word (nothing parsed yet),
    the subcommands that start with `incomplete`, unless a file or folder
    here does too. Offering anything turns the shell's own file-name
    completion off, and that (slashes, quoting) is what a PATH wants."""
    import glob

    from click.core import ParameterSource

    if any(ctx.get_parameter_source(name) is ParameterSource.COMMANDLINE for name in ctx.params):
        return []
    if incomplete.startswith("-") or glob.glob(glob.escape(incomplete) + "*"):
        return []
    return [name for name, _, _ in COMMANDS if name.startswith(incomplete)]


def commands_help() -> str:
    """The subcommands for --help, one line each; `\b` keeps click from re-wrapping it."""
    return "\n".join(["\b", *commands_table(
        "Commands (a first argument batch, lsp or probe is the subcommand, not a PATH):", COMMANDS,
        "A folder named like one is a PATH when spelled ./lsp or given after --: napi-fix -- lsp")])


def exit_codes_help() -> str:
    """The exit-status table for --help; `\b` keeps click from re-wrapping it."""
    from codemod.results import EXIT_TABLE

    lines = ["\b", "Exit status: what remains after the run decides, in every --format (precedence",
             "2 > 1 > 3 > 0; 130/143 after Ctrl-C or SIGTERM):"]
    for status, meaning, cause in EXIT_TABLE:
        lines.append(f"  {status}  {meaning}")
        lines += [f"       {part}" for part in _wrap(f"caused by: {cause}", 88)]
    return "\n".join(lines)


def _wrap(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width, break_on_hyphens=False)


def _batch(argv: list[str]) -> int:
    from codemod.batch.cli import main as batch

    return batch(argv)


def _complete_batch() -> int | None:
    from codemod.batch.cli import complete

    return complete()


def dry_run_from_environment() -> bool:
    """DRY_RUN=true (what multi-gitter sets in its --dry-run) means --dry-run:
    napi-fix is then a per-repository script that previews (and exits 1 while
    the leak remains, 3 when only pins are pending)."""
    return os.environ.get("DRY_RUN", "").strip().lower() in ("true", "1")


def execute(options, run: RunOptions) -> int:
    from codemod import engine
    from codemod.discover import entry_path
    from codemod.parallel import Workers
    from codemod.present.diff import colorize, diff
    from codemod.present.summary import errors, summary
    from codemod.sources.disk import DiskSources

    cwd = os.getcwd()
    paths = tuple(entry_path(p) for p in run.paths)  # one spelling of each: `.` and "$PWD" plan alike
    with Workers(run.jobs) as workers:
        report = engine.plan(DiskSources(), paths, options, workers)
    planned_diff = diff(report, cwd)
    interrupted = None
    if not run.dry_run:
        from codemod.apply import apply_report  # and the writer: a dry run imports neither

        applied = apply_report(report, paths, run.force)
        if applied.report is not report:
            report, planned_diff = applied.report, b""  # the summary counts what was changed: nothing
        interrupted = applied.signal

    status = report.exit_code(run.dry_run)
    out = sys.stdout.buffer
    if run.output == "json":
        from codemod.present.json import to_json

        sys.stderr.write(errors(report, cwd))
        out.write(to_json(report, cwd, run.dry_run, planned_diff, status).encode())
    elif run.output in ("sarif", "github"):  # stdout carries only the log or the annotations
        if run.output == "sarif":
            from codemod.present.sarif import to_sarif

            text = to_sarif(report, cwd, status=status)
        else:
            from codemod.present.github import to_github

            text = to_github(report, cwd)
        out.write(text.encode("utf-8", "surrogateescape"))
        sys.stderr.write(summary(report, cwd, run.dry_run, planned_diff, status=status))
    elif run.dry_run:
        out.write(colorize(planned_diff) if run.color else planned_diff)
        sys.stdout.flush()
        sys.stderr.write(summary(report, cwd, True, planned_diff, status=status))
    else:
        sys.stderr.write(errors(report, cwd))
        out.write(summary(report, cwd, False, planned_diff, with_errors=False, status=status)
                  .encode("utf-8", "surrogateescape"))
    out.flush()
    if interrupted is not None:
        import signal

        sys.stderr.write(f"napi-fix: interrupted ({signal.Signals(interrupted).name}) while writing; every file "
                         "listed as changed above was written, nothing else\n")
        return 128 + interrupted
    return status


def _print_json(payload: dict) -> None:
    import json

    sys.stdout.write(json.dumps(payload, indent=2) + "\n")
    sys.stdout.flush()


def _fail(message: str, as_json: bool, code: int = 2) -> int:
    sys.stderr.write(f"napi-fix: {message}\n")
    if as_json:
        _print_json(_failure_json(message, code))
    return code


def _failure_json(message: str, code: int) -> dict:
    from codemod.results import EXIT_MEANING

    status = {"exit_code": code} | ({"status": EXIT_MEANING[code]} if code in EXIT_MEANING else {})
    return {"tool": "napi-fix", "version": __version__} | status | {"error": message}


def run() -> None:
    """The console script. A run is one short-lived process whose objects are
    all freed by reference counting: the cyclic collector would only re-walk
    a growing heap of tree nodes and facts (a fifth of the CPU on the 16x
    bench corpus) and sweep it all once more at exit (~20 ms). Off here, not
    in main(), which tests and other callers run in their own process."""
    import gc

    gc.disable()
    # Only the fix command reads and writes its file: a subcommand or a shell
    # completion loads other modules, and writing what it used would drop the rest.
    fixing = sys.argv[1:2] not in (["lsp"], ["batch"], ["probe"]) and not os.environ.get("_NAPI_FIX_COMPLETE")
    code_cache = _dataclass_code_cache() if fixing else None
    code = main()
    if code_cache is not None:
        code_cache.save()
    gc.freeze()  # the exit-time collection skips frozen objects
    sys.exit(code)


def _dataclass_code_cache():
    """The code of each dataclass's methods, read from disk (codecache.py):
    compiling it is a fifth of a small dry run. The fix command's own file,
    since the language server and batch load other modules."""
    import dataclasses

    from codemod.codecache import CodeCache, cache_path

    cache = CodeCache(cache_path("cli"))
    dataclasses.exec = cache.exec_for(dataclasses)
    return cache
