"""Hover on a finding: what the rule means, what its fix will change, and
the measured truth, by the fix's applicability. Pure: Markdown text from a
finding and its fix (codemod/fixes.py), no LSP types, no I/O.

The fix's lines are the merged edits the quick fix applies (the same bytes
`napi-fix PATH` writes), each as "file line N: old -> new".
"""

from __future__ import annotations

import os

from codemod.fixes import Fix
from codemod.results import Finding
from codemod.lsp.words import said
from codemod.rules import BY_ID, HYGIENE, HYGIENE_TRUTH, MANUAL
from codemod.textpos import line_of

MAX_EDITS = 8  # lines listed before "and N more"
MAX_TEXT = 72  # characters of a changed text shown
PIN_TRUTH = ("Measured: the version pin is the fix. With 8.2.0/8.2.1 every garbage-collected ObjectWrap leaks "
             "one napi_ref; with 8.2.2 (or 8.1.0) none does. An empty Finalize override does not change that.")
HYGIENE_SAID = f"{HYGIENE_TRUTH} Fix-all applies it with the `strategy` setting `pin` (the default)."
MANUAL_TRUTH = "napi-fix will not change this: a person must look (the message says what to do)."


def hover_text(finding: Finding, fix: Fix | None, folder: str) -> str:
    """Markdown for `finding`; `fix`: its quick fix, if it has one;
    `folder`: what file names are shown relative to."""
    rule = BY_ID[finding.rule]
    parts = [f"**{rule.id}** {_escape(rule.short)}", _escape(said(finding))]
    if fix is not None and fix.files:
        parts.append("**The fix will change:**\n" + "\n".join(_edit_lines(fix, folder)))
    elif rule.applicability != MANUAL:
        parts.append("No edit is planned for this finding with the current settings.")
    if finding.command:  # a refusal's: the message names it too, but here it can be copied whole
        parts.append(f"**Run:** `{_code_span(finding.command)}`")
    parts.append({HYGIENE: HYGIENE_SAID, MANUAL: MANUAL_TRUTH}.get(rule.applicability, PIN_TRUTH))
    parts.append(f"[{rule.id}: what it means and how to suppress it]({rule.help_uri})")
    return "\n\n".join(parts)


def _edit_lines(fix: Fix, folder: str) -> list[str]:
    lines = []
    for part in sorted(fix.files, key=lambda p: p.path):
        name = os.path.relpath(part.path, folder)
        for edit in sorted(part.edits, key=lambda e: e.start):
            old = _shown(part.original[edit.start:edit.end])
            new = _shown(edit.text)
            what = f"`{old}` → `{new}`" if old else f"insert `{new}`"
            lines.append(f"- {_escape(name)} line {line_of(part.original, edit.start)}: {what}")
    if len(lines) > MAX_EDITS:
        lines = lines[:MAX_EDITS] + [f"- and {len(lines) - MAX_EDITS} more"]
    return lines


def _code_span(text: str) -> str:
    """Text on one line, safe inside a Markdown code span (package names come from the repository)."""
    return " ".join(text.split()).replace("`", "'")


def _shown(data: bytes) -> str:
    """A changed text on one line, short, safe inside a Markdown code span."""
    text = _code_span(data.decode("utf-8", "replace"))
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT - 1] + "…"


def _escape(text: str) -> str:
    """Plain text as Markdown: characters that would format escaped (`<T>` would vanish as a tag)."""
    return "".join("\\" + c if c in "\\<>*_[]#" else c for c in text)
