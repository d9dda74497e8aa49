"""Files planned together are written together, or not at all.

A package root's package.json and its lockfiles are planned as one unit
(manifests/plan.py), a C/C++ file as its own: when one file of a unit fails
(cannot be read or parsed, a conflict, an edit refused) or napi-fix refuses
the unit, the other files' edits are withheld too, so a package.json never
goes out of step with its lock. Their findings stay, saying why nothing was
planned. The rule is applied where each failure is first known: the root
planner withholds a root it could not read or refuses (before its edits are
merged), the engine a unit that failed later (merge, the scope check).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable

from codemod.results import WITHHELD_NOT_ASKED, FileResult, Finding

NOT_PLANNED = " (not planned: another file of this package could not be read, or napi-fix refuses it)"


def withheld(found: Iterable[Finding]) -> list[Finding]:
    """`found` with every edit withheld, each finding that had one saying why."""
    return [replace(f, edits=(), reason=f.reason + NOT_PLANNED) if f.edits else f for f in found]


def not_asked(found: Iterable[Finding]) -> list[Finding]:
    """`found` with every edit withheld because the strategy does not pin
    (finalize): its roots are planned for what they say (the leak verdicts
    need them), not for what they would change (engine.py). Which setting
    says so is a front-end's word (present/words.py names the flag), so the
    finding carries a code, not words."""
    return [replace(f, edits=(), withheld=WITHHELD_NOT_ASKED) if f.edits else f for f in found]


def withhold_broken_units(results: dict[str, FileResult]) -> dict[str, FileResult]:
    """The results of units where a file failed, with their edits withheld."""
    broken = {r.unit for r in results.values() if r.error is not None}
    for path, result in results.items():
        if result.error is None and result.edits and result.unit in broken:
            results[path] = replace(result, edits=(), original=None, findings=tuple(withheld(result.findings)))
    return results
