"""Each rule owns its words (codemod/rules.py): analysis words a finding's
facts, and what a front-end says in its own terms (a flag, a setting) is a
code on the finding that present/words.py and lsp/words.py word."""

from __future__ import annotations

import re

import pytest

from codemod.lsp.words import said
from codemod.present.words import reason
from codemod.results import WITHHELD_NOT_ASKED
from codemod.rules import RULES
from checkout import ROOT
from helpers import copy_example, plan

# napi-fix's own options: an analysis reason names none of them (a command a
# person runs, `npm install ... --save-prod`, is not napi-fix's).
FLAG = re.compile(r"--(?:strategy|pin|patch-vendored|dry-run|format|force|package-roots|jobs)\b")
PLANS = [
    pytest.param(example, strategy, options, id=f"{example}-{strategy}{'-patch' if options else ''}")
    for example in ("leaky-addon", "monorepo", "vendored")
    for strategy, options in (("pin", {}), ("finalize", {}), ("both", {}), ("pin", {"patch_vendored": True}))
]


@pytest.mark.parametrize("example, strategy, options", PLANS)
def test_no_analysis_reason_names_a_flag(tmp_path, example, strategy, options):
    report = plan([copy_example(example, tmp_path / "tree")], strategy, **options)
    words = [f.reason for r in report.files for f in r.findings] + [
        r.message for result in report.files for f in result.findings for r in f.related]
    assert words and not [w for w in words if FLAG.search(w)]


def test_a_pin_not_asked_for_is_worded_by_each_front_end_in_its_own_terms(tmp_path):
    report = plan([copy_example("leaky-addon", tmp_path / "tree")], "finalize")
    withheld = [f for r in report.files for f in r.findings if f.withheld == WITHHELD_NOT_ASKED]
    assert {f.rule for f in withheld} == {"NAPI001", None} and not any(f.edits for f in withheld)
    for finding in withheld:
        assert reason(finding, leak=False) == finding.reason + (
            " (not planned: --strategy finalize; the pin is the fix, --strategy pin or both plans it)")
        assert said(finding) == finding.reason + (
            " (not planned: the strategy is finalize; the pin is the fix, the strategy pin or both plans it)")
    pinned = plan([copy_example("leaky-addon", tmp_path / "pinned")], "pin")
    assert not [f for r in pinned.files for f in r.findings if f.withheld is not None]


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_each_rule_has_a_page_that_says_what_why_the_fix_and_how_to_suppress(rule):
    page = (ROOT / "docs" / "rules" / f"{rule.id}.md").read_text(encoding="utf-8")
    assert rule.help_uri.endswith(f"/docs/rules/{rule.id}.md")
    assert page.startswith(f"# {rule.id}: ") and f"({rule.level})" in page.splitlines()[0]
    for heading in ("## What it detects", "## Why ", "## What the fix will change", "## How to suppress it"):
        assert heading in page, heading


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_the_readme_lists_each_rule_with_its_level_and_page(rule):
    """The README's rules table words each rule shorter than its page, but
    its id, level and link are the rule's own."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"| [`{rule.id}`](docs/rules/{rule.id}.md) | {rule.level} |" in readme
    assert rule.help_uri.endswith(f"/docs/rules/{rule.id}.md")
