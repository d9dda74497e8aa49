"""All of a run's files are written, or none: faults injected at every step.

Each test plans a three-file change (package.json, its lock, a C++ header),
then fails one step of the write -- a read-only target, an OSError from
write, fsync, link or rename, a SIGINT, another process appending -- and
checks that the tree is all old or all new, that no temp or backup file is
left, and that the report names what happened to every file.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import stat
import subprocess
from pathlib import Path

import pytest

from codemod.cli import main
from codemod.transaction import Change, write_all
from helpers import write_tree

LOCK = {
    "name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": True,
    "packages": {
        "": {"name": "app", "version": "1.0.0", "dependencies": {"node-addon-api": "^8.2.0"}},
        "node_modules/node-addon-api": {
            "version": "8.2.1", "license": "MIT",
            "integrity": "sha512-vmEOvxwiH8tlOcv4SyE8RH34rI5/nWVaigUeAUPawC6f0+HoDthwI0vkMu4tbtsZrXq6QXFfrkhjofzKEs5tpA=="},
    },
}
TREE = {
    "package.json": '{\n  "name": "app",\n  "version": "1.0.0",\n  "dependencies": {\n    "node-addon-api": "^8.2.0"\n  }\n}\n',
    "package-lock.json": json.dumps(LOCK, indent=2) + "\n",
    "src/counter.h": "class Counter : public Napi::ObjectWrap<Counter> {\n public:\n  Counter();\n};\n",
}
FILES = sorted(TREE)


@pytest.fixture
def tree(tmp_path, monkeypatch):
    root = tmp_path / "app"
    write_tree(root, TREE)
    monkeypatch.chdir(root)
    return root


def contents(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def napi_fix(*args: str) -> int:
    return main(["--strategy", "both", *args, "."])


@pytest.fixture
def after(tmp_path_factory) -> dict[str, bytes]:
    """The tree as a run with no fault leaves it."""
    root = tmp_path_factory.mktemp("clean") / "app"
    write_tree(root, TREE)
    cwd = os.getcwd()
    os.chdir(root)
    try:
        assert napi_fix() == 0
    finally:
        os.chdir(cwd)
    new = contents(root)
    assert all(new[name] != TREE[name].encode() for name in FILES)
    return new


def fail_on(monkeypatch, name: str, nth: int, fault):
    """Make the nth call of os.<name> run `fault` instead (or before) the real call."""
    real = getattr(os, name)
    calls = {"n": 0}

    def wrapper(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == nth:
            return fault(real, *args, **kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(os, name, wrapper)


@pytest.fixture
def sigint_kept_from_pytest():
    """A SIGINT these tests send themselves lands here when the code under
    test did not hold it: recorded for the test to see, never a
    KeyboardInterrupt that would stop the whole pytest session."""
    stray: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: stray.append(signum))
    try:
        yield stray
    finally:
        signal.signal(signal.SIGINT, previous)


def raise_eio(real, *args, **kwargs):
    raise OSError(errno.EIO, "Input/output error (injected)")


def no_leftovers(root: Path) -> None:
    assert [p.name for p in root.rglob(".napi-fix-*")] == []


@pytest.mark.parametrize("step", ["write", "fsync", "link", "replace"])
@pytest.mark.parametrize("nth", [1, 2, 3])
def test_an_io_error_at_any_step_leaves_every_file_as_it_was(tree, capfdbinary, monkeypatch, step, nth):
    before = contents(tree)
    fail_on(monkeypatch, step, nth, raise_eio)
    assert napi_fix() == 2
    monkeypatch.undo()
    assert contents(tree) == before
    no_leftovers(tree)
    out, err = capfdbinary.readouterr()
    assert b"error: cannot write: " in err and b"Input/output error (injected)" in err
    assert b"note: nothing written:" in out
    if step == "replace" and nth > 1:  # files renamed before the fault were put back, and said so
        assert b"put back as they were: " in out


@pytest.mark.parametrize("step, nth", [("write", 2), ("fsync", 3), ("link", 1), ("link", 3), ("replace", 2)])
def test_ctrl_c_at_any_step_gives_all_old_or_all_new(tree, after, capfdbinary, monkeypatch, step, nth,
                                                     sigint_kept_from_pytest):
    before = contents(tree)

    def interrupt(real, *args, **kwargs):
        os.kill(os.getpid(), signal.SIGINT)
        return real(*args, **kwargs)

    fail_on(monkeypatch, step, nth, interrupt)
    code = napi_fix()
    monkeypatch.undo()
    now = contents(tree)
    assert now in (before, after)
    assert code == 128 + signal.SIGINT
    no_leftovers(tree)
    out, err = capfdbinary.readouterr()
    assert b"interrupted" in out + err and sigint_kept_from_pytest == []
    if now == before:  # a SIGINT before the first rename cancels the write
        assert b"nothing written" in out
    else:
        assert b"changed 3 file(s)" in out


def test_a_read_only_file_is_refused_unless_forced(tree, after, capfdbinary):
    os.chmod(tree / "package-lock.json", 0o444)
    before = contents(tree)
    assert napi_fix() == 2
    assert contents(tree) == before
    assert b"package-lock.json: error: refused: the file is read-only (--force writes it anyway)" in \
        capfdbinary.readouterr().err
    assert napi_fix("--force") == 0
    assert contents(tree) == after
    assert stat.S_IMODE(os.stat(tree / "package-lock.json").st_mode) == 0o444


def test_mode_owner_and_group_are_kept(tree):
    os.chmod(tree / "package.json", 0o640)
    os.chown(tree / "package.json", 1234, 5678)
    assert napi_fix() == 0
    info = os.stat(tree / "package.json")
    assert (stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid) == (0o640, 1234, 5678)


@pytest.mark.parametrize("victim, nth", [("package-lock.json", 1), ("src/counter.h", 3)])
def test_another_process_appending_before_the_rename_keeps_its_append(tree, capfdbinary, monkeypatch, victim, nth):
    """The append lands in the old file between napi-fix's last look and its
    rename (renames go in path order): napi-fix finds it in its backup, puts
    every file back, and says so."""
    before = contents(tree)

    def append_then_rename(real, src, dst, *args, **kwargs):
        assert str(dst).endswith(victim)
        subprocess.run(["sh", "-c", f"printf '\\n// appended\\n' >> {victim}"], check=True)
        return real(src, dst, *args, **kwargs)

    fail_on(monkeypatch, "replace", nth, append_then_rename)
    assert napi_fix() == 2
    monkeypatch.undo()
    now = contents(tree)
    assert now[victim] == before[victim] + b"\n// appended\n"
    assert {k: v for k, v in now.items() if k != victim} == {k: v for k, v in before.items() if k != victim}
    no_leftovers(tree)
    out, err = capfdbinary.readouterr()
    assert f"{victim}: error: refused: the file changed while napi-fix was writing it; put back".encode() in err
    if nth > 1:
        assert b"put back as they were: package-lock.json, package.json, src/counter.h" in out


def test_another_process_appending_while_napi_fix_syncs_is_refused(tree, capfdbinary, monkeypatch):
    """The append lands while napi-fix fsyncs its temp files (before any rename)."""
    before = contents(tree)

    def append_then_sync(real, fd):
        (tree / "package-lock.json").open("ab").write(b"// appended\n")
        return real(fd)

    fail_on(monkeypatch, "fsync", 1, append_then_sync)
    assert napi_fix() == 2
    monkeypatch.undo()
    assert contents(tree)["package-lock.json"] == before["package-lock.json"] + b"// appended\n"
    assert contents(tree)["package.json"] == before["package.json"]
    no_leftovers(tree)
    assert b"refused: the file changed since napi-fix read it" in capfdbinary.readouterr().err


def test_a_symlink_named_explicitly_is_refused_like_one_found_by_the_walk(tree, capfdbinary):
    (tree / "real").mkdir()
    os.rename(tree / "src/counter.h", tree / "real/counter.h")
    os.symlink(tree / "real/counter.h", tree / "src/counter.h")
    # The walk steps over the link (the real file is found under real/) ...
    assert main(["--strategy", "finalize", "--dry-run", "src"]) == 0
    # ... and one named on the command line is refused, not edited through.
    assert main(["--strategy", "finalize", "src/counter.h"]) == 2
    assert b"src/counter.h: error: refused: a symbolic link" in capfdbinary.readouterr().err
    assert os.path.islink(tree / "src/counter.h")


def test_naming_package_json_brings_its_lock(tree, after):
    assert main(["package.json"]) == 0
    assert contents(tree)["package-lock.json"] == after["package-lock.json"]
    assert contents(tree)["package.json"] == after["package.json"]


def test_naming_the_lock_brings_its_package_json(tree, after):
    assert main(["--dry-run", "package-lock.json"]) == 1
    assert main(["package-lock.json"]) == 0
    assert contents(tree)["package.json"] == after["package.json"]


@pytest.mark.parametrize("named", ["packages/a/package.json", "packages/a"])
def test_naming_a_workspace_member_whose_lock_is_above_it_is_refused(tree, capfdbinary, named):
    write_tree(tree, {
        "package.json": TREE["package.json"].replace('"version": "1.0.0",', '"version": "1.0.0",\n  "workspaces": ["packages/*"],'),
        "packages/a/package.json": '{"name": "a", "dependencies": {"node-addon-api": "^8.2.0"}}\n',
    })
    before = contents(tree)
    assert main([named]) == 2
    assert contents(tree) == before
    assert b"refused: a workspace member whose lock is package-lock.json" in capfdbinary.readouterr().err


def test_a_package_below_a_root_that_is_no_workspace_is_its_own(tree):
    write_tree(tree, {"tools/a/package.json": '{"name": "a", "dependencies": {"node-addon-api": "^8.2.0"}}\n'})
    assert main(["tools/a"]) == 0
    assert b'"^8.2.2"' in (tree / "tools/a/package.json").read_bytes()


def _second_run_inside_the_first(monkeypatch, changes, before=None) -> list:
    """Make a second run write `changes` right after the first run took its
    first backup: the window between one run's last look and its rename.
    `before` runs just ahead of it. The returned list gets that run's
    (Outcome, seconds it took)."""
    import time

    from codemod import transaction

    real_backup = transaction._backup
    second = []

    def backup_then_second_run(path):
        made = real_backup(path)
        if not second:
            if before is not None:
                before()
            started = time.monotonic()
            second.append((transaction.write_all(changes), time.monotonic() - started))
        return made

    monkeypatch.setattr(transaction, "_backup", backup_then_second_run)
    return second


def test_a_run_committing_inside_another_ones_commit_waits_for_it(tmp_path, monkeypatch):
    """The interleaving behind a package.json pinned beside its untouched lock
    (seen once in the test below): run B commits both files after run A took
    its backup of the first one and before A renamed it. A's rename then
    went over B's file and passed its check; refused at the second file, A
    rolled the first back to the old bytes, beside B's second. Now B waits
    for A's folder lock (in one process it can only give up) and the files
    are all A's."""
    from codemod import transaction
    from codemod.transaction import Change, write_all

    spec, lock = tmp_path / "package.json", tmp_path / "package-lock.json"
    spec.write_bytes(b"spec\n")
    lock.write_bytes(b"lock\n")
    run_a = [Change(str(spec), b"spec\n", b"spec by A\n"), Change(str(lock), b"lock\n", b"lock by A\n")]
    run_b = [Change(str(spec), b"spec\n", b"spec by B\n"), Change(str(lock), b"lock\n", b"lock by B\n")]
    second = _second_run_inside_the_first(monkeypatch, run_b)
    monkeypatch.setattr(transaction, "LOCK_SECONDS", 0.2)
    outcome_a = write_all(run_a)
    assert (spec.read_bytes(), lock.read_bytes()) == (b"spec by A\n", b"lock by A\n")
    assert outcome_a.ok and outcome_a.written == [str(spec), str(lock)]
    (outcome_b, _), = second
    assert not outcome_b.written and "another napi-fix run" in outcome_b.failed[str(spec)]
    no_leftovers(tmp_path)


def test_ctrl_c_while_waiting_for_another_runs_commit_writes_nothing(tmp_path, monkeypatch, sigint_kept_from_pytest):
    import fcntl

    from codemod import transaction
    from codemod.transaction import Change, write_all

    spec = tmp_path / "package.json"
    spec.write_bytes(b"spec\n")
    real_flock, sent = fcntl.flock, []

    def flock_then_ctrl_c(fd, operation):
        # The interrupt comes at one known point, the second run finding the
        # folder locked by the first, and only if that ever happens.
        try:
            return real_flock(fd, operation)
        except BlockingIOError:
            if not sent:
                sent.append(True)
                os.kill(os.getpid(), signal.SIGINT)
            raise

    second = _second_run_inside_the_first(
        monkeypatch, [Change(str(spec), b"spec\n", b"spec by B\n")],
        before=lambda: monkeypatch.setattr(transaction.fcntl, "flock", flock_then_ctrl_c))
    monkeypatch.setattr(transaction, "LOCK_SECONDS", 20.0)
    outcome_a = write_all([Change(str(spec), b"spec\n", b"spec by A\n")])
    (outcome_b, waited), = second
    assert sent and sigint_kept_from_pytest == []  # B waited for the lock, and held the signal it got there
    assert outcome_b.signal == signal.SIGINT and not outcome_b.written and waited < 10
    assert outcome_a.ok and outcome_a.signal is None and spec.read_bytes() == b"spec by A\n"
    no_leftovers(tmp_path)


def test_two_runs_at_once_never_leave_a_package_half_fixed(tmp_path):
    """`--pin upgrade` and `--pin rollback` started together over 60 packages:
    every package.json still agrees with its lock, whichever run wins."""
    import sys

    for i in range(60):
        write_tree(tmp_path / f"p{i}", {k: v for k, v in TREE.items() if k != "src/counter.h"})
    for attempt in range(3):
        runs = [subprocess.Popen([sys.executable, "-m", "codemod", "--jobs", "1", "--pin", mode, str(tmp_path)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for mode in ("upgrade", "rollback")]
        for run in runs:
            assert b"Traceback" not in run.communicate(timeout=120)[1]
        states = set()
        for i in range(60):
            spec = json.loads((tmp_path / f"p{i}/package.json").read_text())["dependencies"]["node-addon-api"]
            locked = json.loads((tmp_path / f"p{i}/package-lock.json").read_text())
            states.add((spec, locked["packages"][""]["dependencies"]["node-addon-api"],
                        locked["packages"]["node_modules/node-addon-api"]["version"]))
        assert len(states) == 1 and states <= {("^8.2.0", "^8.2.0", "8.2.1"), ("^8.2.2", "^8.2.2", "8.2.2"),
                                               ("8.1.0", "8.1.0", "8.1.0")}, states
        no_leftovers(tmp_path)
        for i in range(60):
            write_tree(tmp_path / f"p{i}", {k: v for k, v in TREE.items() if k != "src/counter.h"})


def _symlink(path: Path) -> None:
    path.with_name("real").write_bytes(b"old")
    path.symlink_to("real")


def _folder_read_only(path: Path) -> None:
    path.write_bytes(b"old")
    path.parent.chmod(0o555)


@pytest.mark.parametrize("make, reason", [
    pytest.param(lambda path: None, "refused: No such file or directory", id="gone"),
    pytest.param(_symlink, "refused: a symbolic link (napi-fix never edits through links)", id="symlink"),
    pytest.param(os.mkfifo, "refused: not a regular file", id="fifo"),
    pytest.param(lambda path: path.write_bytes(b"new"), "refused: the file changed since napi-fix read it", id="changed"),
    pytest.param(_folder_read_only, "refused: its folder is read-only (--force writes it anyway)", id="folder-read-only"),
])
def test_each_refusal_names_the_file_and_why(tmp_path, make, reason):
    path = tmp_path / "folder" / "file"
    path.parent.mkdir()
    make(path)
    try:
        outcome = write_all([Change(str(path), b"old", b"fixed")])
    finally:
        path.parent.chmod(0o755)
    assert (outcome.failed, outcome.written) == ({str(path): reason}, [])
