"""The command line, kept thin over `main(argv) -> int`: a plain fix command
line is read by cli_quick.py, anything else by the one typer application
(cli_app.py, whose subcommands are batch, lsp and probe); the fix command
runs here.

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
from codemod.cli_options import COMPLETION, SUBCOMMANDS, wants_json

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
    if argv == ["--version"]:  # answered before the (slow) typer import
        print(f"napi-fix {__version__}")
        return 0
    if argv in (["lsp"], ["lsp", "--stdio"]) and not os.environ.get(COMPLETION):
        from codemod.cli_app import serve  # what an editor starts: no typer either

        return serve()
    as_json = wants_json(argv)
    try:
        return _parse_and_run(argv)
    except KeyboardInterrupt:
        return _fail("interrupted: nothing written", as_json, EXIT_INTERRUPTED)
    except Exception as exc:  # noqa: BLE001 -- the last line of defence: a message, never a traceback
        from codemod.forkpool import WorkerLost

        if isinstance(exc, WorkerLost):  # killed from outside (the OOM killer, say): not a bug of ours
            return _fail(f"{exc}; nothing written (`--jobs 1` runs in one process)", as_json)
        return _fail(f"internal error: {type(exc).__name__}: {exc} (please report this)", as_json)


def _parse_and_run(argv: list[str]) -> int:
    from codemod.cli_quick import quick_args

    given = quick_args(argv)  # a plain fix command line: typer is not even imported (cli_quick.py)
    if given is None:
        from codemod.cli_app import parse

        given = parse(argv)
        if isinstance(given, int):  # --help, a completion, a usage error: said already
            return given
        if callable(given):  # a subcommand: its own run handles its interrupts and errors
            return given()
    try:
        return fix(**given)
    except EOFError:  # what click's main does with one
        sys.stderr.write("\n")
        raise KeyboardInterrupt from None
    except OSError as exc:
        if exc.errno != errno.EPIPE:
            raise
        return _broken_pipe()


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
    with Workers(run.jobs, oneshot=True) as workers:
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


def _fail(message: str, as_json: bool, code: int = 2) -> int:
    sys.stderr.write(f"napi-fix: {message}\n")
    if as_json:
        from codemod.cli_app import failure_json, print_json

        print_json(failure_json(message, code))
    return code


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
    fixing = not (sys.argv[1:2] and sys.argv[1] in SUBCOMMANDS) and not os.environ.get(COMPLETION)
    code_cache = _dataclass_code_cache() if fixing else None
    regex_cache = _regex_cache() if fixing else None
    code = main()
    if code_cache is not None:
        code_cache.save()
        regex_cache.save()
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


def _regex_cache():
    """The opcodes of each regular expression, read from disk (recache.py):
    compiling them is a tenth of a small dry run."""
    from codemod import recache

    return recache.install()
