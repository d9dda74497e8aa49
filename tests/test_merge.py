"""One merge step for every edit to a file: collapse, merge, or a reported conflict."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from codemod.edits import Edit, apply_edits
from codemod.manifests.jsonspan import Obj, Str, insert_member, loads, quoted
from codemod.merge import merge_file, strings_for_strings
from codemod.results import PIN, Finding
from helpers import dedent, plan, write_tree

PKG = b'{\n  "name": "app",\n  "version": "1.0.0"\n}\n'


def finding(reason: str, *edits: Edit) -> Finding:
    return Finding(edits[0].path if edits else "package.json", 1, 1, PIN, "", "", reason, tuple(edits))


def member(key: str, value, data: bytes = PKG) -> Edit:
    return insert_member("package.json", data, loads(data, "package.json"), key, value)


@pytest.mark.parametrize("findings, after", [
    pytest.param([finding("a", member("overrides", {"p": "1"})), finding("b", member("overrides", {"p": "1"}))],
                 b'{\n  "name": "app",\n  "version": "1.0.0",\n  "overrides": {\n    "p": "1"\n  }\n}\n',
                 id="identical-edits-collapse"),
    pytest.param([finding("o", member("overrides", {"p": "1"})), finding("d", member("dependencies", {"x": "2"}))],
                 b'{\n  "name": "app",\n  "version": "1.0.0",\n  "dependencies": {\n    "x": "2"\n  },\n'
                 b'  "overrides": {\n    "p": "1"\n  }\n}\n',
                 id="two-new-members-of-one-object-merge-in-a-fixed-order"),
    pytest.param([finding("v", Edit("package.json", 32, 39, b'"2.0.0"')), finding("v", Edit("package.json", 32, 39, b'"2.0.0"'))],
                 PKG.replace(b'"1.0.0"', b'"2.0.0"'), id="same-replacement-twice"),
    pytest.param([finding("v", Edit("package.json", 12, 17, b'"App"')), finding("v", Edit("package.json", 12, 17, b'"App"')),
                  finding("w", Edit("package.json", 32, 39, b'"2.0.0"'))],
                 PKG.replace(b'"app"', b'"App"').replace(b'"1.0.0"', b'"2.0.0"'), id="an-edit-after-a-collapsed-one"),
    pytest.param([finding("o", member("overrides", {"p": "1"})), finding("d", member("dependencies", {"x": "2"})),
                  finding("w", Edit("package.json", len(PKG) - 1, len(PKG), b"\r\n"))],
                 b'{\n  "name": "app",\n  "version": "1.0.0",\n  "dependencies": {\n    "x": "2"\n  },\n'
                 b'  "overrides": {\n    "p": "1"\n  }\n}\r\n', id="an-edit-after-merged-insertions"),
])
def test_merges(findings, after):
    result = merge_file("package.json", PKG, findings)
    assert result.error is None
    assert apply_edits(PKG, result.edits) == after
    assert {e.path for e in result.edits} == {"package.json"}
    assert merge_file("package.json", PKG, list(reversed(findings))).edits == result.edits  # order-independent


@pytest.mark.parametrize("findings, message", [
    pytest.param([finding("pin to 2", Edit("package.json", 32, 39, b'"2.0.0"')),
                  finding("pin to 3", Edit("package.json", 32, 39, b'"3.0.0"'))],
                 "conflicting edits at bytes 32..39 and 32..39: 'pin to 2' and 'pin to 3'", id="two-replacements"),
    pytest.param([finding("wide", Edit("package.json", 28, 39, b'"x"')),
                  finding("narrow", Edit("package.json", 32, 39, b'"y"'))],
                 "'wide' and 'narrow'", id="overlap"),
    pytest.param([finding("one", Edit("package.json", 1, 1, b'"a": 1')),
                  finding("two", Edit("package.json", 1, 1, b'"b": 2'))],
                 "together they do not give valid JSON", id="merged-insertions-that-are-not-json"),
])
def test_conflicts_are_reported_with_both_reasons(findings, message):
    result = merge_file("package.json", PKG, findings)
    assert message in result.error and "nothing written" in result.error
    assert result.edits == ()


VERSION = Edit("package.json", 32, 39, b'"2.0.0"')


@pytest.mark.parametrize("original, findings, error, edits", [
    pytest.param(PKG, [finding("a note")], None, (), id="nothing-to-edit"),
    pytest.param(None, [finding("v", VERSION)], "internal: edits planned on bytes that were not recorded", (),
                 id="bytes-not-recorded"),
    pytest.param(PKG, [finding("v", VERSION), finding("w", Edit("package.json", 32, 39, b'"3.0.0"'))],
                 "conflicting edits at bytes 32..39", (), id="conflict"),
    pytest.param(PKG, [finding("v", VERSION), finding("a note")], None, (VERSION,), id="merged"),
])
def test_every_outcome_keeps_the_files_path_findings_and_unit(original, findings, error, edits):
    result = merge_file("package.json", original, findings, unit="/app")
    assert (result.path, result.findings, result.unit, result.edits) == ("package.json", tuple(findings), "/app", edits)
    assert result.error == error if error is None else result.error.startswith(error)
    assert result.original == (original if edits else None)
    assert merge_file("package.json", original, findings).unit == ""  # no unit: the file alone


@pytest.mark.parametrize("edit, error", [
    pytest.param(Edit("other.h", 0, 1, b"x"), "internal: an edit for C does not fit this file (0..1 of 12 bytes)",
                 id="another-files-edit"),
    pytest.param(Edit("a.h", 11, 13, b"x"), "internal: an edit for C does not fit this file (11..13 of 12 bytes)",
                 id="past-the-end"),
    pytest.param(Edit("a.h", 12, 12, b"int x;\n"), None, id="an-insertion-at-the-very-end-fits"),
])
def test_an_edit_that_does_not_fit_the_file_is_an_error(edit, error):
    data = b"class C {};\n"
    result = merge_file("a.h", data, [Finding("a.h", 1, 1, PIN, "C", "", "r", (edit,))])
    assert result.error == (error and error + "; nothing written")


def test_json_that_does_not_parse_names_each_planned_reason_once():
    findings = [finding("one", Edit("package.json", 1, 1, b'"a": 1')), finding("a note"),
                finding("two", Edit("package.json", 1, 1, b'"b": 2')), finding("one", Edit("package.json", 1, 1, b"3"))]
    error = merge_file("package.json", PKG, findings).error
    assert error.startswith("conflicting edits: together they do not give valid JSON (")
    assert error.endswith("); planned: one; two; nothing written")


def test_insertions_at_one_offset_outside_json_conflict():
    data = b"class A {};\n"
    result = merge_file("a.h", data, [finding("x", Edit("a.h", 9, 9, b"int x;")), finding("y", Edit("a.h", 9, 9, b"int y;"))])
    assert "conflicting edits" in result.error


def test_two_planners_inserting_at_one_offset_of_package_json(tmp_path, napi_821):
    """The pin adds an npm override (a parent's range admits only 8.2.1) and
    the vendored-copy repoint declares node-addon-api: both insert at the end
    of package.json. Once a traceback; now one valid, deterministic insertion."""
    lock = {
        "name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": True,
        "packages": {
            "": {"name": "app", "version": "1.0.0", "devDependencies": {"parent": "1.0.0"}},
            "node_modules/node-addon-api": {"version": "8.2.1", "integrity": napi_821, "dev": True, "license": "MIT"},
            "node_modules/parent": {"version": "1.0.0", "dev": True, "dependencies": {"node-addon-api": "8.2.1"}},
        },
    }
    write_tree(tmp_path, {
        "package.json": '{\n  "name": "app",\n  "version": "1.0.0",\n  "devDependencies": {\n    "parent": "1.0.0"\n  }\n}\n',
        "package-lock.json": json.dumps(lock, indent=2) + "\n",
        "binding.gyp": "{'targets': [{'target_name': 'a', 'sources': ['a.cc'], 'include_dirs': ['deps']}]}\n",
        "deps/napi-inl.h": "template <typename T> void ObjectWrap<T>::FinalizeCallback(node_addon_api_basic_env env,"
                           " void* data, void*) {\n  ObjectWrap<T>* instance = static_cast<ObjectWrap<T>*>(data);\n"
                           "  instance->_ref = nullptr;\n}\n",
    })
    report = plan([tmp_path], "pin")
    assert not report.failed, [(r.path, r.error) for r in report.failed]
    package = next(r for r in report.changed if r.path.endswith("package.json"))
    after = json.loads(apply_edits(package.original, package.edits))
    assert list(after) == ["name", "version", "devDependencies", "dependencies", "overrides"]
    assert after["overrides"] == {"parent": {"node-addon-api": "8.2.2"}}
    assert after["dependencies"] == {"node-addon-api": "^8.2.2"}


@pytest.fixture
def napi_821() -> str:
    return "sha512-vmEOvxwiH8tlOcv4SyE8RH34rI5/nWVaigUeAUPawC6f0+HoDthwI0vkMu4tbtsZrXq6QXFfrkhjofzKEs5tpA=="


# -- property: any mix of planner outputs on any manifest is valid JSON or a reported conflict --

keys = st.text(alphabet="abcdefghij-@/_", min_size=1, max_size=6)
leaves = st.one_of(st.text(max_size=5), st.integers(-5, 5), st.booleans(), st.none())
documents = st.recursive(leaves, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                         st.dictionaries(keys, inner, max_size=4)), max_leaves=12)


def _all(node, kind, out):
    """Every value of type `kind` in a parsed document."""
    if isinstance(node, kind):
        out.append(node)
    values = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
    for value in values:
        _all(value, kind, out)
    return out


@settings(max_examples=300, deadline=None)
@given(doc=st.dictionaries(keys, documents, max_size=5), indent=st.sampled_from([2, 4, "\t"]),
       crlf=st.booleans(), seed=st.integers(0, 2**32), count=st.integers(1, 6))
def test_any_planner_mix_gives_valid_json_or_a_conflict(doc, indent, crlf, seed, count):
    data = json.dumps(doc, indent=indent).encode() + b"\n"
    if crlf:
        data = data.replace(b"\n", b"\r\n")
    parsed = loads(data, "package.json")
    objects, strings = _all(parsed, Obj, []), _all(parsed, Str, [])
    rng = random.Random(seed)
    findings = []
    for number in range(count):
        choice = rng.random()
        if choice < 0.6 or not strings:
            target = rng.choice(objects)
            before = rng.choice([None, *target]) if target else None
            edit = insert_member("package.json", data, target, rng.choice(["node-addon-api", "overrides", "x"]),
                                 rng.choice(["^8.2.2", {"node-addon-api": "8.2.2"}]), before)
        else:
            value = rng.choice(strings)
            edit = Edit("package.json", value.start, value.end, quoted(rng.choice(["^8.2.2", "8.1.0"])))
        findings.append(finding(f"planner {number}", edit))
        if rng.random() < 0.2:
            findings.append(finding(f"planner {number} again", edit))
    result = merge_file("package.json", data, findings)
    if result.error is not None:
        assert "conflicting edits" in result.error
        return
    json.loads(apply_edits(data, result.edits))
    rng.shuffle(findings)
    assert merge_file("package.json", data, findings).edits == result.edits


# -- a JSON file whose edits only swap strings for strings is not parsed again --

SPEC = b'{\n  "a": "x",\n  "b": ["y", "z"],\n  "c": "q\\"r",\n  "d": "w"\n}\n'


def _at(data: bytes, token: bytes, text: bytes) -> Edit:
    """`token`'s first occurrence in `data` replaced by `text`."""
    start = data.index(token)
    return Edit("package.json", start, start + len(token), text)


@pytest.mark.parametrize("edits, vouched", [
    pytest.param([_at(SPEC, b'"x"', b'"8.2.2"')], True, id="one-string-for-a-string"),
    pytest.param([_at(SPEC, b'"x"', b'"^8.2.2"'), _at(SPEC, b'"y"', b'"\\u00e9 \xc3\xa9"')], True, id="two-strings"),
    pytest.param([_at(SPEC, b'"x"', b'""')], True, id="emptied"),
    pytest.param([_at(SPEC, b'", "', b'"x"')], False, id="between-two-strings-is-no-string"),
    pytest.param([_at(SPEC, b'"a"', b'"a"')], True, id="a-key-for-a-key"),
    pytest.param([_at(SPEC, b'"w"', b'"v"')], False, id="after-a-backslash-it-is-not-shown"),
    pytest.param([_at(SPEC, b'"x"', b"2")], False, id="a-number-for-a-string"),
    pytest.param([_at(SPEC, b'"x"', b'"a"b"')], False, id="not-one-string"),
    pytest.param([_at(SPEC, b'"x"', b'"\x01"')], False, id="a-control-character"),
    pytest.param([_at(SPEC, b'"x"', b'"\xff"')], False, id="not-utf8"),
    pytest.param([Edit("package.json", 4, 4, b'"n": 1, ')], False, id="an-insertion"),
])
def test_strings_swapped_for_strings(edits, vouched):
    assert strings_for_strings(SPEC, tuple(edits)) is vouched
    if vouched:
        json.loads(apply_edits(SPEC, edits))


def test_quotes_after_a_backslash_are_never_counted():
    # Two escaped quotes: the second one has an even count of quotes before
    # it, as an opening quote would. Swapped for ` "x" `, its backslash
    # would escape a space.
    data = b'["a\\"b\\"c"]'
    edit = _at(data, b'"c"', b' "x" ')
    assert not strings_for_strings(data, (edit,))
    with pytest.raises(ValueError):
        json.loads(apply_edits(data, [edit]))


ONE, EMPTY_FIRST = b'{"a": "xy"}', b'["", "x"]'


@pytest.mark.parametrize("data, start, end, text, vouched", [
    pytest.param(ONE, 6, 10, b'"z"', True, id="one-whole-string-for-one-string"),
    pytest.param(ONE, 1, 4, b'"b"', True, id="a-key"),
    pytest.param(ONE, 6, 9, b'"z"', False, id="from-a-quote-to-inside-the-string"),
    pytest.param(ONE, 7, 10, b'"z"', False, id="from-inside-the-string-to-a-quote"),
    pytest.param(ONE, 6, 7, b'"z"', False, id="one-quote-alone"),
    pytest.param(ONE, 6, 10, b"1", False, id="a-string-for-a-number"),
    pytest.param(EMPTY_FIRST, 1, 6, b'"z"', False, id="an-empty-string-and-the-next-ones-opening-quote"),
])
def test_strings_for_strings_vouches_only_for_whole_strings(data, start, end, text, vouched):
    edit = Edit("a.json", start, end, text)
    assert strings_for_strings(data, (edit,)) == vouched
    if not vouched and text.startswith(b'"'):
        with pytest.raises(ValueError):
            json.loads(apply_edits(data, [edit]))


def test_a_real_lock_pin_is_vouched_for_without_a_parse():
    report = plan([Path(__file__).parents[1] / "examples" / "leaky-addon"])
    lock = next(r for r in report.changed if r.path.endswith("package-lock.json"))
    assert strings_for_strings(lock.original, lock.edits)


quoted_texts = st.sampled_from([b'"8.2.2"', b'""', b'"a\\"b"', b'"\\\\"', b'"\xc3\xa9"', b' "x" ', b'"a"b"', b'"a',
                                b'a"', b'"\x01"', b'"a", "b"', b"1", b'"\\"', b'"\\x"', b"{}"])


@settings(max_examples=400, deadline=None)
@given(doc=st.dictionaries(keys, documents, max_size=5), ascii_only=st.booleans(), seed=st.integers(0, 2**32),
       count=st.integers(1, 4), texts=st.lists(quoted_texts, min_size=4, max_size=4))
def test_strings_for_strings_never_vouches_for_invalid_json(doc, ascii_only, seed, count, texts):
    """Spans from quote to quote (strings, keys, and the gaps between them),
    in documents with escapes and without: whatever it vouches for parses."""
    data = json.dumps(doc, indent=2, ensure_ascii=ascii_only).encode()
    quotes = [i for i, byte in enumerate(data) if byte == ord('"')]
    rng = random.Random(seed)
    edits, taken = [], set()
    for number in range(count if len(quotes) >= 2 else 0):
        first = rng.randrange(len(quotes) - 1)
        last = min(first + rng.choice([1, 1, 2, 3]), len(quotes) - 1)
        span = range(quotes[first], quotes[last] + 1)
        if taken.isdisjoint(span):
            taken.update(span)
            edits.append(Edit("package.json", span.start, span.stop, texts[number]))
    edits.sort(key=lambda e: e.start)
    if strings_for_strings(data, tuple(edits)):
        json.loads(apply_edits(data, edits))
