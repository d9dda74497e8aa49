"""A command group whose own command is the default: `napi-fix PATH...` is
the fix command and `napi-fix batch ...` a subcommand, in one click group.

click's Group reads its own options, then takes the first word left as a
subcommand's name; a group whose own arguments are PATHs (any number) would
swallow that word, and `napi-fix lsp` would plan a folder. So the first word
decides before anything is parsed: a subcommand's name is that subcommand,
anything else is the group's own command line (`./lsp`, or `-- lsp`, plans
a folder named lsp). Only the first word: `napi-fix --dry-run lsp` plans one
too. The same class serves `napi-fix batch`, whose REPOs are its own command
and `merge` and `status` its subcommands.

Its help lists each subcommand with its usage line (nested ones too) and
says how to name a folder spelled like one. Imported on typer's path only.
"""

from __future__ import annotations

import glob
import inspect
from typing import Callable

import click
from click.core import ParameterSource
from typer.core import TyperGroup


class SubContext(click.Context):
    """A subcommand's context, whose path is its parent's and its own name:
    click would put the parent's arguments between them, and a parent that
    takes PATHs would make `napi-fix [PATH]... lsp` of `napi-fix lsp`."""

    @property
    def command_path(self) -> str:
        return f"{self.parent.command_path} {self.info_name}" if self.parent else super().command_path


class DefaultGroup(TyperGroup):
    """Parses as a plain command unless the first word names a subcommand."""

    # Subcommands made when first asked for, by name: making batch's and probe's typer commands costs
    # a third of the typer path's start-up, which `napi-fix -- lsp` or a fix usage error need not pay.
    lazy: dict[str, Callable[[], click.Command]] = {}

    def __init__(self, **attrs):
        super().__init__(**attrs)
        as_typer_meant(self)
        for command in self.commands.values():
            fit(command)

    def get_command(self, ctx: click.Context | None, name: str) -> click.Command | None:
        if name not in self.commands and name in self.lazy:
            command = self.lazy[name]()
            fit(command)
            self.add_command(command, name)
        return self.commands.get(name)

    def list_commands(self, ctx: click.Context | None) -> list[str]:
        return sorted({*self.commands, *self.lazy})  # (typer's order is "commands, then groups")

    allow_interspersed_args = True  # the group's own command line: options anywhere among its PATHs
    operand = "PATH"  # what the group's own arguments are called in its help (batch: REPO)
    operand_noun = "folder"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args[:1] and args[0] in self.list_commands(ctx):
            # The group's own options at their defaults; the subcommand's words wait in ctx.args,
            # where invoke() and click's shell completion (ctx.args after the protected ones) find them.
            click.Command.parse_args(self, ctx, [])
            ctx.args = list(args)
            return ctx.args
        return click.Command.parse_args(self, ctx, args)

    def invoke(self, ctx: click.Context):
        if not self.chosen(ctx):
            return super().invoke(ctx)  # the group's own command (invoke_without_command)
        name, *words = ctx.args
        ctx.args = []
        with ctx:
            command = self.get_command(ctx, name)
            ctx.invoked_subcommand = name
            click.Command.invoke(self, ctx)  # the group's callback, which returns at once
            with command.make_context(name, words, parent=ctx) as sub:
                return sub.command.invoke(sub)

    def chosen(self, ctx: click.Context) -> str | None:
        """The subcommand parse_args chose, if any."""
        return ctx.args[0] if ctx.args[:1] and ctx.args[0] in self.list_commands(ctx) else None

    def format_arguments(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Nothing: typer 0.19 lists the arguments with the options (click 8.5 would list them twice)."""

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        return click.Command.collect_usage_pieces(self, ctx)  # `[OPTIONS] [PATH]...`: no COMMAND of its own

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Each subcommand's usage line (its options left out) and summary,
        then how to name a folder spelled like one. Written as is: click
        would re-wrap the table."""
        rows = list(usage_rows(self, ctx))
        if not rows:
            return
        names = self.list_commands(ctx)
        listed = ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]
        width = max(len(usage) for usage, _ in rows) + 2
        indent = " " * (formatter.current_indent + 2)
        formatter.write_paragraph()
        formatter.write(f"{indent}Commands (a first argument {listed} is the subcommand, not a {self.operand}):\n")
        formatter.write("".join(f"{indent}  {usage.ljust(width)}{summary}\n" for usage, summary in rows))
        formatter.write(f"{indent}A {self.operand_noun} named like one is a {self.operand} when spelled ./{names[0]} "
                        f"or given after --: {ctx.command_path} -- {names[0]}\n")


def fit(command: click.Command) -> None:
    """A subcommand as the group shows it: its path without the group's
    arguments, its arguments listed once (typer 0.19 lists them among the
    options; click 8.5 added a section of its own) with their help."""
    command.context_class = SubContext
    command.format_arguments = lambda ctx, formatter: None  # (as DefaultGroup.format_arguments)
    as_typer_meant(command)


def as_typer_meant(command: click.Command) -> None:
    """`command`'s parameters as typer 0.19 (pinned for start-up) meant
    them with the click it was written for. click 8.5 gave every parameter
    a help of its own, set in the __init__ that typer calls after setting an
    argument's: `--help` would list `[PATH]...` with no words; it is put back
    from the callback's typer.Argument(help=...). click 8.2 tells of an
    environment variable in a usage error whenever show_envvar is on, which
    typer turns on for every option: "Invalid value for '--jobs' (env var:
    'None')"; off where there is none."""
    # typer's wrapper of the callback leads inspect to the function itself
    declared = inspect.signature(command.callback).parameters if command.callback else {}
    for param in command.params:
        if isinstance(param, click.Option) and param.envvar is None:
            param.show_envvar = False
        info = declared[param.name].default if param.name in declared else None
        if isinstance(param, click.Argument) and not getattr(param, "help", None) and getattr(info, "help", None):
            param.help = info.help


def usage_rows(group: click.Group, ctx: click.Context):
    """(usage line without [OPTIONS], summary) of every subcommand below
    `group`, nested ones after their parent."""
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command.hidden:
            continue
        sub = command.context_class(command, info_name=name, parent=ctx)
        pieces = [piece for piece in command.collect_usage_pieces(sub) if piece != command.options_metavar]
        yield " ".join([sub.command_path, *pieces]), command.get_short_help_str(200)
        if isinstance(command, click.Group):
            yield from usage_rows(command, sub)


def complete_operand(ctx: click.Context, incomplete: str) -> list[str]:
    """Shell completion of a PATH (or REPO): as the first word (nothing
    parsed yet), the subcommands that start with `incomplete`, unless a file
    or folder here does too. Offering anything turns the shell's own
    file-name completion off, and that (slashes, quoting) is what a PATH wants."""
    if any(_given(ctx, param) for param in ctx.command.params):
        return []
    if incomplete.startswith("-") or glob.glob(glob.escape(incomplete) + "*"):
        return []
    return [name for name in ctx.command.list_commands(ctx) if name.startswith(incomplete)]


def _given(ctx: click.Context, param: click.Parameter) -> bool:
    """Whether a word of the command line set `param`. click 8.1 and 8.2
    mark an argument that takes any number as set by the command line even
    when no word was given (an empty tuple); 8.3 and later mark it a default."""
    if ctx.get_parameter_source(param.name) is not ParameterSource.COMMANDLINE:
        return False
    return not (isinstance(param, click.Argument) and param.nargs == -1 and not ctx.params.get(param.name))


def complete_words(words: tuple[str, ...]):
    """Shell completion of an option whose value is one of `words`."""
    def complete(incomplete: str) -> list[str]:
        return [word for word in words if word.startswith(incomplete)]
    return complete
