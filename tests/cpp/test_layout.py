"""Byte-exact preservation: every byte outside the insertion stays as it was,
and the inserted lines follow the file's own line endings and indentation."""

from __future__ import annotations

import pytest

import cases
from helpers import fix

DECL = cases.DECL.encode()

SOURCE = b"class Counter : public Napi::ObjectWrap<Counter> {\n public:\n  Counter();\n\n private:\n  int n_;\n};\n"
EXPECTED = SOURCE.replace(b"  Counter();\n", b"  Counter();\n  " + DECL + b"\n")


@pytest.mark.parametrize(
    "before, after",
    [
        pytest.param(SOURCE, EXPECTED, id="lf"),
        pytest.param(SOURCE.replace(b"\n", b"\r\n"), EXPECTED.replace(b"\n", b"\r\n"), id="crlf"),
        pytest.param(b"\xef\xbb\xbf" + SOURCE, b"\xef\xbb\xbf" + EXPECTED, id="utf8-bom"),
        pytest.param(
            b"// \xa9 2024 M\xfcller (Latin-1)\n" + SOURCE,
            b"// \xa9 2024 M\xfcller (Latin-1)\n" + EXPECTED,
            id="latin-1",
        ),
        pytest.param(b"// a NUL \x00 byte\n" + SOURCE, b"// a NUL \x00 byte\n" + EXPECTED, id="nul-byte"),
        pytest.param(SOURCE.rstrip(b"\n"), EXPECTED.rstrip(b"\n"), id="no-final-newline"),
        pytest.param(
            SOURCE.replace(b"  Counter();", b"  Counter();   // trailing  \t"),
            EXPECTED.replace(b"  Counter();", b"  Counter();   // trailing  \t"),
            id="trailing-whitespace-kept",
        ),
        pytest.param(
            b"class C : public Napi::ObjectWrap<C> {\r\n  int n_;\r\n};\r\n",
            b"class C : public Napi::ObjectWrap<C> {\r\n  int n_;\r\npublic:\r\n  " + DECL + b"\r\n};\r\n",
            id="crlf-new-label",
        ),
        pytest.param(
            b"namespace a {\n    class C : public Napi::ObjectWrap<C> {\n    public:\n        C();\n    };\n}\n",
            b"namespace a {\n    class C : public Napi::ObjectWrap<C> {\n    public:\n        C();\n        "
            + DECL + b"\n    };\n}\n",
            id="four-spaces",
        ),
    ],
)
def test_layout_is_preserved(before, after):
    assert fix(before) == after


def test_mixed_line_endings_only_new_lines_follow_majority():
    before = b"class C : public Napi::ObjectWrap<C> {\r\n public:\r\n  C();\n};\r\n"
    after = fix(before)
    assert after == before.replace(b"  C();\n", b"  C();\n  " + DECL + b"\r\n")
