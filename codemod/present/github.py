"""--format github: GitHub Actions workflow commands, one annotation a line.

`::error file=F,line=L,endLine=E,col=C,endColumn=D,title=T::message` for each
finding that has a rule (warning and notice by its level: a leaky copy no
ObjectWrap class compiles against today is a warning), and one `::error`
per file napi-fix could not handle. Escaped as the runner unescapes
(actions/runner ActionCommand): in the message `%`, CR and LF; in property
values also `:` and `,`. Columns are UTF-16 and only given when the span
stays on one line: the runner drops them otherwise.
"""

from __future__ import annotations

from codemod.present.paths import label
from codemod.present.places import Places
from codemod.present.words import reason
from codemod.results import Report
from codemod.rules import BY_ID
from codemod.sources.base import Sources

COMMANDS = {"error": "error", "warning": "warning", "note": "notice"}


def to_github(report: Report, cwd: str, sources: Sources | None = None) -> str:
    places = Places(report, sources)
    lines = []
    for result in report.files:
        if result.error is not None:
            where = {"file": label(result.path, cwd)} | ({"line": result.error_line} if result.error_line else {})
            lines.append(command("error", where | {"title": "napi-fix"}, result.error))
        for finding in result.findings:
            rule = BY_ID.get(finding.rule or "")
            if rule is None:
                continue
            region = places.of_finding(finding)
            where = {"file": label(finding.path, cwd), "line": region.start_line, "endLine": region.end_line}
            if region.start_line == region.end_line:
                where |= {"col": region.start_column, "endColumn": region.end_column}
            lines.append(command(COMMANDS[finding.level], where | {"title": f"{rule.id} {rule.name}"},
                                 reason(finding)))
    return "".join(line + "\n" for line in lines)


def command(name: str, properties: dict, message: str) -> str:
    listed = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{name} {listed}::{escape_data(message)}"


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
