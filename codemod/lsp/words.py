"""The editor's words for what a finding carries as a code, not words.

Analysis reasons never name a command-line flag (present/words.py says
those in the command line's terms): the editor says the same facts in terms
of its own settings (`napi-fix.strategy`). A hint adds nothing to the
editor's message: each names another way to run napi-fix, which in the
editor is a setting (`napi-fix.patchVendored`, docs/editors.md).
"""

from __future__ import annotations

from codemod.results import WITHHELD_NOT_ASKED, Finding

WITHHELD = {
    WITHHELD_NOT_ASKED: " (not planned: the strategy is finalize; the pin is the fix, the strategy pin or both "
                        "plans it)",
}


def said(finding: Finding) -> str:
    """The reason, and why its edits were withheld in the editor's terms."""
    return finding.reason + WITHHELD.get(finding.withheld or "", "")
