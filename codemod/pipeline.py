"""discover -> analyze -> plan. Returns a Report; prints and writes nothing.

The CLI, the batch runner and the editor server all call `run`.
"""

from __future__ import annotations

from codemod.config import Config
from codemod.cpp import finalize, finder
from codemod.cpp.scan import digest
from codemod.discover import discover
from codemod.edits import OverlappingEdits, apply_edits
from codemod.results import FileResult, Report


def read_bytes(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def run(config: Config, read=read_bytes) -> Report:
    found = discover(list(config.paths))
    results: list[FileResult] = [FileResult(p, error="no such file or directory") for p in found.missing]
    notes: list[str] = []
    if config.finalize:
        results += _finalize_results(found.cpp_files, found.build_files, read, config.jobs)
        notes.append(finalize.HYGIENE_NOTE)
    if config.pin:
        from codemod.manifests import PinOptions, plan_pins

        pin_results, pin_notes = plan_pins(found, PinOptions(config.pin_mode, config.patch_vendored), read)
        results += pin_results
        notes += pin_notes
    return Report(config.strategy, tuple(sorted(results, key=lambda r: r.path)), tuple(notes))


def _finalize_results(cpp_files, build_files, read, jobs: int) -> list[FileResult]:
    analysis = finder.analyze(cpp_files, build_files, read, jobs)
    results = [FileResult(path, error=reason) for path, reason in analysis.errors.items()]
    for path, findings in finder.findings(analysis, plan_edits=True).items():
        result = FileResult(path, tuple(findings))
        if result.edits:
            result = _with_original(result, analysis.index.files[path].digest, read)
        results.append(result)
    return results


def _with_original(result: FileResult, scanned_digest: str, read) -> FileResult:
    """Attach the bytes the edits apply to, checking they are the bytes scanned."""
    try:
        data = read(result.path)
    except OSError as exc:
        return FileResult(result.path, result.findings, error=f"cannot read: {exc.strerror or exc}")
    if digest(data) != scanned_digest:
        return FileResult(result.path, result.findings, error="changed while napi-fix was reading it")
    try:
        apply_edits(data, result.edits)
    except (OverlappingEdits, ValueError) as exc:
        return FileResult(result.path, result.findings, error=str(exc))
    return FileResult(result.path, result.findings, original=data)
