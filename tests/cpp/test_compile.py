"""The edited C++ compiles against real node-addon-api headers, and
node-addon-api itself sees the inserted override.

Every case's `after` text goes into one translation unit per header version,
built with `g++ -std=c++17 -Wall -Wextra -Werror`. On 8.2.x each target must
satisfy node-addon-api's own trait Napi::details::HasExtendedFinalizer<T>
(the one ObjectWrap<T>::FinalizeCallback consults); the `before` texts must
not, which shows the check can fail.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from cases import CASES
from helpers import dedent, fix_files
from napi_headers import headers, latest

pytestmark = [
    pytest.mark.compile,
    pytest.mark.skipif(shutil.which("g++") is None, reason="g++ not installed"),
]

NODE_INCLUDE = Path("/usr/include/node")
FLAGS = ["-std=c++17", "-Wall", "-Wextra", "-Werror", "-DNAPI_DISABLE_CPP_EXCEPTIONS"]


def _versions() -> list[str]:
    return ["8.1.0", "8.2.1", latest(8)]


def translation_unit(texts: dict[str, str], trait: str | None, expect: bool) -> str:
    parts = ["#include <napi.h>\n"]
    for index, case in enumerate(CASES):
        if case.compile:
            parts.append(f"namespace case_{index} {{  // {case.id}\n{texts[case.id]}}}\n")
    if trait:
        for index, case in enumerate(CASES):
            for target in case.targets if case.compile else ():
                check = f"Napi::details::{trait}<case_{index}::{target}>::value"
                parts.append(f'static_assert({"" if expect else "!"}{check}, "{case.id}: {target}");\n')
    return "".join(parts)


def compile_tu(source: str, version: str, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess:
    path = tmp_path / f"tu-{version}.cc"
    path.write_text(source)
    return subprocess.run(
        ["g++", *FLAGS, *extra, f"-I{NODE_INCLUDE}", f"-I{headers(version)}", "-c", "-o", "/dev/null", str(path)],
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.parametrize("version", _versions())
def test_edited_cases_compile_and_override_is_seen(version, tmp_path):
    after = {c.id: c.after for c in CASES}
    trait = None if version.startswith("8.1.") else "HasExtendedFinalizer"
    result = compile_tu(translation_unit(after, trait, True), version, tmp_path)
    assert result.returncode == 0, result.stderr[-4000:]


def test_cases_before_the_edit_have_no_override(tmp_path):
    before = {c.id: c.before for c in CASES}
    result = compile_tu(translation_unit(before, "HasExtendedFinalizer", False), "8.2.1", tmp_path)
    assert result.returncode == 0, result.stderr[-4000:]


def test_the_trait_check_can_fail(tmp_path):
    """Sanity: asserting the trait on the un-edited code is a compile error."""
    before = {c.id: c.before for c in CASES}
    result = compile_tu(translation_unit(before, "HasExtendedFinalizer", True), "8.2.1", tmp_path)
    assert result.returncode != 0 and "static assertion failed" in result.stderr


BASIC_SOURCE = dedent("""
    #define NODE_ADDON_API_REQUIRE_BASIC_FINALIZERS
    #include <napi.h>
    class Counter : public Napi::ObjectWrap<Counter> {
     public:
      Counter(const Napi::CallbackInfo& info);
    };
""")


@pytest.mark.parametrize("version", ["8.2.1", latest(8)] if shutil.which("npm") else [])
def test_basic_finalizer_form_where_the_project_requires_it(version, tmp_path):
    after = fix_files({"addon.cc": BASIC_SOURCE})["addon.cc"].decode()
    assert "void Finalize(Napi::BasicEnv /*env*/) override {}" in after
    tu = after + 'static_assert(Napi::details::HasBasicFinalizer<Counter>::value, "basic");\n'
    result = compile_tu(tu, version, tmp_path)
    assert result.returncode == 0, result.stderr[-4000:]
