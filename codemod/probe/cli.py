"""`napi-fix probe [options] -- COMMAND [ARGS...]`: the arguments, the run,
the output and the exit status. A subcommand of the one command line
(cli_app.py): add_probe() declares it, its callback returns a ProbeRun.
The probe's own modules are imported when it runs, not when the command
line is read (`napi-fix --help` need not load them).
"""

from __future__ import annotations

import json
import os
import signal
import sys
from dataclasses import dataclass
from types import SimpleNamespace

from codemod.cli_options import PROBE_FORMAT_HELP, SUMMARY, TABLE_FORMATS, metavar

USAGE = (f"napi-fix probe [--format {metavar(TABLE_FORMATS)}] [--min-collected N] [--compare] [--rebuild] "
         "-- COMMAND [ARGS...]")
DESCRIPTION = ("Run COMMAND with every native addon's napi_wrap / finalize / napi_delete_reference calls counted "
               "(LD_AUDIT, no rebuild) and tell, per addon, whether it has the node-addon-api 8.2.0/8.2.1 "
               "ObjectWrap leak. See docs/probe.md.")
# `\b` keeps click from re-wrapping the table.
EXIT_HELP = """\b
Exit status, first match wins:
  2  the probe itself could not run (usage, no compiler, no interposition here,
     --compare/--rebuild could not copy, pin, install or build)
  1  an addon leaks ("the leak remains"), in the probed run (--compare: as pinned)
  N  the command's own failure passes through (128+N when signal N ended it)
  1  an addon wrapped objects but too few were collected to tell
  0  otherwise"""


class UsageError(Exception):
    pass


@dataclass(frozen=True)
class ProbeRun:
    """A parsed `napi-fix probe` command line, run when called; the exit status."""

    args: SimpleNamespace

    def __call__(self) -> int:
        return main(self.args)


def add_probe(app) -> None:
    """`napi-fix probe` as a command of the typer application `app`."""
    import click
    import typer

    from codemod.cli_group import complete_words

    # Options before COMMAND only: its first word ends them, and what follows is the command's own.
    @app.command(help=DESCRIPTION, short_help=SUMMARY["probe"], epilog=EXIT_HELP,
                 context_settings={"help_option_names": ["-h", "--help"], "allow_interspersed_args": False})
    def probe(
        output: str = typer.Option("text", "--format", click_type=click.Choice(TABLE_FORMATS),
                                   metavar=metavar(TABLE_FORMATS), help=PROBE_FORMAT_HELP, show_default=False,
                                   autocompletion=complete_words(TABLE_FORMATS)),
        min_collected: int = typer.Option(10, "--min-collected", metavar="N", show_default=False,
                                          help="finalized objects an addon needs before a verdict (default 10)"),
        compare: bool = typer.Option(False, "--compare", help=(
            "in a temporary copy of the package (--package), run COMMAND as is and again with napi-fix's pin "
            "applied and the addon rebuilt; show both")),
        package: str = typer.Option(".", "--package", metavar="DIR", show_default=False,
                                    help="the package --compare and --rebuild copy (default: .)"),
        rebuild: bool = typer.Option(False, "--rebuild", help=(
            "where LD_AUDIT is not (musl): rebuild the package's addon in a temporary copy with the counters "
            "linked in (-Wl,--wrap) and run COMMAND there")),
        command: list[str] = typer.Argument(None, metavar="-- COMMAND...", show_default=False,
                                            help="the command to run, after --"),
    ):
        return ProbeRun(SimpleNamespace(**locals()))


def usage_error(exc, argv: list[str]) -> int:
    """A usage error (click's `exc`) as the probe says every other: exit 2."""
    from codemod.cli_options import wants_json

    return _fail(f"{exc.format_message()}\nusage: {USAGE}", wants_json(argv))


class Terminated(Exception):
    """SIGTERM outside the command's run: unwinds, so temporary folders are removed."""


def _terminate(number, _frame):
    raise Terminated(number)


def main(args: SimpleNamespace) -> int:
    as_json = args.output == "json"
    try:
        previous = signal.signal(signal.SIGTERM, _terminate)
    except ValueError:  # not the main thread: Python delivers signals to the main thread only
        previous = None
    try:
        return _main(args)
    except KeyboardInterrupt:
        return _fail("interrupted: the probe was stopped, nothing left behind", as_json, 130)
    except Terminated:
        return _fail("terminated: the probe was stopped, nothing left behind", as_json, 143)
    except Exception as exc:  # noqa: BLE001 -- the last line of defence: a message, never a traceback
        return _fail(f"internal error: {type(exc).__name__}: {exc} (please report this)", as_json)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _main(args: SimpleNamespace) -> int:
    import shutil

    from codemod.probe.build import (REBUILD_HINT, ProbeUnavailable, audit_library, interposition_problem,
                                     linked_counters, rebuild_problem)
    from codemod.probe.run import run_probed

    as_json = args.output == "json"
    try:
        command = list(args.command or ())
        if not command:
            raise UsageError("no command: napi-fix probe [options] -- COMMAND [ARGS...]")
        if args.min_collected < 1:
            raise UsageError("--min-collected must be 1 or more")
        if args.rebuild:
            problem = rebuild_problem()
            if problem:
                raise ProbeUnavailable(f"{problem}; no probe is possible here")
            audit, linked = None, str(linked_counters())
        else:
            problem = interposition_problem(shutil.which("node"))
            if problem:
                raise ProbeUnavailable(f"interposition is impossible here: {problem}; {REBUILD_HINT}")
            audit, linked = audit_library(), None
        if args.compare or args.rebuild:
            from codemod.probe.compare import COMPARED, in_copies

            sides = COMPARED if args.compare else (("rebuilt", False),)
            outcomes = in_copies(command, args.package, sides, audit, linked, args.min_collected)
            return show_compared(outcomes, args.output) if args.compare else show(outcomes[0][1], args.output)
        outcome = outcome_of(command, run_probed(command, audit), args.min_collected)
    except UsageError as exc:
        return _fail(f"{exc}\nusage: {USAGE}", as_json)
    except ProbeUnavailable as exc:
        return _fail(str(exc), as_json)
    return show(outcome, args.output)


def outcome_of(command: list[str], ran, min_collected: int):
    from codemod.probe.provenance import provenance
    from codemod.probe.report import Addon, Outcome, judge

    notes = []
    if ran.error:
        notes.append(ran.error)
    elif not ran.counts:
        notes.append("no native addon (.node) was loaded by a process that exited normally: nothing to judge")
    if ran.signal is not None:
        notes.append("a process ended by a signal writes no counts: only processes that exited are counted")
    addons = tuple(Addon(c, judge(c, min_collected), provenance(c.path)) for c in ran.counts)
    return Outcome(tuple(command), ran.status, addons, tuple(notes), ran.signal)


def show(outcome, output: str) -> int:
    from codemod.probe import present

    status = outcome.exit_status()
    cwd = os.getcwd()
    if output == "json":
        sys.stdout.write(present.to_json(outcome, status))
    elif output == "markdown":
        sys.stdout.write(present.to_markdown(outcome, cwd))
    else:
        sys.stdout.write(present.to_text(outcome, cwd))
    sys.stdout.flush()
    return status


def show_compared(outcomes: list, output: str) -> int:
    from codemod.probe import present

    status = outcomes[-1][1].exit_status()  # what remains is what the pin leaves
    if output == "json":
        sys.stdout.write(present.compare_json(outcomes, status))
    else:
        sys.stdout.write(present.compare_text(outcomes, os.getcwd(), markdown=output == "markdown"))
    sys.stdout.flush()
    return status


def _fail(message: str, as_json: bool, status: int = 2) -> int:
    sys.stderr.write(f"napi-fix probe: {message}\n")
    if as_json:
        sys.stdout.write(json.dumps({"tool": "napi-fix probe", "status": status, "error": message}, indent=2) + "\n")
    return status
