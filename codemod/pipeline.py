"""discover -> analyze -> plan. Returns a Report; prints and writes nothing.

The CLI, the batch runner and the editor server all call `run`.
"""

from __future__ import annotations

from codemod.config import Config
from codemod.cpp import finalize, finder
from codemod.cpp.scan import digest
from codemod.discover import discover
from codemod.edits import OverlappingEdits, apply_edits
from codemod.parallel import Workers
from codemod.results import FileResult, Report


def read_bytes(path: str) -> bytes:
    # Unbuffered: one read sized by fstat, no copy through a buffer (~10% of
    # the prefilter's time, which reads every file).
    with open(path, "rb", buffering=0) as f:
        return f.read()


def run(config: Config, read=read_bytes) -> Report:
    found = discover(list(config.paths))
    results: list[FileResult] = [FileResult(p, error="no such file or directory") for p in found.missing]
    notes: list[str] = []
    with Workers(config.jobs) as workers:
        # The pin reads a few manifests: it runs on one worker while the C++
        # files keep the other busy (inline when there is no pool to share).
        pins = None
        if config.pin:
            busy = len(found.cpp_files) if config.finalize else 0
            pins = workers.submit(_plan_pins, found, config.pin_mode, config.patch_vendored, read, alongside=busy)
        if config.finalize:
            results += _finalize_results(found.cpp_files, found.build_files, read, workers)
            notes.append(finalize.HYGIENE_NOTE)
        if pins is not None:
            pin_results, pin_notes = pins()
            results += pin_results
            notes += pin_notes
    return Report(config.strategy, tuple(sorted(results, key=lambda r: r.path)), tuple(notes))


def _plan_pins(found, pin_mode: str, patch_vendored: bool, read):
    from codemod.manifests import PinOptions, plan_pins

    return plan_pins(found, PinOptions(pin_mode, patch_vendored), read)


def _finalize_results(cpp_files, build_files, read, workers: Workers) -> list[FileResult]:
    analysis = finder.analyze(cpp_files, build_files, read, workers)
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
