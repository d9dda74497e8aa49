"""`napi-fix probe [options] -- COMMAND [ARGS...]`: the arguments, the run,
the output and the exit status.

Exit status, first match wins:
  2  the probe itself could not run (usage, no compiler, no interposition here,
     --compare/--rebuild could not copy, pin, install or build)
  1  an addon leaks ("the leak remains"), in the probed run (--compare: as pinned)
  N  the command's own failure passes through (128+N when signal N ended it)
  1  an addon wrapped objects but too few were collected to tell
  0  otherwise
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys

from codemod.probe import present
from codemod.probe.build import (REBUILD_HINT, ProbeUnavailable, audit_library, interposition_problem,
                                 linked_counters, rebuild_problem)
from codemod.probe.provenance import provenance
from codemod.probe.report import Addon, Outcome, judge
from codemod.probe.run import Ran, run_probed

FORMATS = ("text", "json", "markdown")
USAGE = "napi-fix probe [--format text|json|markdown] [--min-collected N] [--compare] [--rebuild] -- COMMAND [ARGS...]"


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # a message and exit 2 through main(), never argparse's own exit
        raise UsageError(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="napi-fix probe", usage=USAGE, description=(
        "Run COMMAND with every native addon's napi_wrap / finalize / napi_delete_reference calls counted "
        "(LD_AUDIT, no rebuild) and tell, per addon, whether it has the node-addon-api 8.2.0/8.2.1 "
        "ObjectWrap leak. See docs/probe.md."))
    parser.add_argument("--format", default="text", choices=FORMATS, help="text (a table), json or markdown")
    parser.add_argument("--min-collected", type=int, default=10, metavar="N",
                        help="finalized objects an addon needs before a verdict (default 10)")
    parser.add_argument("--compare", action="store_true", help=(
        "in a temporary copy of the package (--package), run COMMAND as is and again with napi-fix's pin "
        "applied and the addon rebuilt; show both"))
    parser.add_argument("--package", default=".", help="the package --compare and --rebuild copy (default: .)")
    parser.add_argument("--rebuild", action="store_true", help=(
        "where LD_AUDIT is not (musl): rebuild the package's addon in a temporary copy with the counters "
        "linked in (-Wl,--wrap) and run COMMAND there"))
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command to run, after --")
    return parser


class Terminated(Exception):
    """SIGTERM outside the command's run: unwinds, so temporary folders are removed."""


def _terminate(number, _frame):
    raise Terminated(number)


def main(argv: list[str]) -> int:
    wants_json = _wants_json(argv)
    try:
        previous = signal.signal(signal.SIGTERM, _terminate)
    except ValueError:  # not the main thread: Python delivers signals to the main thread only
        previous = None
    try:
        return _main(argv, wants_json)
    except KeyboardInterrupt:
        return _fail("interrupted: the probe was stopped, nothing left behind", wants_json, 130)
    except Terminated:
        return _fail("terminated: the probe was stopped, nothing left behind", wants_json, 143)
    except Exception as exc:  # noqa: BLE001 -- the last line of defence: a message, never a traceback
        return _fail(f"internal error: {type(exc).__name__}: {exc} (please report this)", wants_json)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _main(argv: list[str], wants_json: bool) -> int:
    try:
        try:
            args = _parser().parse_args(argv)
        except SystemExit as done:  # --help
            return done.code if isinstance(done.code, int) else 0
        command = args.command[1:] if args.command[:1] == ["--"] else args.command
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
            return show_compared(outcomes, args.format) if args.compare else show(outcomes[0][1], args.format)
        outcome = outcome_of(command, run_probed(command, audit), args.min_collected)
    except UsageError as exc:
        return _fail(f"{exc}\nusage: {USAGE}", wants_json)
    except ProbeUnavailable as exc:
        return _fail(str(exc), wants_json)
    return show(outcome, args.format)


def outcome_of(command: list[str], ran: Ran, min_collected: int) -> Outcome:
    notes = []
    if ran.error:
        notes.append(ran.error)
    elif not ran.counts:
        notes.append("no native addon (.node) was loaded by a process that exited normally: nothing to judge")
    if ran.signal is not None:
        notes.append("a process ended by a signal writes no counts: only processes that exited are counted")
    addons = tuple(Addon(c, judge(c, min_collected), provenance(c.path)) for c in ran.counts)
    return Outcome(tuple(command), ran.status, addons, tuple(notes), ran.signal)


def show(outcome: Outcome, output: str) -> int:
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


def show_compared(outcomes: list[tuple[str, Outcome]], output: str) -> int:
    status = outcomes[-1][1].exit_status()  # what remains is what the pin leaves
    if output == "json":
        sys.stdout.write(present.compare_json(outcomes, status))
    else:
        sys.stdout.write(present.compare_text(outcomes, os.getcwd(), markdown=output == "markdown"))
    sys.stdout.flush()
    return status


def _wants_json(argv: list[str]) -> bool:
    head = argv[:argv.index("--")] if "--" in argv else argv
    return "--format=json" in head or any(a == "--format" and head[i + 1:i + 2] == ["json"]
                                          for i, a in enumerate(head))


def _fail(message: str, wants_json: bool, status: int = 2) -> int:
    sys.stderr.write(f"napi-fix probe: {message}\n")
    if wants_json:
        sys.stdout.write(json.dumps({"tool": "napi-fix probe", "status": status, "error": message}, indent=2) + "\n")
    return status
