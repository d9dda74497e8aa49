"""The command line: typer, kept thin over `main(argv) -> int`.

The only layer that prints and picks exit codes: 0 nothing to change (or all
applied), 1 changes pending (--dry-run), 2 bad input or a failure.
"""

from __future__ import annotations

import os
import sys
from dataclasses import replace

from codemod import __version__

STRATEGY_HELP = (
    "pin: pin node-addon-api away from 8.2.0/8.2.1 (the fix). "
    "finalize: insert empty `void Finalize(Napi::Env /*env*/) override {}` overrides; this is hygiene "
    "only and does NOT stop the 8.2.0/8.2.1 leak, the version pin does. both: do both."
)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv == ["--version"]:  # answered before the (slow) typer import
        print(f"napi-fix {__version__}")
        return 0
    import typer

    from codemod.config import FORMATS, PIN_MODES, STRATEGIES, Config
    from codemod.parallel import default_jobs

    app = typer.Typer(add_completion=False, rich_markup_mode=None, pretty_exceptions_enable=False)
    outcome: list[int] = []

    @app.command(help="Find and fix the node-addon-api 8.2.0/8.2.1 ObjectWrap napi_ref leak.")
    def napi_fix(
        paths: list[str] = typer.Argument(None, metavar="[PATH]...", help="Files or folders (default: .)"),
        dry_run: bool = typer.Option(False, "--dry-run", help="Print a unified diff; write nothing."),
        strategy: str = typer.Option("pin", "--strategy", help=STRATEGY_HELP, metavar="|".join(STRATEGIES)),
        pin: str = typer.Option(
            "upgrade", "--pin", metavar="|".join(PIN_MODES),
            help="upgrade: smallest change to 8.2.2+ keeping operator and major. rollback: exactly 8.1.0.",
        ),
        patch_vendored: bool = typer.Option(
            False, "--patch-vendored", help="Apply upstream's 8.2.2 fix to leaky vendored header copies."),
        output: str = typer.Option("text", "--format", help="text (diff or summary) or json.", metavar="|".join(FORMATS)),
        jobs: int = typer.Option(0, "--jobs", help="Worker processes (default: every core)."),
        color: str = typer.Option("auto", "--color", help="auto, always or never.", metavar="auto|always|never"),
        version: bool = typer.Option(False, "--version", help="Print the version and exit."),
    ) -> None:
        if version:
            print(f"napi-fix {__version__}")
            outcome.append(0)
            return
        if strategy not in STRATEGIES:
            raise typer.BadParameter(f"{strategy!r} is not one of {', '.join(STRATEGIES)}", param_hint="--strategy")
        if pin not in PIN_MODES:
            raise typer.BadParameter(f"{pin!r} is not one of {', '.join(PIN_MODES)}", param_hint="--pin")
        if output not in FORMATS:
            raise typer.BadParameter(f"{output!r} is not one of {', '.join(FORMATS)}", param_hint="--format")
        if color not in ("auto", "always", "never"):
            raise typer.BadParameter(f"{color!r} is not one of auto, always, never", param_hint="--color")
        config = Config(
            paths=tuple(paths or (".",)),
            strategy=strategy,
            pin_mode=pin,
            patch_vendored=patch_vendored,
            jobs=jobs if jobs > 0 else default_jobs(),
            dry_run=dry_run,
            output=output,
            color=color == "always" or (color == "auto" and sys.stdout.isatty() and "NO_COLOR" not in os.environ),
        )
        outcome.append(execute(config))

    try:
        # Standalone mode on purpose: typer prints usage errors and --help
        # itself and ends with SystemExit, the same way across typer versions.
        app(args=argv, prog_name="napi-fix")
    except SystemExit as exc:
        if outcome:
            return outcome[0]
        return exc.code if isinstance(exc.code, int) else 2
    return outcome[0] if outcome else 0


def execute(config) -> int:
    from codemod import present
    from codemod.pipeline import run

    cwd = os.getcwd()
    report = run(config)
    planned_diff = present.diff(report, cwd)
    if not config.dry_run and report.failed:
        # Bad input anywhere: report everything, write nothing.
        report = replace(report, notes=report.notes + ("nothing written: fix the errors listed first",))
        planned_diff = b""  # the summary counts what was changed: nothing
    elif not config.dry_run:
        from codemod.apply import write_all

        failures = {o.path: o.error for o in write_all(report.changed, _roots(config)) if o.error}
        if failures:
            report = replace(
                report,
                files=tuple(replace(r, error=failures[r.path]) if r.path in failures else r for r in report.files),
            )
            planned_diff = present.diff(report, cwd)

    out = sys.stdout.buffer
    if config.output == "json":
        out.write(present.to_json(report, cwd, config.dry_run, planned_diff).encode())
    elif config.dry_run:
        out.write(present.colorize(planned_diff) if config.color else planned_diff)
        sys.stdout.flush()
        sys.stderr.write(present.summary(report, cwd, True, planned_diff))
    else:
        out.write(present.summary(report, cwd, False, planned_diff).encode())
    out.flush()
    return report.exit_code(config.dry_run)


def _roots(config) -> tuple[str, ...]:
    return tuple(os.path.abspath(p) for p in config.paths)


def run() -> None:
    """The console script. A run is one short-lived process whose objects are
    all freed by reference counting: the cyclic collector would only re-walk
    a growing heap of tree nodes and facts (a fifth of the CPU on the 16x
    bench corpus) and sweep it all once more at exit (~20 ms). Off here, not
    in main(), which tests and other callers run in their own process."""
    import gc

    gc.disable()
    code = main()
    gc.freeze()  # the exit-time collection skips frozen objects
    sys.exit(code)
