"""Which edits each fix applies, from a Report. Pure: no LSP types.

- A manifest finding (NAPI001/NAPI002 on a spec or a lock entry, NAPI003 on
  a gyp target or a vendored copy) is fixed by every edit of its unit, the
  package root: the files the engine planned together are written
  together, so the spec and its lock entry move in one edit, lockfile
  included whether it is open or not.
- A C++ finding (NAPI004) is fixed by its own insertion.
- Fix-all: every edit of the document's package root the configured
  strategy plans: the root's manifests (pin), the C++ files whose nearest
  root it is (finalize). The fixAll command: the same for every root.
Applied together, the edits give the bytes `napi-fix PATH` writes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Callable

from codemod.fixes import Change, fix_changes
from codemod.options import Options
from codemod.results import FileResult, Finding, Report
from codemod.rules import ADMITS_BAD, LEAKY_HEADERS, NO_FINALIZE, RESOLVES_BAD
from codemod.sources.base import within

PIN_RULES = (RESOLVES_BAD.id, ADMITS_BAD.id, LEAKY_HEADERS.id)
FIX_ALL = "fix-all"
FIX_WORKSPACE = "fix-workspace"


@dataclass(frozen=True)
class Fix:
    key: str  # stable across re-plans of the same bytes: how codeAction/resolve finds it again
    title: str
    changes: tuple[Change, ...]
    finding: Finding | None = None  # None: fix-all


def finding_key(finding: Finding) -> str:
    return f"{finding.rule}:{finding.span or finding.line}"


def quick_fixes(report: Report, path: str, wanted: Callable[[Finding], bool] = lambda finding: True) -> list[Fix]:
    """One fix per fixable finding of `path` that is `wanted` (a generated
    header has thousands: a code action asks for those under the cursor)."""
    result = _result(report, path)
    if result is None or result.error is not None:
        return []
    fixes = []
    for finding in filter(wanted, result.findings):
        changes = _finding_changes(report, result, finding)
        if changes:
            fixes.append(Fix(finding_key(finding), _title(finding, changes, result.unit), changes, finding))
    return fixes


def fix_all(report: Report, path: str, roots: list[str], options: Options) -> Fix | None:
    """Every fix of `path`'s package root under `options.strategy`."""
    root = package_root(report, path, roots)
    changes = [Change(r.path, r.original, r.edits) for r in report.changed
               if _applies(r, options) and (r.unit if r.unit != r.path else _nearest(r.path, roots) or r.path) == root]
    if not changes:
        return None
    return Fix(FIX_ALL, f"napi-fix: fix all in {os.path.basename(root) or root} ({_files(changes, root)})",
               tuple(changes))


def fix_workspace(report: Report, folder: str, options: Options) -> Fix | None:
    """Every fix the strategy plans in a workspace folder's report (the fixAll command)."""
    changes = [Change(r.path, r.original, r.edits) for r in report.changed if _applies(r, options)]
    if not changes:
        return None
    return Fix(FIX_WORKSPACE, f"napi-fix: fix all in {os.path.basename(folder) or folder} "
                              f"({_files(changes, folder)})", tuple(changes))


def _applies(result: FileResult, options: Options) -> bool:
    """Whether the strategy writes this file: a manifest (planned in its
    root; a C++ file is its own unit) for the pin, a C++ file for Finalize."""
    return options.pin if result.unit != result.path else options.finalize


def package_root(report: Report, path: str, roots: list[str]) -> str:
    """The unit a manifest was planned in, or the nearest package root of a C++ file."""
    result = _result(report, path)
    if result is not None and result.unit != result.path:
        return result.unit
    return _nearest(path, roots) or path


def _nearest(path: str, roots: list[str]) -> str | None:
    holders = [r for r in roots if within(path, r)]
    return max(holders, key=len) if holders else None


def _result(report: Report, path: str) -> FileResult | None:
    return next((r for r in report.files if r.path == path), None)


def _finding_changes(report: Report, result: FileResult, finding: Finding) -> tuple[Change, ...]:
    manifest = result.unit != result.path
    if (finding.rule in PIN_RULES and manifest) or (finding.rule == NO_FINALIZE.id and not manifest):
        return fix_changes(report, result, finding)
    return ()


def _title(finding: Finding, changes: tuple[Change, ...], unit: str) -> str:
    files = _files(changes, unit if unit != finding.path else os.path.dirname(finding.path))
    if finding.rule == NO_FINALIZE.id:
        return (f"napi-fix: add an empty Finalize override to {finding.subject} "
                "(hygiene only: it does not stop the 8.2.0/8.2.1 leak)")
    if finding.rule == LEAKY_HEADERS.id:
        if any(os.path.basename(c.path) in ("napi-inl.h", "napi.h") for c in changes):
            return f"napi-fix: apply upstream's fix to the vendored node-addon-api headers ({files})"
        return f"napi-fix: build against the npm package node-addon-api instead of the leaky copy ({files})"
    return f"napi-fix: pin node-addon-api past 8.2.0/8.2.1 ({files})"


def _files(changes, folder: str) -> str:
    return ", ".join(os.path.relpath(c.path, folder) for c in changes)
