"""No input makes the C++ finder super-linear.

Adversarial token runs (the export-macro head scan once took 83 s on a
120 KB header of `class ` tokens) must scan in time proportional to their
size: each shape is timed at 120 KB (a generous absolute bound) and at a
quarter of that (four times the input may take at most about five times as
long). CPU time of this process is measured, so other processes on the
machine do not make the test flaky.
"""

from __future__ import annotations

import gc
import time

import pytest

from codemod.cpp.scan import scan_cpp

WRAPPED = b"\nclass W : public Napi::ObjectWrap<W> {\n public:\n  W();\n};\n"

# name -> a unit of text repeated to the wanted size
SHAPES = {
    "class-tokens": b"class ",
    "struct-tokens-on-lines": b"struct\n",
    "macro-runs": b"class A B C D E F G H ",
    "macro-calls": b"class M(a) N(b) ",
    "unclosed-argument-lists": b"class M(( ",
    "heads-without-bodies": b"class A : public B ",
    "objectwrap-bases-without-bodies": b"class A : public Napi::ObjectWrap<A> ",
    "comment-above-head": b"// class\n",
    "final-runs": b"class final final ",
    "function-heads": b"(){",
    "nested-blocks-with-a-keyword": b"void f(){ if(x){ struct ",
    "templates": b"template <class T> class ",
    "raw-string-starts": b'R"x( class ',
    "block-comment-starts": b"/* class ",
    "string-starts": b'" class ',
    "directive-lines": b"#define A class B : public Napi::ObjectWrap<B> {\n",
    # A `)`, a long run of blanks (a blanked directive line makes one), then
    # no qualifier: a regex trying every split of the run took forever.
    "blanks-between-parenthesis-and-brace": b"f()" + b" " * 56 + b"x{}\n",
    "directive-between-parenthesis-and-brace": b"f()\n#if NAPI_VERSION > 5\n#endif\n x{}\n",
}


def _sized(unit: bytes, size: int) -> bytes:
    return unit * (size // len(unit)) + WRAPPED


def _seconds(data: bytes, runs: int = 1) -> float:
    best = float("inf")
    for _ in range(runs):
        gc.collect()
        started = time.process_time()
        scan_cpp("adversarial.h", data)
        best = min(best, time.process_time() - started)
    return best


@pytest.mark.parametrize("unit", list(SHAPES.values()), ids=list(SHAPES))
def test_adversarial_token_runs_scan_in_linear_time(unit):
    _seconds(WRAPPED)  # compiles the queries once, outside the timing
    small = _seconds(_sized(unit, 30_000), runs=2)
    large = _seconds(_sized(unit, 120_000), runs=2)
    assert large < 2.0, f"{large:.2f} s for 120 KB"
    assert large < 5 * small + 0.1, f"30 KB: {small:.3f} s, 120 KB: {large:.3f} s"


# -- large files ----------------------------------------------------------------

CLASS_EVERY = 50  # one ObjectWrap class per this many declarations


def generated_file(size: int) -> tuple[bytes, int]:
    """A large generated C++ file, as a wrapper generator writes them: plain
    functions, helper classes, and ObjectWrap wrapper classes in namespaces.
    Returns the bytes and the number of wrapper classes."""
    parts = [b"// Generated file.\n#include <napi.h>\n#include <vector>\nnamespace generated {\n"]
    total, wrappers, index = 0, 0, 0
    while total < size:
        if index % CLASS_EVERY == 0:
            wrappers += 1
            part = (f"class Wrap{index} : public Napi::ObjectWrap<Wrap{index}> {{\n public:\n"
                    f"  explicit Wrap{index}(const Napi::CallbackInfo& info);\n"
                    f"  static Napi::Function Init(Napi::Env env);\n\n private:\n  int value_ = {index};\n}};\n\n")
        elif index % 3 == 0:
            part = (f"class Helper{index} {{\n public:\n  Helper{index}() = default;\n  int Get() const {{ return {index}; }}\n"
                    f"\n private:\n  int a_ = 1;\n  int b_ = 2;\n}};\n\n")
        else:
            body = "".join(f"  if (input[{i}] > {index % 997}) {{ total += input[{i}] * {i + 1}; }}\n" for i in range(8))
            part = (f"// Processes block {index}.\nstatic int process_{index}(const int* input, int size) {{\n"
                    f"  int total = 0;\n  (void)size;\n{body}  return total;\n}}\n\n")
        parts.append(part.encode())
        total += len(part)
        index += 1
    parts.append(b"}  // namespace generated\n")
    return b"".join(parts), wrappers


def test_a_generated_file_scans_in_linear_time():
    _seconds(WRAPPED)
    small_data, small_classes = generated_file(1 << 20)
    large_data, large_classes = generated_file(4 << 20)
    small, large = _seconds(small_data, runs=2), _seconds(large_data, runs=2)
    assert large < 5 * small + 0.1, f"1 MB: {small:.2f} s, 4 MB: {large:.2f} s"
    facts = scan_cpp("generated.cc", large_data)
    assert (len([c for c in facts.classes if c.name.startswith("Wrap")]), facts.unparsed) == (large_classes, ())


LIMIT_SCRIPT = """
import resource, sys, time
sys.path.insert(0, {tests!r})
from test_finder_linear import WRAPPED, generated_file
if {unit!r} is None:
    data, wrappers = generated_file({size})
else:
    data, wrappers = {unit!r} * ({size} // len({unit!r})) + WRAPPED, 1
from codemod.cpp.scan import scan_cpp
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started, cpu = time.perf_counter(), time.process_time()
facts = scan_cpp("generated.cc", data)
elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
found = len([c for c in facts.classes if c.name.startswith("W")])
print(elapsed, cpu, grown // 1024, found, wrappers, len(facts.unparsed))
"""


def _scan_in_a_fresh_process(size: int, unit: bytes | None) -> tuple[float, float, int, int, int, int]:
    import subprocess
    import sys
    from pathlib import Path

    script = LIMIT_SCRIPT.format(tests=str(Path(__file__).parent), size=size, unit=unit)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=True)
    elapsed, cpu, grown, found, wrappers, unparsed = out.stdout.split()
    return float(elapsed), float(cpu), int(grown), int(found), int(wrappers), int(unparsed)


@pytest.mark.slow
def test_a_50_mb_file_scans_in_under_10_s_with_bounded_memory():
    """The issue's case: a 50 MB C++ file that mentions ObjectWrap took 211 s
    and 1 GB. Measured in a fresh process: wall time of the scan, and what it
    added to the process's peak memory (the 50 MB text itself excluded)."""
    elapsed, cpu, grown_mb, found, wrappers, unparsed = _scan_in_a_fresh_process(50 << 20, None)
    assert elapsed < 10, (elapsed, cpu)
    assert grown_mb < 400, grown_mb  # data, code view and parse copy (150 MB) and one chunk's tree
    assert (found, unparsed) == (wrappers, 0)


@pytest.mark.slow
@pytest.mark.parametrize("unit, expected", [
    # Read around its one mention of ObjectWrap (focus.py): the class, no finding.
    (b"class ", (1, 0)),
    (b"ObjectWrap ", (0, 1)),
    (b'"\\\n', (0, 1)),
], ids=["class", "objectwrap", "splices"])
def test_a_50_mb_adversarial_file_is_a_finding_within_the_limits(unit, expected):
    """Past the limits (limits.py) a file is one NAPI005 finding, within the
    CPU limit (wall time follows the machine's load)."""
    elapsed, cpu, grown_mb, found, wrappers, unparsed = _scan_in_a_fresh_process(50 << 20, unit)
    assert cpu < 10, (elapsed, cpu)
    assert grown_mb < 600, grown_mb
    assert (found, unparsed) == expected


def _finding(tmp_path, source: bytes):
    from helpers import analyze_tree, write_tree

    write_tree(tmp_path, {"big.h": source})
    (finding,) = [f for r in analyze_tree(tmp_path).files for f in r.findings]
    return finding


def test_past_the_parse_limit_the_file_is_a_finding(tmp_path, monkeypatch):
    from codemod.cpp import parse

    monkeypatch.setattr(parse, "PARSE_LIMIT", 4 << 10)
    source, _ = generated_file(1 << 20)
    finding = _finding(tmp_path, source)
    assert (finding.kind, finding.rule, finding.line) == ("manual", "NAPI005", 5)  # the first ObjectWrap
    assert finding.reason == "1 MB, more than 4 KB of it to parse, over the parse limit; check it by hand"


def test_past_the_nesting_limit_the_file_is_a_finding(tmp_path):
    finding = _finding(tmp_path, b"void f() " + b"{ " * 300 + b"}" * 300 + WRAPPED)
    assert (finding.kind, finding.rule) == ("manual", "NAPI005")
    assert "braces nest more than 256 deep" in finding.reason


def test_past_the_time_limit_the_file_is_a_finding(tmp_path, monkeypatch):
    from codemod.cpp import scan

    monkeypatch.setattr(scan, "SCAN_SECONDS", 0.0)
    finding = _finding(tmp_path, generated_file(1 << 20)[0])
    assert (finding.kind, finding.rule) == ("manual", "NAPI005")
    assert "took over 0 s of CPU, the time limit" in finding.reason


def test_scanning_one_file_again_and_again_keeps_no_memory():
    """The editor server re-scans an edited file on every change: nothing of
    a scan may stay behind (py-tree-sitter 0.26 keeps whatever a read
    callback returns, which grew the server by 80 KB an edit)."""
    import tracemalloc

    data, _ = generated_file(200_000)
    scan_cpp("edited.h", data)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for i in range(80):
            scan_cpp("edited.h", data.replace(b"Processes block 1.", b"Processes block %d." % i))
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 1_000_000, f"{grown:,} bytes kept after 80 scans of {len(data):,} bytes"


# -- large files: only the regions around the mentions ------------------------

def amalgamation(size: int) -> bytes:
    """An amalgamation-like file (directives, typedefs, externs, structs with
    bases, functions: all keep marks) with a wrapper in its first lines, an
    intermediate base and a leaf that never says ObjectWrap at its end."""
    unit = (b"#ifndef OMIT_%d\n#define X%d 1\ntypedef struct S%d S%d;\nstruct S%d : public Base%d { int a; };\n"
            b"extern int v%d;\nstatic int f%d(int x){\n  if( x>0 ){ return x*%d; }\n  return 0;\n}\n#endif\n")
    parts, total, index = [b"#include <napi.h>\n" + WRAPPED], 0, 0
    while total < size:
        part = unit % ((index,) * 9)
        parts.append(part)
        total += len(part)
        index += 1
    parts.append(b"namespace app {\ntemplate <class T> class Wrapped : public Napi::ObjectWrap<T> {};\n"
                 b"class Leaf : public Wrapped<Leaf> {\n public:\n  Leaf();\n};\n}  // namespace app\n")
    return b"".join(parts)


@pytest.mark.parametrize("focus", [True, False], ids=["regions-around-mentions", "whole-file"])
def test_a_large_file_is_read_around_its_mentions(focus, monkeypatch):
    """Past FOCUS_OVER bytes only what lies around ObjectWrap (and the
    templates declared there) is parsed: a file whose keep marks alone are
    past the parse limit finds every class. Read whole, the same file is past
    the limit (limits scaled down 64 times: the 54 MB case, in a second)."""
    from codemod.cpp import parse

    monkeypatch.setattr(parse, "PARSE_LIMIT", 256 << 10)
    monkeypatch.setattr(parse, "FOCUS_OVER", 128 << 10 if focus else 1 << 40)
    facts = scan_cpp("amalgamation.c", amalgamation(1 << 20))
    if focus:
        assert ([c.name for c in facts.classes], facts.unparsed) == (["W", "Wrapped", "Leaf"], ())
        assert facts.classes[-1].scope == ("app",)
    else:
        assert facts.classes == () and "over the parse limit" in facts.unparsed[0].reason
