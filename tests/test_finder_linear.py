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
