"""A batch dry run reads the base commit from git's object store, and plans
exactly what `napi-fix --dry-run .` plans in a checkout: the same patch and
report byte for byte as a worktree gives, over files a checkout makes
special (CRLF, links, a submodule, executable bits), with a worktree only
where git's checkout would change the bytes (eol=crlf) or files are written."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from batch_repos import EXAMPLES, Remote, git, ledger
from codemod.batch import trees
from codemod.batch.git import NO_PROGRAMS, QUIET_ENV
from codemod.sources.base import Unreadable
from codemod.sources.disk import DiskSources
from codemod.sources.gittree import GitTreeSources

SUBMODULE_COMMIT = "0123456789abcdef0123456789abcdef01234567"


def _crlf(path: Path) -> None:
    path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))


def _quirks(work: Path) -> None:
    """The leaky addon with what a checkout treats specially."""
    _crlf(work / "package.json")  # the pin edits a CRLF file
    _crlf(work / "src" / "counter.h")  # and so does the Finalize strategy
    # attributes that leave a checkout as the blob (and do not normalize the CRLF files as they are added)
    (work / ".gitattributes").write_text("*.md text eol=lf\n*.js text\n*.png binary\n")
    os.symlink("package.json", work / "linked-package.json")
    os.symlink("src", work / "src-link")
    os.symlink("missing.h", work / "src" / "dangling.h")
    os.symlink("../../outside.h", work / "src" / "leaves.h")  # out of the tree
    os.symlink("loop.h", work / "src" / "loop.h")
    (work / "scripts").mkdir()
    (work / "scripts" / "build.sh").write_text("#!/bin/sh\nnode-gyp rebuild\n")
    (work / "scripts" / "build.sh").chmod(0o755)
    (work / "binding.gyp").chmod(0o755)  # an executable file napi-fix reads


def _crlf_on_checkout(work: Path) -> None:
    """Committed with LF, checked out with CRLF: the plan must see CRLF."""
    (work / ".gitattributes").write_text("*.json text eol=crlf\n")


BUILDERS = {"quirks": _quirks, "crlf-on-checkout": _crlf_on_checkout}


def _remote(fleet, name: str) -> Remote:
    work = fleet.root / "seed" / name
    shutil.copytree(EXAMPLES / "leaky-addon", work)
    BUILDERS[name](work)
    git(work, "init", "-q", "-b", "main")
    git(work, "add", "-A")
    if name == "quirks":
        git(work, "update-index", "--add", "--cacheinfo", f"160000,{SUBMODULE_COMMIT},vendor/sub")
    git(work, "commit", "-q", "-m", "Import")
    bare = fleet.root / "remotes" / f"{name}.git"
    git(fleet.root, "init", "-q", "--bare", "-b", "main", str(bare))
    git(bare, "config", "uploadpack.allowFilter", "true")
    git(work, "push", "-q", str(bare), "main")
    shutil.rmtree(work)
    fleet.remotes[name] = Remote(name, bare)
    return fleet.remotes[name]


def _single_run(fleet, name: str, strategy: str) -> tuple[bytes, Path]:
    """`napi-fix --dry-run .` in a fresh clone, and the clone."""
    where = fleet.root / "single" / f"{name}-{strategy}"
    where.parent.mkdir(exist_ok=True)
    git(where.parent, "clone", "-q", fleet.url(name), str(where))
    done = subprocess.run([sys.executable, "-m", "codemod", "--dry-run", "--strategy", strategy, "."], cwd=where,
                          capture_output=True)
    assert done.returncode in (1, 3), done.stderr
    return done.stdout, where


def _batch_files(fleet, repo: str, strategy: str, out: str) -> dict[str, bytes]:
    code, stdout, err = fleet.batch("--strategy", strategy, "--patch-dir", out, repo)
    assert code in (1, 3), stdout + err
    [record] = ledger(fleet.root / out / "ledger.jsonl")
    return {kind: Path(record[kind]).read_bytes() for kind in ("patch", "report", "log") if record.get(kind)}


@pytest.mark.parametrize("name, strategy, worktree_because", [
    pytest.param("quirks", "pin", "", id="quirks-pin"),
    pytest.param("quirks", "both", "", id="quirks-both"),
    pytest.param("crlf-on-checkout", "pin", ".gitattributes says eol=crlf", id="eol-crlf-falls-back"),
])
def test_object_store_dry_run_equals_a_worktree_and_the_single_run(fleet, monkeypatch, name, strategy,
                                                                  worktree_because):
    _remote(fleet, name)
    single, clone = _single_run(fleet, name, strategy)
    from_store = _batch_files(fleet, fleet.url(name), strategy, "store")
    from_checkout = _batch_files(fleet, str(clone), strategy, "local")
    with monkeypatch.context() as forced:
        forced.setattr(trees, "open_tree", lambda *args, **kwargs: "forced by the test")
        from_worktree = _batch_files(fleet, fleet.url(name), strategy, "worktree")
    assert single and from_store["patch"] == from_worktree["patch"] == from_checkout["patch"] == single
    assert from_store["report"] == from_worktree["report"] == from_checkout["report"]
    said = f"a worktree, not the object store: {worktree_because}".encode()
    assert (said in from_store["log"]) == bool(worktree_because)
    assert b"\r\n" in single  # a CRLF file edited (in crlf-on-checkout, CRLF the blob does not have)
    if not worktree_because:
        assert b"ls-tree" in from_store["log"] and b"worktree add" not in from_store["log"]


@pytest.mark.parametrize("setting", ["core.autocrlf=true", "core.eol=crlf"])
def test_a_checkout_whose_configuration_adds_crs_is_planned_from_a_worktree(fleet, setting):
    """Checked out with CRLF: `napi-fix --dry-run .` there sees CRLF, and so must the batch."""
    checkout = fleet.root / "checkouts" / "npm-app"
    checkout.parent.mkdir()
    git(checkout.parent, "clone", "-q", "-c", setting, fleet.url("npm-app"), str(checkout))
    if setting == "core.eol=crlf":  # core.eol applies to files marked text
        (checkout / ".git" / "info" / "attributes").write_text("* text\n")
        git(checkout, "rm", "-q", "--cached", "-r", ".")
        git(checkout, "reset", "-q", "--hard")
    assert b"\r\n" in (checkout / "package.json").read_bytes()
    single = subprocess.run([sys.executable, "-m", "codemod", "--dry-run", "."], cwd=checkout, capture_output=True)
    files = _batch_files(fleet, str(checkout), "pin", "out")
    assert files["patch"] == single.stdout
    assert f"a worktree, not the object store: {setting}".encode() in files["log"]


def _recording_git(fleet, monkeypatch) -> Path:
    """Real git behind a script that records every command line."""
    calls = fleet.root / "git-calls.txt"
    real = shutil.which("git")
    shim = fleet.root / "bin" / "git"
    shim.parent.mkdir()
    shim.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{calls}'\nexec '{real}' \"$@\"\n")
    shim.chmod(0o755)
    monkeypatch.setenv("PATH", f"{shim.parent}{os.pathsep}{os.environ['PATH']}")
    return calls


def test_a_dry_run_creates_no_worktree_and_a_commit_run_does(fleet, monkeypatch):
    _remote(fleet, "quirks")
    checkout = fleet.checkout("quirks")
    calls = _recording_git(fleet, monkeypatch)
    code, out, err = fleet.batch("--strategy", "both", str(checkout), fleet.url("npm-app"))
    assert code == 1, out + err  # the leak remains: a dry run fixes nothing
    ran = calls.read_text().splitlines()
    assert any(" cat-file --batch" in line for line in ran)
    assert not [line for line in ran if " worktree " in line or "read-tree" in line]
    # every call, the blob reader included, runs with no hook and no file-system monitor
    assert all(line.startswith(" ".join(NO_PROGRAMS)) for line in ran), ran
    assert git(checkout, "worktree", "list", "--porcelain").count("worktree ") == 1
    owned = fleet.root / "cache" / "worktrees"
    assert not [p for p in owned.rglob("*") if p.name != ".lock"] if owned.exists() else True

    calls.unlink()
    code, out, err = fleet.batch("--commit", "--strategy", "both", str(checkout))
    assert code == 0, out + err
    assert any(" worktree add " in line for line in calls.read_text().splitlines())
    assert {r["status"] for r in ledger(fleet.root / "napi-fix-patches" / "ledger.jsonl")[-1:]} == {"fixed"}
    assert git(checkout, "worktree", "list", "--porcelain").count("worktree ") == 1


# -- the source itself, against the disk of a worktree of the same commit ----------


def _both(fleet, tmp_path) -> tuple[GitTreeSources, DiskSources, Path]:
    _remote(fleet, "quirks")
    clone = fleet.checkout("quirks")
    worktree = tmp_path / "wt" / "quirks"  # a worktree's top holds a .git file, as the source shows
    git(clone, "worktree", "add", "-q", "--detach", str(worktree), "HEAD")
    (tmp_path / "wt" / "outside.h").write_text("// beside the worktree\n")
    return GitTreeSources(["git", *NO_PROGRAMS], QUIET_ENV, str(clone), str(worktree), _listing(clone)), \
        DiskSources(), worktree


def _listing(repo: Path) -> dict[str, tuple[str, str]]:
    """HEAD's tree as `git ls-tree -r` lists it: path -> (mode, object id)."""
    tree = {}
    for record in filter(None, git(repo, "ls-tree", "-r", "-z", "--full-tree", "HEAD").split("\0")):
        meta, _, path = record.partition("\t")
        mode, _, oid = meta.split(" ")
        tree[path] = (mode, oid)
    return tree


def _seen(sources, path: str) -> tuple:
    try:
        data = sources.read(path)
    except Unreadable as exc:
        data = exc.reason
    try:
        listed = [(e.name, e.kind) for e in sources.list_dir(path)]
    except Unreadable as exc:
        listed = exc.reason
    return sources.kind(path), sources.kind(path, follow=False), data, listed


@pytest.mark.parametrize("ahead", [pytest.param(False, id="one-by-one"), pytest.param(True, id="prefetched"),
                                   pytest.param("copy", id="prefetched-in-a-pickled-copy")])
def test_the_tree_reads_as_the_disk_of_a_worktree_of_the_commit(fleet, tmp_path, ahead):
    tree, disk, root = _both(fleet, tmp_path)
    paths = [str(root)] + [os.path.join(folder, e.name) for folder, entries in disk.walk(str(root))
                           for e in entries if e.name != ".git"]
    paths += [str(root / n) for n in ("src-link/counter.h", "nothing.h", "src/leaves.h/x", "vendor/sub/x")]
    if ahead == "copy":
        tree = pickle.loads(pickle.dumps(tree))
    if ahead:
        tree.prefetch(paths)  # (links and folders among them are read one by one)
    assert {p: _seen(tree, p) for p in paths} == {p: _seen(disk, p) for p in paths}
    assert tree.kind(str(root / ".git"), follow=False) == disk.kind(str(root / ".git"), follow=False)
    nul = str(root / "src" / "a\0b.h")  # (an editor's %00)
    assert (_seen(tree, nul)[:3], tree.why_missing(nul)) == ((None, None, "cannot read: a NUL byte in the path"),
                                                             disk.why_missing(nul))
    assert list(tree.walk(str(root))) == list(disk.walk(str(root)))
    assert tree.read(str(root / "package.json")).count(b"\r\n") > 5
    tree.close()


def test_the_tree_crosses_a_process_boundary(fleet, tmp_path):
    tree, disk, root = _both(fleet, tmp_path)
    tree.read(str(root / "binding.gyp"))  # its reader is running; a copy starts its own
    copy = pickle.loads(pickle.dumps(tree))
    assert copy.read(str(root / "src" / "counter.h")) == disk.read(str(root / "src" / "counter.h"))
    copy.close()
    tree.close()


def test_the_tree_refuses_a_file_over_the_cap_and_reads_on(fleet, tmp_path):
    tree, disk, root = _both(fleet, tmp_path)
    tree.max_read = 100
    tree.prefetch([str(root / "package.json"), str(root / "index.js")])
    with pytest.raises(Unreadable, match="over the 0 MB limit"):
        tree.read(str(root / "package.json"))
    with pytest.raises(Unreadable, match="over the 0 MB limit"):
        tree.read(str(root / "package.json"))  # asked again, not from what prefetch kept
    assert tree.read(str(root / ".gitignore")) == disk.read(str(root / ".gitignore"))
    tree.close()


def test_a_partial_clone_fetches_the_blobs_napi_fix_reads_in_one_request(fleet, monkeypatch):
    calls = _recording_git(fleet, monkeypatch)
    code, out, err = fleet.batch(fleet.url("npm-app"))
    assert code == 1, out + err
    clone = next((fleet.root / "cache" / "clones").iterdir())
    missing = git(clone, "rev-list", "--objects", "--missing=print", "--no-walk", "origin/main")
    absent = {line[1:] for line in missing.splitlines() if line.startswith("?")}
    names = {oid: path for mode, oid, path in (line.split(" ", 2) for line in git(
        clone, "ls-tree", "-r", "--format=%(objectmode) %(objectname) %(path)", "origin/main").splitlines())}
    assert sorted(names[o] for o in absent) == ["README.md", "index.js"]  # what the pin never reads
    assert sum(" fetch " in line and "--stdin" in line for line in calls.read_text().splitlines()) == 1
    calls.unlink()
    code, out, err = fleet.batch(fleet.url("npm-app"))
    assert code == 1, out + err
    assert not [line for line in calls.read_text().splitlines() if "rev-list" in line or "--stdin" in line]


NAMES = st.sampled_from(["a", "b.h", "package.json", "sub", "x y", "\u00e9.cc", ".gitignore"])
TARGETS = st.sampled_from(["a", "b.h", "sub", "sub/a", "../a", "../../x", "/nonexistent", "missing", ".", "..",
                           "sub/../b.h", "loop"])
ENTRIES = st.lists(st.tuples(st.lists(NAMES, min_size=1, max_size=3).map("/".join),
                             st.one_of(st.binary(max_size=40).map(lambda b: ("file", b)),
                                       st.sampled_from([b"x\r\ny\r\n", b"#!/bin/sh\n"]).map(lambda b: ("exec", b)),
                                       TARGETS.map(lambda t: ("link", t)))),
                   min_size=1, max_size=8)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=ENTRIES)
def test_any_tree_reads_as_its_checkout(tmp_path_factory, entries):
    """Odd trees (links in and out of it, loops, names that are a file in one
    place and a folder in another, CRLF, executables): what the source says
    of every path is what the disk says of the same commit checked out."""
    made = tmp_path_factory.mktemp("any") / "repo"
    made.mkdir()
    work = made.parent / "checkout"  # a worktree: its .git is a file, as the source shows it
    for path, (kind, value) in entries:
        target = made / path
        if any(p.is_symlink() or p.is_file() for p in target.parents if made in p.parents) or \
                target.exists() or target.is_symlink():
            continue  # a name already taken
        target.parent.mkdir(parents=True, exist_ok=True)
        if kind == "link":
            os.symlink(value, target)
        else:
            target.write_bytes(value)
            target.chmod(0o755 if kind == "exec" else 0o644)
    git(made, "init", "-q", "-b", "main")
    git(made, "add", "-A")
    git(made, "commit", "-q", "--allow-empty", "-m", "odd")
    git(made, "worktree", "add", "-q", "--detach", str(work), "HEAD")
    source, disk = GitTreeSources(["git", *NO_PROGRAMS], QUIET_ENV, str(made), str(work), _listing(made)), DiskSources()
    paths = [os.path.join(folder, e.name) for folder, found in disk.walk(str(work)) for e in found
             if e.path != str(work / ".git")]  # (its bytes, git's pointer, are nothing napi-fix reads)
    paths += [str(work / path / "a") for path, _ in entries] + [str(work)]
    try:
        assert {p: _seen(source, p) for p in paths} == {p: _seen(disk, p) for p in paths}
    finally:
        source.close()


@pytest.mark.parametrize("attributes, token", [
    pytest.param("*.json text eol=crlf\n", "eol=crlf", id="eol-crlf"),
    pytest.param("*.h filter=lfs diff=lfs merge=lfs -text\n", "filter=lfs", id="lfs"),
    pytest.param("*.c ident\n", "ident", id="ident"),
    pytest.param("*.h working-tree-encoding=UTF-16\n", "working-tree-encoding=UTF-16", id="encoding"),
    pytest.param("[attr]windows text eol=crlf\n*.sln windows\n", "eol=crlf", id="macro"),
])
def test_attributes_that_change_a_checkout(attributes, token):
    assert trees.converting(attributes) == token


@pytest.mark.parametrize("attributes", [
    pytest.param("* text=auto\n", id="text-auto"),
    pytest.param("* text=auto eol=lf\n", id="eol-lf"),
    pytest.param("*.png binary\n*.h -text\n", id="binary"),
    pytest.param("# *.json eol=crlf\n", id="comment"),
    pytest.param("*.h -filter !ident\n", id="unset"),
    pytest.param("", id="empty"),
])
def test_attributes_that_leave_a_checkout_as_the_blob(attributes):
    assert trees.converting(attributes) == ""
