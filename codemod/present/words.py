"""The command line's words: the notes and hints that name its flags.

Analysis reasons never mention a flag; a finding carries a hint code and
the command line says it in its own terms here (the editor offers a code
action instead).
"""

from __future__ import annotations

from codemod.options import FINALIZING
from codemod.results import (
    HINT_KEEP_COPY,
    HINT_NO_PACKAGE,
    HINT_OTHER_PM,
    HINT_PATCH_COPY,
    WITHHELD_NOT_ASKED,
    Finding,
    Report,
)
from codemod.rules import HYGIENE_TRUTH

HYGIENE_NOTE = f"{HYGIENE_TRUTH} `napi-fix --strategy pin` plans it."

HINTS = {
    HINT_KEEP_COPY: " (use --patch-vendored to keep the copy and fix it instead)",
    HINT_NO_PACKAGE: ": use --patch-vendored",
    HINT_OTHER_PM: ", or use --patch-vendored",
    HINT_PATCH_COPY: ", or run with --patch-vendored to apply upstream's fix",
}

WITHHELD = {
    WITHHELD_NOT_ASKED: " (not planned: --strategy finalize; the pin is the fix, --strategy pin or both plans it)",
}


def reason(finding: Finding, leak: bool = True) -> str:
    """The reason, why its edits were withheld and its hint in the command
    line's words, then whether the copy leaks (`leak`: a fix's description
    says what it changes, not that)."""
    said = finding.reason + WITHHELD.get(finding.withheld or "", "") + HINTS.get(finding.hint or "", "")
    return f"{said}; {finding.leak_detail}" if leak and finding.leak_detail else said


def notes(report: Report) -> tuple[str, ...]:
    hygiene = (HYGIENE_NOTE,) if report.strategy in FINALIZING else ()
    return hygiene + report.notes
