"""The fix command's regular-expression cache (recache.py): a pattern read
from disk is the very Pattern re compiles (Pattern equality compares the
opcodes), a run that reads the file prints byte for byte what a run that
compiled prints, and a damaged, foreign or unwritable file costs time only."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from checkout import ROOT
from helpers import console_with_cache as napi_fix, the_cache_file
from codemod import recache

EXAMPLES = ROOT / "examples"
ORIGINAL = recache._compiler.compile  # this test process never installs the cache


def the_file(cache: Path) -> Path:
    return the_cache_file(cache, "cli-re-*.marshal")


@pytest.mark.parametrize("argv", [
    pytest.param(["--dry-run", str(EXAMPLES / "leaky-addon")], id="leaky-addon"),
    pytest.param(["--dry-run", "--strategy", "both", "--format", "json", str(EXAMPLES)], id="examples-json"),
])
def test_a_later_run_reads_the_file_and_prints_the_same(tmp_path, argv):
    cache = tmp_path / "cache"
    first = napi_fix(cache, *argv)
    written = the_file(cache).stat().st_mtime_ns
    second = napi_fix(cache, *argv)
    assert second == first and first[0] in (1, 3)
    assert the_file(cache).stat().st_mtime_ns == written  # every pattern was read: nothing written again


def test_every_stored_pattern_is_the_one_re_compiles(tmp_path):
    napi_fix(tmp_path, "--dry-run", "--strategy", "both", str(EXAMPLES))
    stored = recache._read(str(the_file(tmp_path)))
    assert len(stored) > 100  # napi-fix's own, node-semver's, tree-sitter's query helpers...
    for (pattern, flags), entry in stored.items():
        made = ORIGINAL(pattern, flags)
        read = recache._sre.compile(pattern, *entry)
        assert read == made and read.groupindex == made.groupindex and read.groups == made.groups, pattern


ATOMS = st.sampled_from(["a", "b", "\\d", "\\w", "\\s", ".", "[a-c]", "[^b]", "é", "\\\\", "^", "$", "\\b", "\\1"])
QUANTIFIERS = st.sampled_from(["", "", "*", "+?", "?", "{1,3}"])
REGEXES = st.recursive(
    st.tuples(ATOMS, QUANTIFIERS).map("".join),
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3).map("".join),
        st.tuples(inner, inner).map("|".join),
        st.tuples(st.sampled_from(["(", "(?:", "(?P<n>", "(?P<m>", "(?=", "(?<!", "(?i:"]), inner,
                  QUANTIFIERS).map(lambda t: f"{t[0]}{t[1]}){t[2]}")),
    max_leaves=10)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(pattern=REGEXES,
       flags=st.sampled_from([0, re.I, re.M, re.S, re.X, re.I | re.M, re.A]),
       as_bytes=st.booleans(),
       texts=st.lists(st.text(alphabet="abc d1é\n_", max_size=12), min_size=1, max_size=5))
@example(pattern="(a)(?P<n>b)?|(?P<m>c)", flags=0, as_bytes=True, texts=["ab", "c"])  # named groups: lastgroup
def test_a_hostile_pattern_read_back_matches_as_re_compiles_it(pattern, flags, as_bytes, texts):
    if as_bytes:
        if "é" in pattern or flags & re.A:
            return  # bytes patterns: ASCII only, and re.A is implied
        pattern = pattern.encode()
        texts = [t.encode("utf-8") for t in texts]
    try:
        made = ORIGINAL(pattern, flags)
    except (re.error, OverflowError, RecursionError):
        return
    first = recache.RegexCache("/nonexistent/never-read")
    assert first.compile(pattern, flags) == made  # a miss: re's own Pattern
    second = recache.RegexCache("/nonexistent/never-read")
    second.stored = dict(first.used)
    read = second.compile(pattern, flags)
    assert second.hits == 1 and read == made
    for text in texts:
        expected, got = made.search(text), read.search(text)
        assert (got and (got.span(), got.groups(), got.groupdict(), got.lastindex, got.lastgroup)) == \
            (expected and (expected.span(), expected.groups(), expected.groupdict(), expected.lastindex,
                           expected.lastgroup))


def test_locale_and_debug_patterns_always_go_to_re(capsys):
    cache = recache.RegexCache("/nonexistent/never-read")
    assert cache.compile(rb"\w+", re.LOCALE) == ORIGINAL(rb"\w+", re.LOCALE)
    cache.compile("x|y", re.DEBUG)
    assert "LITERAL 120" in capsys.readouterr().out  # re printed its listing, as it does without the cache
    assert cache.used == {}


@pytest.mark.parametrize("damage", [b"", b"\0" * 64, None, "foreign"], ids=["empty", "zeros", "flipped", "foreign"])
def test_a_damaged_file_is_ignored_and_written_again(tmp_path, damage):
    argv = ("--dry-run", str(EXAMPLES / "leaky-addon"))
    expected = napi_fix(tmp_path, *argv)
    data = the_file(tmp_path).read_bytes()
    if damage is None:
        middle = len(data) // 2
        damage = data[:middle] + bytes([data[middle] ^ 0x40]) + data[middle + 1:]
    elif damage == "foreign":  # checksummed marshal data of another shape (say, the code cache's)
        recache.write_checksummed(str(the_file(tmp_path)), recache.marshal.dumps({b"key": ("not", "an entry")}))
        damage = the_file(tmp_path).read_bytes()
    the_file(tmp_path).write_bytes(damage)
    assert recache._read(str(the_file(tmp_path))) == {}
    assert napi_fix(tmp_path, *argv) == expected
    assert the_file(tmp_path).read_bytes() == data  # written again, whole


def test_a_forked_worker_never_writes_the_file(tmp_path):
    cache = recache.RegexCache(str(tmp_path / "cli-re-test.marshal"))
    cache.compile("worker (only)", 0)
    pid = os.fork()
    if pid == 0:
        cache.save()
        os._exit(0)
    assert os.waitpid(pid, 0)[1] == 0
    assert not (tmp_path / "cli-re-test.marshal").exists()
    cache.save()
    assert list(recache._read(str(tmp_path / "cli-re-test.marshal"))) == [("worker (only)", 0)]


def test_the_file_keeps_what_others_stored_below_the_limit(tmp_path, monkeypatch):
    """A pooled run's parent never sees its workers' patterns: the file a
    one-process run wrote keeps them, until the file would grow past LIMIT."""
    path = str(tmp_path / "cli-re-test.marshal")
    earlier = recache.RegexCache(path)
    earlier.compile("from an earlier run", 0)
    earlier.save()
    now = recache.RegexCache(path)
    now.compile("from this run", 0)
    now.save()
    assert set(recache._read(path)) == {("from an earlier run", 0), ("from this run", 0)}
    monkeypatch.setattr(recache, "LIMIT", 1)
    last = recache.RegexCache(path)
    last.compile("from the last run", 0)
    last.save()
    assert set(recache._read(path)) == {("from the last run", 0)}


def test_an_unwritable_cache_folder_costs_nothing_but_time(tmp_path):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    argv = ("--dry-run", str(EXAMPLES / "leaky-addon"))
    assert napi_fix(blocked, *argv) == napi_fix(tmp_path / "cache", *argv)
