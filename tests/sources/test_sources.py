"""Sources: the disk's read guard, editor buffers over disk, and re-planning one file."""

from __future__ import annotations

import os
import threading

import pytest

from codemod.cpp import finder
from codemod.engine import Project
from codemod.lsp.prefetch import Prefetches
from codemod.lsp.session import DEBOUNCE, PREFETCH_MARGIN, prefetch_delay
from codemod.options import Options
from codemod.parallel import Workers
from codemod.sources.base import Unreadable
from codemod.sources.disk import DiskSources
from codemod.sources.overlay import OverlaySources
from helpers import plan, write_tree

CLASS = "class C : public Napi::ObjectWrap<C> {\n public:\n  C();\n};\n"
BASE = "template <class T> class Wrapped : public Napi::ObjectWrap<T> {};\n"
LEAF = '#include "base.h"\nclass {name} : public Wrapped<{name}> {{\n public:\n  {name}();\n}};\n'


@pytest.mark.parametrize("make, reason", [
    pytest.param(lambda p: os.mkfifo(p), "a FIFO", id="fifo"),
    pytest.param(lambda p: os.symlink("/dev/zero", p), "a character device", id="link-to-dev-zero"),
    pytest.param(lambda p: os.mkdir(p), "a directory", id="directory"),
])
def test_disk_refuses_what_is_not_a_regular_file_without_blocking(tmp_path, make, reason):
    path = str(tmp_path / "x.h")
    make(path)
    outcome = []
    reader = threading.Thread(target=lambda: outcome.append(_try_read(DiskSources(), path)), daemon=True)
    reader.start()
    reader.join(5)
    assert outcome and reason in outcome[0]


def test_disk_refuses_a_file_over_the_cap(tmp_path):
    (tmp_path / "big.h").write_bytes(b"x" * 2048)
    assert "over the 0 MB limit" in _try_read(DiskSources(max_read=1024), str(tmp_path / "big.h"))


def test_a_path_no_file_can_have_is_unreadable_and_missing_for_a_reason(tmp_path):
    """A NUL byte (an editor's folder URI may carry %00): bad input, never a ValueError."""
    path = str(tmp_path / "a\0b.h")
    for sources in (DiskSources(), OverlaySources(DiskSources())):
        assert _try_read(sources, path) == "cannot read: a NUL byte in the path"
        assert (sources.kind(path), sources.why_missing(path)) == (None, "a NUL byte in the path")


def _try_read(sources, path):
    try:
        sources.read(path)
        return "read"
    except Unreadable as exc:
        return exc.reason


def test_a_file_only_in_an_editor_buffer_is_discovered_and_analyzed(tmp_path):
    write_tree(tmp_path, {"src/a.h": "// nothing here\n"})
    buffers = {str(tmp_path / "src/new/unsaved.h"): CLASS.encode(),
               str(tmp_path / "src/a.h"): CLASS.replace("C", "A").encode()}
    report = plan([tmp_path], "finalize", sources=OverlaySources(DiskSources(), buffers))
    assert sorted(os.path.relpath(r.path, tmp_path) for r in report.changed) == ["src/a.h", "src/new/unsaved.h"]
    assert not (tmp_path / "src/new").exists()


class Counting(OverlaySources):
    def __init__(self):
        super().__init__(DiskSources())
        self.reads: list[str] = []

    def read(self, path):
        self.reads.append(path)
        return super().read(path)


def test_re_planning_after_one_change_costs_about_that_file(tmp_path):
    files = {f"src/c{i}.h": CLASS.replace("C", f"C{i}") for i in range(40)}
    files["src/base.h"] = BASE
    files["package.json"] = '{"name": "a", "dependencies": {"node-addon-api": "^8.2.0"}}\n'
    write_tree(tmp_path, files)
    sources = Counting()
    project = Project(sources, [str(tmp_path)], Options("both"))
    with Workers(1) as workers:
        first = project.analyze(workers)
        assert len(first.changed) == 41
        sources.reads.clear()
        leaf = str(tmp_path / "src/c7.h")
        sources.put(leaf, LEAF.format(name="Leaf").encode())
        report = project.update([leaf], workers)
    assert len(sources.reads) <= 4, sources.reads  # the changed file, its header and the edit's bytes
    leaf_result = next(r for r in report.files if r.path == leaf)
    assert [f.subject for f in leaf_result.findings if f.edits] == ["Leaf"]
    assert len(report.changed) == 41


def test_re_planning_after_a_manifest_change_re_plans_its_root_only(tmp_path):
    write_tree(tmp_path, {
        "a/package.json": '{"name": "a", "dependencies": {"node-addon-api": "^8.2.0"}}\n',
        "b/package.json": '{"name": "b", "dependencies": {"node-addon-api": "^8.2.2"}}\n',
    })
    sources = Counting()
    project = Project(sources, [str(tmp_path)], Options("pin"))
    with Workers(1) as workers:
        assert len(project.analyze(workers).changed) == 1
        sources.reads.clear()
        b = str(tmp_path / "b/package.json")
        sources.put(b, b'{"name": "b", "dependencies": {"node-addon-api": "8.2.1"}}\n')
        report = project.update([b], workers)
    assert sources.reads == [b]
    assert sorted(os.path.relpath(r.path, tmp_path) for r in report.changed) == ["a/package.json", "b/package.json"]


def test_an_edit_to_a_base_re_plans_the_files_that_derive_from_it(tmp_path):
    write_tree(tmp_path, {
        "src/base.h": BASE,
        "src/leaf.h": LEAF.format(name="Leaf"),
    })
    sources = Counting()
    project = Project(sources, [str(tmp_path)], Options("finalize"))
    base = str(tmp_path / "src/base.h")
    with Workers(1) as workers:
        assert [os.path.basename(r.path) for r in project.analyze(workers).changed] == ["leaf.h"]
        sources.put(base, b"template <class T> class Wrapped {};  // ObjectWrap no more\n")
        assert project.update([base], workers).changed == ()
        sources.put(base, BASE.encode() + b"// a comment\n")
        assert [os.path.basename(r.path) for r in project.update([base], workers).changed] == ["leaf.h"]


def _leaf_project(tmp_path):
    write_tree(tmp_path, {
        "src/base.h": BASE,
        "src/leaf.h": LEAF.format(name="Leaf"),
    })
    sources = OverlaySources(DiskSources())
    return sources, Project(sources, [str(tmp_path)], Options("finalize")), str(tmp_path / "src/leaf.h")


def test_the_scan_started_at_an_edit_is_the_one_the_re_plan_uses(tmp_path, monkeypatch):
    sources, project, leaf = _leaf_project(tmp_path)
    with Workers(2) as workers:
        workers.start()  # as the server does: its workers scan with the real code
        project.analyze(workers)
        sources.put(leaf, LEAF.format(name="Edited").encode())
        ahead = Prefetches()
        ahead.start(project, leaf, workers)
        scanned_here = []
        monkeypatch.setattr(finder, "_scanned", lambda *args: scanned_here.append(args))
        report = project.update([leaf], workers, ahead.scan)
    assert scanned_here == []
    assert [f.subject for r in report.changed for f in r.findings if f.edits] == ["Edited"]
    assert ahead.seconds[leaf] > 0  # the worker's time: the server's next prefetch waits by it


def test_a_scan_of_bytes_edited_again_since_is_not_used(tmp_path):
    sources, project, leaf = _leaf_project(tmp_path)
    with Workers(2) as workers:
        workers.start()
        project.analyze(workers)
        sources.put(leaf, LEAF.format(name="Typed").encode())
        ahead = Prefetches()
        ahead.start(project, leaf, workers)
        sources.put(leaf, LEAF.format(name="TypedOn").encode())  # a keystroke the server has not prefetched
        report = project.update([leaf], workers, ahead.scan)
    assert [f.subject for r in report.changed for f in r.findings if f.edits] == ["TypedOn"]
    assert ahead.seconds[leaf] > 0  # the scan made here instead is timed too: the next prefetch waits by it


@pytest.mark.parametrize("scan_seconds, delay", [
    (None, 0.0),  # never scanned: start at once
    (0.005, DEBOUNCE - PREFETCH_MARGIN - 0.015),  # a small file: only after a pause, no scan per keystroke
    (0.025, DEBOUNCE - PREFETCH_MARGIN - 0.075),
    ((DEBOUNCE - PREFETCH_MARGIN) / 3, 0.0),  # a third of the debounce: at every keystroke
    (1.0, 0.0),
])
def test_the_server_starts_a_scan_as_late_as_lets_it_finish_within_the_debounce(scan_seconds, delay):
    assert prefetch_delay(scan_seconds) == pytest.approx(delay)
