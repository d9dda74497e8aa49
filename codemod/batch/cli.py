"""`napi-fix batch ...`, `napi-fix batch merge LEDGER...` and `napi-fix
batch status LEDGER...`: arguments in, exit code out. The exit code is the
command line's table over what every repository leaves behind (`--help`),
128+N after signal N (the summary so far is printed first).

A typer application of its own (batch_app), added to the one command line
(cli_app.py) as the subcommand `batch`: the batch run is its own command
line and merge and status its subcommands, chosen by the first word only
(cli_group.py), so `./merge` and `-- merge` are checkouts. Its callbacks
return a BatchRun, run once parsing is over. click's usage errors are
printed as argparse printed them before (a `usage:` line, then `napi-fix
batch: error: ...`), and under --format json also as a JSON line, as the
summary would be. This module never imports the fix command's (cli.py).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from types import SimpleNamespace

from codemod.batch import redact
from codemod.batch.config import CONFLICTS, DEFAULT_BRANCH, DEFAULT_PATCH_DIR, Config
from codemod.batch.outcome import STATUSES, exit_code
from codemod.cli_options import (BATCH_FORMAT_HELP, BATCH_SUMMARY, JOBS_HELP, PATCH_VENDORED_HELP, PIN_HELP,
                                 SETTINGS_HELP, STRATEGY_HELP, SUMMARY, TABLE_FORMATS, metavar, wants_json)

DESCRIPTION = ("Fix the node-addon-api 8.2.0/8.2.1 ObjectWrap leak in many repositories. Each REPO is a local git "
               "checkout or a git URL.")
# `\b` keeps click from re-wrapping the paragraph after it (a table, a list).
EPILOG = """\b
commit and pull request text (--message, --pr-title, --pr-body): $subject,
$changes, $needs_person, $why, $repo, $branch and $base_branch are filled
in; @FILE reads a template from FILE.

modes, safest first: a dry run (the default: one patch per repository in
--patch-dir, nothing in any repository changes); --commit (a branch and one
commit per repository); --push (only with this flag). The empty Finalize
overrides of --strategy finalize|both are hygiene only: they do NOT stop the
8.2.0/8.2.1 leak, the version pin does.

\b
exit status: the most serious repository decides (2 > 1 > 3 > 0; 128+N after signal N):
  2  a repository failed, or the arguments, the list or a ledger are wrong
  1  a repository still has the leak, or napi-fix could not decide (needs-attention)
  3  no leak now, but changes are pending (pins of a safe range, hygiene-only)
  0  nothing remains (clean, fixed, hygiene-committed)"""
VERB_HELP = {
    "merge": "The combined summary of shard ledgers (each LEDGER a ledger.jsonl of a batch run), with the exit "
             "status of the batch over all of them (2 also when a shard is missing).",
    "status": "Where the pull requests of the repositories in the ledgers stand (open, merged, closed; checks), "
              "through gh. Exit 0 when every one is merged, 1 while any is not, 2 when gh cannot answer.",
}


@dataclass(frozen=True)
class BatchRun:
    """A parsed `napi-fix batch` command line (verb None: the batch run
    itself), run when called; the exit status."""

    verb: str | None
    args: SimpleNamespace

    def __call__(self) -> int:
        try:
            return _run(self.verb, self.args)
        except KeyboardInterrupt:  # before the batch's own handlers are in place, or after
            print("napi-fix batch: interrupted", file=sys.stderr)
            return 130


class UsageError(Exception):
    """A bad command line, from parse(): its usage line is printed, the message is this error's."""


def _count(text: str) -> int:
    import typer

    try:
        value = int(text)
    except ValueError:
        raise typer.BadParameter(f"invalid int value: {text!r}") from None
    if value < 1:
        raise typer.BadParameter("must be 1 or more")
    return value


def _seconds(text: str) -> float:
    import typer

    try:
        value = float(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a number of seconds") from None
    if not value > 0:  # (also NaN)
        raise typer.BadParameter("must be more than 0")
    return value


def _statuses(text: str) -> tuple[str, ...]:
    import typer

    found = tuple(s.strip() for s in text.split(",") if s.strip())
    unknown = [s for s in found if s not in STATUSES]
    if unknown or not found:
        raise typer.BadParameter(f"{', '.join(unknown) or text!r}: statuses are {', '.join(STATUSES)}")
    return found


def _choice(allowed: tuple[str, ...]):
    """A `--flag WORD` whose WORD is one of `allowed`; its metavar lists them."""
    import click

    return {"click_type": click.Choice(allowed), "metavar": metavar(allowed)}


def batch_app():
    """The typer application of `napi-fix batch`: the batch run as its own
    command line, `merge` and `status` as its subcommands."""
    import typer

    from codemod.cli_group import DefaultGroup

    class BatchGroup(DefaultGroup):
        operand, operand_noun = "REPO", "checkout"

    app = typer.Typer(cls=BatchGroup, invoke_without_command=True, add_completion=False, rich_markup_mode=None,
                      pretty_exceptions_enable=False,
                      context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
    output = typer.Option("text", "--format", help=BATCH_FORMAT_HELP, show_default=False, **_choice(TABLE_FORMATS))
    _add_batch(app, output)

    @app.command(help=VERB_HELP["merge"], short_help=BATCH_SUMMARY["merge"])
    def merge(ledgers: list[str] = _ledgers(), output: str = output):
        return BatchRun("merge", _given(SimpleNamespace(**locals())))

    @app.command(help=VERB_HELP["status"], short_help=BATCH_SUMMARY["status"])
    def status(ledgers: list[str] = _ledgers(), output: str = output,
               remote: str = typer.Option("origin", "--remote", metavar="REMOTE", show_default=False,
                                          help="the remote of the local checkouts (default: origin)")):
        return BatchRun("status", _given(SimpleNamespace(**locals())))

    return app


def _ledgers():
    import typer

    # Not `required` to click, which would print a `[required]` of its own: _given() checks.
    return typer.Argument(None, metavar="LEDGER...", show_default=False)


def _add_batch(app, output) -> None:
    """The batch run itself: every option, as argparse had them."""
    import typer

    from codemod.cli_group import complete_operand
    from codemod.options import PIN_MODES, STRATEGIES

    def flag(name: str, help: str):
        return typer.Option(False, name, help=help, show_default=False)

    def value(name: str, metavar: str, help: str, default=None, **more):
        return typer.Option(default, name, metavar=metavar, help=help, show_default=False, **more)

    def names(name: str, what: str):
        return typer.Option([], name, metavar="NAME", show_default=False,
                            help=f"{what} of the pull request (repeat for more)")

    @app.callback(help=DESCRIPTION, epilog=EPILOG, short_help=SUMMARY["batch"])
    def batch(
        repos: list[str] = typer.Argument(None, metavar="[REPO]...", show_default=False,
                                          autocompletion=complete_operand),
        from_file: str = value("--from", "FILE", "repositories, one per line (# comments), or a CSV with cloneUrl "
                                                 "and branch columns"),
        under: str = value("--under", "DIR", "every git checkout below DIR"),
        strategy: str = typer.Option(None, "--strategy", help=STRATEGY_HELP + SETTINGS_HELP % "pin",
                                     show_default=False, **_choice(STRATEGIES)),
        pin: str = typer.Option(None, "--pin", help=PIN_HELP + SETTINGS_HELP % "upgrade", show_default=False,
                                **_choice(PIN_MODES)),
        patch_vendored: bool = flag("--patch-vendored", PATCH_VENDORED_HELP),
        dry_run: bool = flag("--dry-run", "patches only (the default; not with --commit)"),
        commit: bool = flag("--commit", "commit on a branch made from the base"),
        branch: str = value("--branch", "BRANCH", f"the branch to commit on (default: {DEFAULT_BRANCH})",
                            DEFAULT_BRANCH),
        conflict: str = typer.Option("skip", "--conflict", show_default=False, **_choice(CONFLICTS),
                                     help="when the branch exists with a different change (default: skip)"),
        no_verify: bool = flag("--no-verify", "do not run git hooks"),
        verify: str = value("--verify", "CMD", "run CMD in the worktree after the edit; non-zero fails the repo"),
        push: bool = flag("--push", "push the branch (needs --commit)"),
        remote: str = value("--remote", "REMOTE", "the remote a local checkout pushes to (default: origin)",
                            "origin"),
        fork: bool = flag("--fork", "push to your fork (gh repo fork makes it) and open the pull request from it"),
        open_pr: bool = flag("--open-pr", "open a pull request with gh, or print the command"),
        message: str = value("--message", "TEMPLATE", "the commit message (a trailer is added)"),
        pr_title: str = value("--pr-title", "TEMPLATE", "the pull request's title"),
        pr_body: str = value("--pr-body", "TEMPLATE", "the pull request's body (markdown)"),
        signoff: bool = flag("--signoff", "add a Signed-off-by trailer (DCO)"),
        draft: bool = flag("--draft", "open the pull request as a draft"),
        label: list[str] = names("--label", "a label"),
        reviewer: list[str] = names("--reviewer", "a reviewer"),
        assignee: list[str] = names("--assignee", "an assignee"),
        commit_hygiene_only: bool = flag(
            "--commit-hygiene-only", "also commit (and push) repositories without the leak whose only change is the "
                                     "empty Finalize overrides of --strategy finalize|both (default: patch only, "
                                     "status hygiene-only)"),
        max_pushes: int = value("--max-pushes", "N", "push at most N branches in this run", parser=_count),
        canary: int = value("--canary", "N", "stop after the first N pushes", parser=_count),
        timeout: float = value("--timeout", "SECONDS", "per repository", parser=_seconds),
        patch_dir: str = value("--patch-dir", "DIR", f"patches, reports, logs, the ledger (default: "
                                                     f"{DEFAULT_PATCH_DIR} here, or beside the checkout you are in)"),
        ledger: str = value("--ledger", "FILE", "default: ledger.jsonl in the patch dir"),
        resume: bool = flag("--resume", "skip repositories the ledger has done"),
        only: str = value("--only", "STATUS[,STATUS]", "only repositories whose last ledger outcome has one of "
                                                       "these statuses (e.g. failed)", parser=_statuses),
        shard: str = value("--shard", "K/N", "take shard K of N (default: JOB_COMPLETION_INDEX/JOB_COMPLETIONS "
                                             "when set)"),
        jobs: int = typer.Option(0, "-j", "--jobs", metavar="N", help=JOBS_HELP, show_default=False),
        output: str = output,
    ):
        if _subcommand_chosen():  # merge or status: the batch run's own options are not used
            return None
        if dry_run and commit:
            import click

            raise click.UsageError("argument --commit: not allowed with argument --dry-run")
        arguments = SimpleNamespace(**locals())
        arguments.repos = list(repos or ())
        return BatchRun(None, arguments)


def _subcommand_chosen() -> bool:
    import click

    return click.get_current_context().invoked_subcommand is not None


def _given(arguments: SimpleNamespace) -> SimpleNamespace:
    """`arguments` of `batch merge|status`, which needs at least one LEDGER."""
    import click

    if not arguments.ledgers:
        raise click.UsageError("the following arguments are required: LEDGER")
    return arguments


def parse(argv: list[str]) -> tuple[str | None, SimpleNamespace | None]:
    """The verb (None for the batch run itself) and its arguments, read by
    batch's application alone; None arguments after --help (printed).
    Raises UsageError on a bad command line, its usage line printed on
    stderr. (The one command line, cli_app.py, reads `napi-fix batch ...`
    with the same application.)"""
    import click
    import typer

    command = typer.main.get_command(batch_app())
    try:
        chosen = command.main(args=argv, prog_name="napi-fix batch", standalone_mode=False)
    except click.UsageError as exc:
        raise UsageError(_explain(exc, command, argv, "napi-fix batch")) from None
    if chosen == 130:  # typer's word for Ctrl-C while parsing, when not standalone
        raise KeyboardInterrupt
    # Otherwise what the command returned, or 0 after --help (printed).
    return (chosen.verb, chosen.args) if isinstance(chosen, BatchRun) else (None, None)


def usage_error(exc, command, argv: list[str], prog: str) -> int:
    """A usage error of `command` (batch's click group; `argv` its words)
    as batch says it: exit 2."""
    return _usage_error(_explain(exc, command, argv, prog), wants_json(argv))


def _explain(exc, command, argv: list[str], prog: str) -> str:
    """The usage line on stderr; the message to print after it."""
    import click

    verb = argv[0] if argv[:1] in (["merge"], ["status"]) else None
    if verb:
        prog, command = f"{prog} {verb}", command.commands[verb]
    usage = (exc.ctx or click.Context(command, info_name=prog)).get_usage()  # (a missing value has no context)
    print("usage: " + usage.removeprefix("Usage: "), file=sys.stderr)
    return f"{prog}: error: {_words(exc)}"


def _words(exc) -> str:
    """A usage error as argparse said it: `argument --flag: what is wrong`."""
    import click

    if isinstance(exc, click.BadParameter) and not isinstance(exc, click.MissingParameter) and exc.param is not None:
        return f"argument {'/'.join(exc.param.opts)}: {exc.message}"
    return exc.format_message()


def _run(verb: str | None, args: SimpleNamespace) -> int:
    if verb == "merge":
        return merge(args)
    if verb == "status":
        return status(args)
    as_json = args.output == "json"
    try:
        config = _config(args)
        from codemod.batch.inputs import collect

        specs = collect(args.repos, args.from_file, args.under)
        _remember_rewrites()
    except (ValueError, OSError) as exc:  # InputError, ShardError, a bad flag combination
        return _usage_error(f"napi-fix batch: error: {redact.text(str(exc))}", as_json)
    if not specs:
        return _usage_error("napi-fix batch: error: no repositories given (REPO, --from FILE or --under DIR)",
                            as_json)
    return execute(specs, config)


def _usage_error(message: str, as_json: bool) -> int:
    """`message` on stderr; under --format json also a JSON line on stdout, as the summary line would be."""
    import json

    print(message, file=sys.stderr)
    if as_json:
        print(json.dumps({"type": "error", "error": message, "exit_code": 2}, sort_keys=True))
    return 2


def _outside_checkouts(folder: str) -> str:
    """`folder`, or when it is inside a git checkout, the folder holding
    that checkout (and any checkout around it): napi-fix's files never land
    in a repository as untracked files."""
    from codemod.batch.git import NO_PROGRAMS, run

    while True:
        top = run(["git", *NO_PROGRAMS, "rev-parse", "--show-toplevel"], folder)
        if top.returncode != 0 or not top.stdout.strip():
            return folder
        folder = os.path.dirname(os.path.realpath(top.stdout.strip()))


def _template(text: str | None) -> str | None:
    """A template as given, or read from the file that @FILE names."""
    if text is None or not text.startswith("@"):
        return text
    try:
        with open(text[1:], encoding="utf-8") as handle:
            return handle.read()
    except OSError as exc:
        raise ValueError(f"{text[1:]}: cannot read the template: {exc.strerror or exc}") from None


def _check_branch(name: str) -> None:
    """--branch is a branch name git takes (before any repository is touched)."""
    from codemod.batch.git import NO_PROGRAMS, run

    if name.startswith("-") or run(["git", *NO_PROGRAMS, "check-ref-format", f"refs/heads/{name}"],
                                   os.getcwd()).returncode != 0:
        raise ValueError(f"--branch {name!r} is not a valid branch name (git check-ref-format)")


def _remember_rewrites() -> None:
    """The tokens `url.<base>.insteadOf` rules put into URLs (a CI recipe's
    way): git may echo the rewritten URL in a message, which must lose them."""
    from codemod.batch.git import NO_PROGRAMS, run

    rules = run(["git", *NO_PROGRAMS, "config", "--get-regexp", r"^url\."], os.getcwd())
    redact.remember(rules.stdout)


def _config(args) -> Config:
    from codemod.batch import shard
    from codemod.options import DEFAULT_PIN_MODE, DEFAULT_STRATEGY, Options
    from codemod.parallel import default_jobs

    if args.push and not args.commit:
        raise ValueError("--push needs --commit")
    _check_branch(args.branch)
    if args.commit_hygiene_only and not args.commit:
        raise ValueError("--commit-hygiene-only needs --commit")
    if (args.open_pr or args.max_pushes or args.canary or args.fork) and not args.push:
        raise ValueError("--open-pr, --max-pushes, --canary and --fork need --push")
    if (args.message or args.signoff) and not args.commit:
        raise ValueError("--message and --signoff need --commit")
    pr_options = (["--draft"] if args.draft else []) + [
        word for flag in ("label", "reviewer", "assignee") for name in getattr(args, flag)
        for word in (f"--{flag}", name)]
    if (args.pr_title or args.pr_body or pr_options) and not args.open_pr:
        raise ValueError("--pr-title, --pr-body, --draft, --label, --reviewer and --assignee need --open-pr")
    patch_dir = os.path.abspath(args.patch_dir or os.path.join(_outside_checkouts(os.getcwd()), DEFAULT_PATCH_DIR))
    shard_of = shard.parse(args.shard) if args.shard else shard.from_environment()
    default_ledger = "ledger.jsonl" if shard_of is None else f"ledger-{shard_of[0]}-of-{shard_of[1]}.jsonl"
    return Config(
        options=Options(args.strategy or DEFAULT_STRATEGY, args.pin or DEFAULT_PIN_MODE, args.patch_vendored),
        explicit=frozenset(k for k in ("strategy", "pin") if getattr(args, k) is not None),
        commit=args.commit, branch=args.branch,
        conflict=args.conflict, no_verify=args.no_verify, verify=args.verify, push=args.push, remote=args.remote,
        open_pr=args.open_pr, commit_hygiene_only=args.commit_hygiene_only, message=_template(args.message),
        pr_title=_template(args.pr_title), pr_body=_template(args.pr_body), signoff=args.signoff,
        pr_options=tuple(pr_options), fork=args.fork, max_pushes=args.max_pushes,
        canary=args.canary, timeout=args.timeout,
        patch_dir=patch_dir, ledger=os.path.abspath(args.ledger or os.path.join(patch_dir, default_ledger)),
        resume=args.resume, only=args.only or (), shard=shard_of, jobs=args.jobs if args.jobs > 0 else default_jobs(),
        output=args.output,
    )


def execute(specs, config: Config) -> int:
    from codemod.batch import report
    from codemod.batch.ledger import LedgerError
    from codemod.batch.run import run

    def live_for(chosen):
        return report.Live(config.output, len(chosen), [s.id for s in chosen], sys.stdout, sys.stderr)

    try:
        result = run(specs, config, live_for)
    except LedgerError as exc:
        print(f"napi-fix batch: error: {redact.text(str(exc))}", file=sys.stderr)
        return 2
    notes = []
    if result.excluded:
        notes.append(f"{result.excluded} repositories belong to other shards than {config.shard[0]}/{config.shard[1]}")
    not_started = len(result.not_started) + len(result.rolled_back)
    if not_started:
        notes.append(f"{not_started} repositories not started; run again with --resume")
    if result.stopped:
        notes.append(result.stopped)
    if any(o.patch for o in result.outcomes):
        notes.append(f"patches: {config.patch_dir}")
    notes.append(f"ledger: {config.ledger}")
    code = exit_code(result.outcomes) if result.signal is None else 128 + result.signal
    _print(result.outcomes, config.output, report.summary(result.outcomes, result.stopped, code,
                                                          not_started=result.not_started,
                                                          rolled_back=result.rolled_back), notes)
    return code


def _read_ledgers(paths: list[str]):
    """The last outcome of each repository in the ledgers, the shards
    missing from them, and warnings; raises LedgerError for bad input."""
    from codemod.batch import ledger

    records, shards, warnings = [], [], []
    for path in paths:
        if not os.path.isfile(path):
            raise ledger.LedgerError(f"{path}: no such file")
        found, their_shards, their_warnings = ledger.read_strict(path)
        records += found
        shards += their_shards
        warnings += their_warnings
    missing = ledger.missing_shards(shards)
    records.sort(key=lambda r: str(r.get("time", "")))  # stable: a file's own order breaks ties
    return list(ledger.latest(records).values()), missing, warnings


def merge(args) -> int:
    from codemod.batch import ledger, report

    try:
        outcomes, missing, warnings = _read_ledgers(args.ledgers)
    except ledger.LedgerError as exc:
        print(f"napi-fix batch merge: error: {redact.text(str(exc))}", file=sys.stderr)
        return 2
    # A missing shard is missing input: whatever its repositories hold is unknown.
    code = 2 if missing else exit_code(outcomes)
    if args.output == "json":
        from codemod.batch.report import json_line

        for outcome in sorted(outcomes, key=lambda o: o.repo):
            print(json_line(outcome))
    notes = warnings + ([f"missing shards: {', '.join(missing)}: their repositories are not in this summary"]
                        if missing else [])
    _print(outcomes, args.output, report.summary(outcomes, code=code, missing_shards=missing), notes)
    return code


def status(args) -> int:
    import json
    from collections import Counter

    from codemod.batch import ledger, report
    from codemod.batch import status as pulls

    try:
        outcomes, missing, warnings = _read_ledgers(args.ledgers)
    except ledger.LedgerError as exc:
        print(f"napi-fix batch status: error: {redact.text(str(exc))}", file=sys.stderr)
        return 2
    if not pulls.available():
        print("napi-fix batch status: error: gh is not installed (https://cli.github.com)", file=sys.stderr)
        return 2
    found = [pulls.ask(o, args.remote) for o in pulls.committed(outcomes)]
    code = 2 if missing else pulls.exit_code(found)
    states = Counter(p.state for p in found)
    totals = {"type": "summary", "repos": len(found), "states": dict(sorted(states.items())), "exit_code": code,
              **({"missing_shards": missing} if missing else {})}
    short = report.names(p.repo for p in found)
    rows = [[short[p.repo], p.state + (" (draft)" if p.draft else ""), p.checks or "-", p.url or p.error or "-"]
            for p in found]
    line = f"{len(found)} pull requests: " + (", ".join(f"{n} {s}" for s, n in sorted(states.items())) or "none")
    if args.output == "json":
        for p in found:
            print(json.dumps(p.to_json(), sort_keys=True))
        print(json.dumps(totals, sort_keys=True))
    elif args.output == "markdown":
        print(f"**napi-fix batch status**: {line}\n\n| repo | state | checks | pull request |\n|---|---|---|---|")
        for row in rows:
            print("| " + " | ".join(c.replace("|", "\\|") for c in row) + " |")
    else:
        sys.stdout.write(report.columns([["repo", "state", "checks", "pull request"], *rows]) + line + "\n")
    for note in warnings + ([f"missing shards: {', '.join(missing)}"] if missing else []):
        print(f"note: {note}", file=sys.stderr)
    return code


def _print(outcomes, output: str, totals: dict, notes: list[str]) -> None:
    import json

    from codemod.batch import report

    if output == "json":
        print(json.dumps(totals, sort_keys=True))
        for note in notes:
            print(f"note: {note}", file=sys.stderr)
    elif output == "markdown":
        sys.stdout.write(report.markdown(outcomes, totals))
        for note in notes:
            print(f"note: {note}", file=sys.stderr)
    else:
        sys.stdout.write(report.table(outcomes) + report.summary_line(totals) + "\n")
        for note in notes:
            print(f"note: {note}")
    sys.stdout.flush()
