"""Which fixes the editor offers, from codemod/fixes.py's. Pure: no LSP types.

- A quick fix per finding whose fix is FIX or HYGIENE and writes something
  (a manifest finding's fix holds every edit of its package root, lockfile
  included whether it is open or not; a C++ finding's, its own insertion).
  MANUAL fixes are not code actions: the diagnostic's message says what a
  person must do.
- Fix-all: every fix of the document's package root the configured
  strategy plans: FIX for the pin (the root's manifests), HYGIENE for
  finalize (the C++ files whose nearest root it is). The fixAll command:
  the same for every root.
Applied together, the edits give the bytes `napi-fix PATH` writes.
"""

from __future__ import annotations

import os
from typing import Callable

from codemod.fixes import FileEdits, Fix, files_named, fixes_of, together
from codemod.options import Options
from codemod.results import FileResult, Finding, Report
from codemod.rules import FIX, HYGIENE
from codemod.sources.base import within

FIX_ALL = "fix-all"
FIX_WORKSPACE = "fix-workspace"
EDITS = (FIX, HYGIENE)  # what a code action may apply; a MANUAL fix is the diagnostic's message


def quick_fixes(report: Report, path: str, wanted: Callable[[Finding], bool] = lambda finding: True) -> list[Fix]:
    """One fix per fixable finding of `path` that is `wanted` (a generated
    header has thousands: a code action asks for those under the cursor)."""
    result = _result(report, path)
    if result is None or result.error is not None:
        return []
    fixes = fixes_of(report)
    return [fix for fix in (fixes.of(result, finding) for finding in result.findings
                            if finding.rule is not None and wanted(finding)) if _writes(fix, EDITS)]


def fix_all(report: Report, path: str, roots: list[str], options: Options) -> Fix | None:
    """Every fix of `path`'s package root under `options.strategy`."""
    root = package_root(report, path, roots)
    chosen = _chosen(report, options, lambda result: _root_of(result, roots) == root)
    return _together(FIX_ALL, chosen, root)


def fix_workspace(report: Report, folder: str, options: Options) -> Fix | None:
    """Every fix the strategy plans in a workspace folder's report (the fixAll command)."""
    return _together(FIX_WORKSPACE, _chosen(report, options, lambda result: True), folder)


def _chosen(report: Report, options: Options, where: Callable[[FileResult], bool]) -> list[Fix]:
    """The fixes the strategy writes, of the changed files `where` takes:
    every file a fix writes is changed, and carries a fix of its own (a
    root's manifest, its finding's; a C++ file, each insertion's)."""
    fixes, wanted = fixes_of(report), _wanted(options)
    # Only the findings the strategy writes are made into fixes: a generated
    # header's 1,666 hygiene hints cost nothing to a pin's fix-all.
    return [fix for result in report.changed if where(result) for finding in result.findings
            if finding.applicability in wanted for fix in (fixes.of(result, finding),) if _writes(fix, wanted)]


def _writes(fix: Fix | None, wanted: tuple[str, ...]) -> bool:
    return fix is not None and bool(fix.files) and fix.applicability in wanted


def _wanted(options: Options) -> tuple[str, ...]:
    """What the strategy writes: the pin is the fix, finalize the hygiene."""
    return tuple(applicability for applicability, wanted in ((FIX, options.pin), (HYGIENE, options.finalize))
                 if wanted)


def _together(key: str, fixes: list[Fix] | tuple[Fix, ...], folder: str) -> Fix | None:
    files: tuple[FileEdits, ...] = together(fixes)
    if not files:
        return None
    applicability = FIX if any(f.applicability == FIX for f in fixes) else HYGIENE
    title = f"napi-fix: fix all in {os.path.basename(folder) or folder} ({files_named(files, folder)})"
    return Fix(key, title, applicability, files)


def package_root(report: Report, path: str, roots: list[str]) -> str:
    """The unit a manifest was planned in, or the nearest package root of a C++ file."""
    result = _result(report, path)
    return _root_of(result, roots) if result is not None else _nearest(path, roots) or path


def _root_of(result: FileResult, roots: list[str]) -> str:
    return result.unit if result.is_manifest else _nearest(result.path, roots) or result.path


def _nearest(path: str, roots: list[str]) -> str | None:
    holders = [r for r in roots if within(path, r)]
    return max(holders, key=len) if holders else None


def _result(report: Report, path: str) -> FileResult | None:
    return next((r for r in report.files if r.path == path), None)
