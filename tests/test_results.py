"""codemod/results.py's values: repository text escaped where each result
is made, and what a patched vendored copy leaves behind. The exit-status
table through the command line is test_exit_codes.py."""

from __future__ import annotations

import pytest

from codemod.edits import Edit
from codemod.results import (EXIT_CLEAN, EXIT_LEAKS, LEAKING, PIN, REMAINS_LEAK, FileResult, Finding, Related,
                             Report)
from codemod.rules import LEAKY_HEADERS

RAW, SHOWN = "app\n\x1b[31mok\u202e", "app\\n\\033[31mok\\u202e"


def finding(rule=None, edits=(), reason="r", subject="s") -> Finding:
    return Finding("a.h", 1, 1, PIN, subject, "", reason, edits, rule=rule, leak=LEAKING)


@pytest.mark.parametrize("made, field, shown", [
    pytest.param(lambda text: Related("p", 1, None, text), "message", SHOWN, id="related-message"),
    pytest.param(lambda text: finding(reason=text), "reason", SHOWN, id="finding-reason"),
    pytest.param(lambda text: finding(subject=text), "subject", SHOWN, id="finding-subject"),
    pytest.param(lambda text: FileResult("p", error=text), "error", SHOWN, id="file-error"),
    pytest.param(lambda text: Report("pin", notes=(text, "plain")), "notes", (SHOWN, "plain"), id="report-notes"),
])
def test_repository_text_is_escaped_where_the_result_is_made(made, field, shown):
    assert getattr(made(RAW), field) == shown
    plain = made("plain text")
    assert getattr(plain, field) in ("plain text", ("plain text", "plain"))


def test_a_file_without_an_error_keeps_none():
    assert FileResult("p").error is None


def patched_copy(edits: bool) -> Report:
    """A build target whose vendored copy the run patches (--patch-vendored):
    the patch's edits are the copy's NAPI003; the target's own NAPI003 has none."""
    patch = (Edit("/app/deps/napi-inl.h", 0, 0, b"// fixed\n"),) if edits else ()
    return Report("pin", (
        FileResult("/app/deps/napi-inl.h", (finding(LEAKY_HEADERS.id, patch),), unit="/app"),
        FileResult("/app/binding.gyp", (finding(LEAKY_HEADERS.id),), unit="/app"),
    ))


@pytest.mark.parametrize("edits, written, remains, status", [
    pytest.param(True, True, frozenset(), EXIT_CLEAN, id="patch-written"),
    pytest.param(True, False, {REMAINS_LEAK}, EXIT_LEAKS, id="dry-run"),
    pytest.param(False, True, {REMAINS_LEAK}, EXIT_LEAKS, id="nothing-to-patch"),
])
def test_writing_a_copys_patch_fixes_the_targets_that_compile_it(edits, written, remains, status):
    report = patched_copy(edits)
    assert report.remaining(written) == remains
    assert report.exit_code(dry_run=not written) == status
