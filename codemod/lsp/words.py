"""The editor's words for what a finding carries as a code, not words.

Analysis reasons never name a command-line flag (present/words.py says
those in the command line's terms): the editor says the same facts in terms
of its own settings (`napi-fix.strategy`). Its hints are code actions, not
words, so a hint adds nothing to a message here.
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
