"""A lockfile read again after an edit, from its last parse (jsonreparse.py),
gives exactly what a fresh parse gives: values, spans, key order, errors.

The lockfiles are the ones real npm made (tests/data/locks) and a 1 MB one
laid out as npm lays out package-lock.json v3; edits are drawn by hypothesis,
most inside one entry (where the last parse is reused), some anywhere.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import event, given, settings, strategies as st

from checkout import LOCKS as CHECKOUT_LOCKS
from codemod.manifests import jsonreparse
from codemod.manifests.jsonspan import BadInput, Obj, Str, loads as fresh
from codemod.manifests.npmlock import lazy_entries
from codemod.parallel import Workers

LOCKS = sorted(CHECKOUT_LOCKS.glob("npm-*/before/package-lock.json"))
BAD = "sha512-vmEOvxwiH8tlOcv4SyE8RH34rI5/nWVaigUeAUPawC6f0+HoDthwI0vkMu4tbtsZrXq6QXFfrkhjofzKEs5tpA=="
NOISE = ["", "1", '"', "{", "}", "[", "]", ",", ":", "\\", "\\u00e9", "node-addon-api", '"x": 1', ", 2", "\n  ",
         '{"a": [1, {"b": null}]}', "\u00e9", "8.2.1", "true", "/*"]


def big_lock(entries: int = 3300) -> bytes:
    """A package-lock.json v3 of about 1 MB: node-addon-api 8.2.1 among plain entries."""
    names = [f"dep-{i:05d}" for i in range(entries)]
    packages = {"": {"name": "big", "version": "1.0.0", "dependencies": {"node-addon-api": "^8.2.0"}}}
    for i, name in enumerate(names[: entries // 2]):
        packages[f"node_modules/{name}"] = {"version": "1.0.0", "integrity": f"sha512-{i:086d}==",
                                            "dependencies": {names[(i + 1) % entries]: "^1.0.0"}}
    packages["node_modules/node-addon-api"] = {"version": "8.2.1", "integrity": BAD, "license": "MIT"}
    for name in names[entries // 2:]:
        packages[f"node_modules/{name}"] = {"version": "1.0.0", "bin": {name: "cli.js"}, "os": ["linux"]}
    return (json.dumps({"name": "big", "lockfileVersion": 3, "requires": True, "packages": packages}, indent=2)
            + "\n").encode()


BIG = big_lock()


def spelled(value):
    """Everything a parse says, positions included, as comparable tuples."""
    if type(value) is Obj:
        return ("obj", value.start, value.end,
                tuple((k, spelled(v), value.spans.get(k), value.key_starts.get(k)) for k, v in value.items()))
    if type(value) is Str:
        return ("str", value.value, value.start, value.end)
    if type(value) is list:
        return ("list", tuple(spelled(v) for v in value))
    return ("plain", repr(value))


def outcome(parse, data: bytes):
    try:
        return spelled(parse(data))
    except BadInput as exc:
        return ("error", str(exc))


def check(data: bytes, path: str = "lock/package-lock.json") -> None:
    again = outcome(lambda d: parses.loads(d, path, lazy_entries, min_bytes=0), data)
    assert again == outcome(lambda d: fresh(d, path, lazy_entries), data)


@st.composite
def edits(draw, data: bytes) -> bytes:
    """`data` with one edit: most inside a plain entry's bytes, some anywhere."""
    inside = draw(st.booleans()) or draw(st.booleans())
    if inside:
        skipped: list = []
        try:
            fresh(data, "x.json", lazy_entries, skipped=skipped)
        except BadInput:
            pass  # an earlier edit broke the file: edit anywhere
        if skipped:
            start, end, _ = draw(st.sampled_from(skipped))
            low, high = start, end
        else:
            low, high = 0, len(data)
    else:
        low, high = 0, len(data)
    at = draw(st.integers(low, high))
    cut = draw(st.integers(0, min(12, high - at)))
    return data[:at] + draw(st.sampled_from(NOISE)).encode() + data[at + cut:]


parses = jsonreparse.Parses(2)


@pytest.fixture(autouse=True)
def _remembering():
    global parses
    parses = jsonreparse.Parses(2)  # as the editor server's session makes one; each test its own


@pytest.mark.parametrize("lock", LOCKS, ids=lambda p: p.parent.parent.name)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_real_lockfiles_edited_again_and_again_parse_as_afresh(lock, data):
    current = lock.read_bytes()
    check(current)
    for _ in range(data.draw(st.integers(1, 4))):
        current = data.draw(edits(current))
        check(current)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_a_large_lockfile_edited_again_and_again_parses_as_afresh(data):
    current = BIG
    check(current)
    for _ in range(data.draw(st.integers(1, 3))):
        current = data.draw(edits(current))
        reused = _reuses(lambda: check(current))
        event("reused the last parse" if reused else "parsed afresh")


def _reuses(run) -> bool:
    """Whether `run` got its parse from the last one (jsonspan's parser not called)."""
    calls = []
    real = jsonreparse.parse
    jsonreparse.parse = lambda *args: calls.append(1) or real(*args)
    try:
        run()
    finally:
        jsonreparse.parse = real
    return not calls  # check()'s own fresh parse, to compare with, calls jsonspan directly


VERSION = b'"version": "1.0.0"'


@pytest.mark.parametrize(
    "before, after, reused",
    [
        (VERSION, b'"version": "1.0.1"', True),  # a version typed over
        (VERSION, b'"version": "1.0.0", "x": [1, {"y": 2}]', True),  # a member added
        (VERSION, b'"version": "1.0.0" "x": 1', False),  # no longer JSON: the error comes from a fresh parse
        (VERSION, b'"version": "node-addon-api"', False),  # now mentions the needle: no longer plain
        (VERSION, b'"version": "\xc3\xa9"', False),  # not ASCII: jsonspan parses every entry then
    ],
    ids=["typed-over", "member-added", "broken", "mentions-needle", "non-ascii"],
)
def test_an_edit_inside_one_entry_reuses_the_last_parse_only_when_it_may(before, after, reused):
    path = "lock/package-lock.json"
    parses.loads(BIG, path, lazy_entries, min_bytes=0)
    at = BIG.index(before, BIG.index(b'"node_modules/dep-03000"'))
    edited = BIG[:at] + after + BIG[at + len(before):]
    assert _reuses(lambda: check(edited, path)) is reused


def test_an_edit_before_the_entries_moves_nothing_it_should_not():
    """An edit in the root entry (parsed with spans) is parsed afresh, and the
    next edit inside an entry reuses that parse, with the new offsets."""
    path = "lock/package-lock.json"
    parses.loads(BIG, path, lazy_entries, min_bytes=0)
    moved = BIG.replace(b'"version": "1.0.0",\n      "dependencies": {\n        "node-addon-api"',
                        b'"version": "1.0.10",\n      "dependencies": {\n        "node-addon-api"', 1)
    assert moved != BIG
    assert not _reuses(lambda: check(moved, path))
    at = moved.index(VERSION, moved.index(b'"node_modules/dep-00100"'))
    assert _reuses(lambda: check(moved[:at] + b'"version": "2"' + moved[at + len(VERSION):], path))


def test_small_files_and_other_json_are_parsed_afresh():
    small = LOCKS[0].read_bytes()
    assert not _reuses(lambda: parses.loads(small, "a/package-lock.json", lazy_entries))
    assert not _reuses(lambda: parses.loads(small, "a/package-lock.json", lazy_entries))
    assert not _reuses(lambda: parses.loads(BIG, "a/package.json"))


def test_few_files_are_remembered_and_none_unless_asked():
    for i in range(5):
        parses.loads(BIG, f"{i}/package-lock.json", lazy_entries)
    assert len(parses) == 2
    none = jsonreparse.Parses(0)
    none.loads(BIG, "a/package-lock.json", lazy_entries)
    assert not _reuses(lambda: none.loads(BIG, "a/package-lock.json", lazy_entries))
    assert not len(none)


def test_one_owner_never_reads_another_owners_parse():
    """No process-wide memo: a run (or a test) that did not make the memo
    never sees what another one parsed."""
    path = "a/package-lock.json"
    parses.loads(BIG, path, lazy_entries)
    other = jsonreparse.Parses(2)
    assert not _reuses(lambda: other.loads(BIG, path, lazy_entries))
    assert _reuses(lambda: parses.loads(BIG, path, lazy_entries))


def test_edits_one_after_another_each_reuse_the_parse_before():
    """Each parse made from the last one must itself be reusable: its entries'
    offsets moved with the edit, before and after the entry edited."""
    path = "lock/package-lock.json"
    current = BIG
    parses.loads(current, path, lazy_entries, min_bytes=0)
    for name, typed in [("dep-00100", b'"version": "1.0.10"'), ("dep-03000", b'"version": "2"'),
                        ("dep-00050", b'"version": "1.0.0", "x": {"y": [1,\n 2]}'), ("dep-03001", b'"version": "3"'),
                        ("dep-00100", b'"version": "4"')]:
        at = current.index(b'"version": ', current.index(b'"node_modules/%s"' % name.encode()))
        end = current.index(b'"', current.index(b'"', at + len(b'"version": ')) + 1) + 1
        current = current[:at] + typed + current[end:]
        assert _reuses(lambda: check(current, path)), name


def test_a_worker_remembers_nothing():
    """The editor server's pool workers plan each root once: a parse kept
    there would only hold memory, and the memo's parses are never sent there."""
    parses.loads(BIG, "w/package-lock.json", lazy_entries)
    with Workers(2) as workers:
        assert workers.submit(_remembered_on_a_worker, parses)() == (0, 0)
    assert len(parses) == 1  # the owner's memo is its own


def _remembered_on_a_worker(sent: jsonreparse.Parses) -> tuple[int, int]:
    arrived = len(sent)
    sent.loads(BIG, "w/package-lock.json", lazy_entries)
    return arrived, len(sent)
