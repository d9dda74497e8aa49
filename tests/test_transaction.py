"""All of a run's files are written, or none: faults injected at every step.

Each test plans a three-file change (package.json, its lock, a C++ header),
then fails one step of the write -- a read-only target, an OSError from
write, fsync, link or rename, a SIGINT, another process appending -- and
checks that the tree is all old or all new, that no temp or backup file is
left, and that the report names what happened to every file. The tests after
them call the writer directly, one refusal or failure at a time, each from a
real condition (docs/mutation.md lists the planted bugs each one catches).
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import stat
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import example, given, settings, strategies as st

from codemod.cli import main
from codemod.transaction import Change, Outcome, write_all
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
    backup = b"no backup could be made: " if step == "link" else b""
    assert b"error: cannot write: " + backup + b"Input/output error (injected)\n" in err
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


# The writer called directly, on real files: each refusal and failure with
# the reason it gives, the states a concurrent writer leaves, and what a run
# puts back. A fault comes from a real condition where one exists (a
# permission, a path too long for a backup's name, a file-size limit,
# another run's folder lock); where it needs a moment inside the write (a
# file changed between two steps), a real change is made at that moment.

OLD, NEW = b"old\n", b"new\n"
NOBODY = 65534  # the user a root test run acts as to be refused like a user who is not root


def change(path: Path, original: bytes = OLD, new: bytes = NEW) -> Change:
    return Change(str(path), original, new)


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


@pytest.mark.parametrize("mode", [0o644, 0o600, 0o755, 0o4755, 0o2775, 0o6755, 0o1644], ids=oct)
def test_every_mode_bit_the_owner_and_the_group_are_kept(tmp_path, mode):
    """A file owned by another user (root can rewrite it) keeps its set-user-ID
    and set-group-ID bits too, which a change of owner clears."""
    path = tmp_path / "file"
    path.write_bytes(OLD)
    owner = (1234, 5678) if os.geteuid() == 0 else (os.geteuid(), os.getegid())
    os.chown(path, *owner)
    path.chmod(mode)
    assert write_all([change(path)]).ok
    info = path.stat()
    assert (path.read_bytes(), stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid) == (NEW, mode, *owner)


def test_nothing_to_write_is_a_success_that_writes_nothing():
    assert write_all([]) == Outcome()


@pytest.mark.parametrize("mode", [0o444, 0o555, 0o400], ids=oct)
def test_a_read_only_file_is_refused_unless_the_writer_is_forced(tmp_path, mode):
    path = tmp_path / "file"
    path.write_bytes(OLD)
    path.chmod(mode)
    outcome = write_all([change(path)])
    assert (outcome.failed, outcome.written) == ({str(path): "refused: the file is read-only (--force writes it anyway)"}, [])
    assert path.read_bytes() == OLD
    assert write_all([change(path)], force=True).ok
    assert (path.read_bytes(), mode_of(path)) == (NEW, mode)


@contextmanager
def as_a_user_who_is_not_root():
    """Permissions and ownership then apply, as they do for most people who
    run napi-fix. A root test run (CI, this machine) switches its effective
    user and group to nobody's and back; anyone else already is such a user."""
    if os.geteuid() != 0:
        yield
        return
    os.setegid(NOBODY)
    os.seteuid(NOBODY)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


@pytest.fixture
def users_folder():
    """A folder owned by the user `as_a_user_who_is_not_root` acts as. Not in
    tmp_path: pytest makes its base folder 0o700, which only root can pass."""
    top = Path(tempfile.mkdtemp(prefix="napi-fix-test-"))
    top.chmod(0o755)
    folder = top / "project"
    folder.mkdir()
    if os.geteuid() == 0:
        os.chown(folder, NOBODY, NOBODY)
    try:
        yield folder
    finally:
        folder.chmod(0o755)
        shutil.rmtree(top)


def _users_file(path: Path, mode: int = 0o644) -> None:
    path.write_bytes(OLD)
    path.chmod(mode)
    if os.geteuid() == 0:
        os.chown(path, NOBODY, NOBODY)


def _another_users_file(path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("only root can make a file owned by another user")
    path.write_bytes(OLD)
    os.chown(path, 1234, 1234)


def _in_a_read_only_folder(path: Path) -> None:
    _users_file(path)
    path.parent.chmod(0o555)


@pytest.mark.parametrize("make, force, reason", [
    pytest.param(_another_users_file, False, "refused: owned by another user, whose ownership a rewrite could not keep",
                 id="owned-by-another-user"),
    pytest.param(lambda path: _users_file(path, 0o200), False, "refused: cannot read it again: Permission denied",
                 id="unreadable"),
    pytest.param(_in_a_read_only_folder, True, "cannot write: Permission denied", id="forced-in-a-read-only-folder"),
])
def test_what_a_user_who_is_not_root_may_not_write_is_refused(users_folder, make, force, reason):
    path = users_folder / "package.json"
    make(path)
    with as_a_user_who_is_not_root():
        outcome = write_all([change(path)], force)
    assert (outcome.failed, outcome.written) == ({str(path): reason}, [])
    assert path.read_bytes() == OLD
    no_leftovers(users_folder)


TEMP_NAME = len(".napi-fix-") + 8  # tempfile's 8 random characters


def deep_folder(root: Path) -> Path:
    """A folder whose absolute path is so long (near PATH_MAX) that a file
    with a short name and napi-fix's temp file beside it still fit, but the
    name of a backup beside it (which holds the file's own name) does not:
    making the backup, mid-commit, fails for real."""
    longest = os.pathconf(root, "PC_PATH_MAX") - 1  # its last byte holds the NUL
    folder, length = root.resolve(), longest - 1 - TEMP_NAME - 6
    while len(str(folder)) < length:
        room = length - len(str(folder)) - 1
        step = min(200, room) if room - 200 != 1 else 199
        folder = folder / ("d" * step)
    folder.mkdir(parents=True)
    assert len(str(folder)) == length
    return folder


def _replaced_by_another_writer(path: Path, data: bytes = b"theirs\n") -> None:
    """An editor's save: a new file renamed over the old one (a new inode
    whatever the bytes, as the old one still exists when it is made)."""
    theirs = path.with_name("theirs")
    theirs.write_bytes(data)
    os.replace(theirs, path)


@pytest.mark.parametrize("meanwhile, then", [
    pytest.param(None, (OLD, None), id="nobody-else"),
    pytest.param(_replaced_by_another_writer, (b"theirs\n", "not restored: it changed again after napi-fix wrote it"),
                 id="replaced-by-another-writer"),
    pytest.param(Path.unlink, (None, "written but not restored: No such file or directory"), id="removed"),
])
def test_a_failure_mid_commit_puts_back_every_file_renamed_before_it(tmp_path, monkeypatch, meanwhile, then):
    """a and b are renamed, then c's backup cannot be made: a and b are put
    back, except one another writer replaced or removed after napi-fix
    renamed it, which is left as they left it and named."""
    a, b = tmp_path / "a" / "package.json", tmp_path / "b" / "binding.gyp"
    c = deep_folder(tmp_path / "c") / "package-lock.json"
    for path, mode in ((a, 0o644), (b, 0o600), (c, 0o640)):
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(OLD)
        path.chmod(mode)
    if meanwhile is not None:
        fail_on(monkeypatch, "link", 3, lambda real, *args: (meanwhile(b), real(*args)))
    outcome = write_all([change(a), change(b), change(c)])
    monkeypatch.undo()
    b_now, b_failed = then
    failed = {str(c): "cannot write: no backup could be made: File name too long"}
    if b_failed is not None:
        failed[str(b)] = b_failed
    assert (outcome.failed, outcome.written) == (failed, [])
    assert outcome.restored == ([str(b)] if b_failed is None else []) + [str(a)]
    assert (a.read_bytes(), mode_of(a), c.read_bytes(), mode_of(c)) == (OLD, 0o644, OLD, 0o640)
    assert (b.read_bytes() if b.exists() else None) == b_now
    no_leftovers(tmp_path)


def _touched(path: Path) -> None:
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))


def _rewritten_in_place_keeping_size_and_time(path: Path) -> None:
    info = path.stat()
    with path.open("r+b") as file:
        file.write(OLD.upper())
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))


@pytest.mark.parametrize("meanwhile, reason, after", [
    pytest.param(_touched, "refused: the file changed since napi-fix read it", OLD, id="touched"),
    pytest.param(_rewritten_in_place_keeping_size_and_time, "refused: the file changed since napi-fix read it",
                 OLD.upper(), id="rewritten-keeping-size-and-time"),
    pytest.param(lambda path: _replaced_by_another_writer(path, OLD), "refused: the file changed since napi-fix read it",
                 OLD, id="replaced-by-the-same-bytes"),
    pytest.param(Path.unlink, "refused: No such file or directory", None, id="removed"),
])
def test_the_last_look_before_the_rename_refuses_any_change(tmp_path, monkeypatch, meanwhile, reason, after):
    """Another writer acts after napi-fix's check, while it writes its temp
    file: the bytes, the inode, the size and the time are all looked at."""
    path = tmp_path / "package.json"
    path.write_bytes(OLD)
    fail_on(monkeypatch, "fsync", 1, lambda real, fd: (meanwhile(path), real(fd)))
    outcome = write_all([change(path)])
    monkeypatch.undo()
    assert (outcome.failed, outcome.written, outcome.restored) == ({str(path): reason}, [], [])
    assert (path.read_bytes() if path.exists() else None) == after
    no_leftovers(tmp_path)


def _becomes_a_symlink(path: Path) -> None:
    path.with_name("real").write_bytes(OLD)
    path.unlink()
    path.symlink_to("real")


def _becomes_a_fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


@pytest.mark.parametrize("meanwhile, reason", [
    pytest.param(_becomes_a_symlink, "refused: cannot read it again: Too many levels of symbolic links", id="symlink"),
    pytest.param(_becomes_a_fifo, "refused: the file changed since napi-fix read it", id="fifo"),
])
def test_a_file_swapped_between_its_look_and_its_read_is_neither_followed_nor_waited_on(tmp_path, monkeypatch,
                                                                                         meanwhile, reason):
    """The regular file napi-fix looked at becomes a link (whose target holds
    the same bytes) or a FIFO (with no writer) before it reads it: the read
    does not follow the link and does not block on the FIFO."""
    import threading

    path = tmp_path / "package.json"
    path.write_bytes(OLD)
    fail_on(monkeypatch, "lstat", 1, lambda real, *args: (real(*args), meanwhile(path))[0])
    done = []
    writer = threading.Thread(target=lambda: done.append(write_all([change(path)])))
    writer.start()
    writer.join(10)
    blocked = writer.is_alive()
    if blocked:  # let a read blocked on the FIFO end, so the test can
        os.close(os.open(path, os.O_WRONLY))
        writer.join()
    monkeypatch.undo()
    assert not blocked
    assert (done[0].failed, done[0].written) == ({str(path): reason}, [])
    no_leftovers(tmp_path)


def backup_name(path: Path, attempt: int) -> Path:
    return path.with_name(f".napi-fix-backup-{os.getpid()}-{attempt}-{path.name}")


def test_a_backup_name_someone_else_took_is_stepped_over(tmp_path):
    path = tmp_path / "package.json"
    path.write_bytes(OLD)
    taken = backup_name(path, 0)
    taken.write_bytes(b"not napi-fix's\n")
    assert write_all([change(path)]).ok
    assert (path.read_bytes(), taken.read_bytes()) == (NEW, b"not napi-fix's\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([path.name, taken.name])


def test_with_every_backup_name_taken_nothing_is_written(tmp_path):
    first, path = tmp_path / "a.h", tmp_path / "package.json"
    for each in (first, path):
        each.write_bytes(OLD)
    for attempt in range(100):
        backup_name(path, attempt).write_bytes(b"")
    outcome = write_all([change(first), change(path)])
    assert (outcome.failed, outcome.written) == ({str(path): "cannot write: no free name for a backup"}, [])
    assert outcome.restored == [str(first)] and first.read_bytes() == path.read_bytes() == OLD
    assert len(list(tmp_path.glob(".napi-fix-*"))) == 100


def test_a_working_folder_since_removed_plays_no_part(tmp_path, monkeypatch):
    """Temp files and backups go beside their targets, named by absolute path."""
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    path = tmp_path / "project" / "package.json"
    path.parent.mkdir()
    path.write_bytes(OLD)
    assert write_all([change(path)]).ok
    assert path.read_bytes() == NEW
    no_leftovers(tmp_path)


def test_a_file_longer_than_one_read_is_read_whole(tmp_path):
    path = tmp_path / "package-lock.json"
    old = bytes(range(256)) * 6144  # 1.5 MiB: two reads
    path.write_bytes(old)
    assert write_all([change(path, old, old + NEW)]).ok
    assert path.read_bytes() == old + NEW


def test_a_file_larger_than_the_file_size_limit_writes_nothing(tmp_path):
    """`ulimit -f`: the second temp file cannot grow past the limit (Python
    ignores SIGXFSZ, so the write fails with EFBIG); the first was not
    renamed yet, and nothing is."""
    import resource

    small, large = tmp_path / "package.json", tmp_path / "package-lock.json"
    for path in (small, large):
        path.write_bytes(OLD)
    limit = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, limit[1]))
    try:
        outcome = write_all([change(small), change(large, new=b"x" * 10000)])
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, limit)
    assert (outcome.failed, outcome.written, outcome.restored) == ({str(large): "cannot write: File too large"}, [], [])
    assert small.read_bytes() == large.read_bytes() == OLD
    no_leftovers(tmp_path)


def test_a_run_waiting_for_another_runs_commit_has_its_temp_files_ready_beside_their_targets(tmp_path):
    """Another run holds the folder's lock (a real flock on its own open
    folder); this run, in a thread where signals cannot be deferred, waits
    for it with its temp file written: named .napi-fix-*, beside the target,
    with the new bytes and the target's mode. Released, it commits."""
    import fcntl
    import threading
    import time

    path = tmp_path / "package.json"
    path.write_bytes(OLD)
    path.chmod(0o640)
    other_run = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(other_run, fcntl.LOCK_EX)

    def temp_files() -> list | None:
        try:
            return [(p.name.startswith(".napi-fix-"), p.read_bytes(), mode_of(p))
                    for p in tmp_path.iterdir() if p != path]
        except FileNotFoundError:  # removed as it was listed
            return None

    done = []
    writer = threading.Thread(target=lambda: done.append(write_all([change(path)])))
    writer.start()
    try:
        # Until the temp file is complete (it is listed before it is written).
        deadline = time.monotonic() + 10
        while writer.is_alive() and time.monotonic() < deadline and temp_files() != [(True, NEW, 0o640)]:
            time.sleep(0.01)
        waiting = temp_files()
    finally:
        os.close(other_run)
        writer.join()
    assert waiting == [(True, NEW, 0o640)]
    assert done[0].ok and (path.read_bytes(), mode_of(path)) == (NEW, 0o640)
    no_leftovers(tmp_path)


# What may stop a file from being written, each a real condition: the run
# succeeds only if none arises (a read-only file only when not forced).
FAULTS = ["none", "none", "read-only", "changed", "gone", "symlink", "backup-fails", "too-large"]
LIMIT = 8192  # the file-size limit (ulimit -f) every drawn run writes under


@settings(max_examples=40, deadline=None)
@example(files=[("none", 0o644, b"a", b"b"), ("none", 0o4755, b"", b"c"), ("backup-fails", 0o600, b"d", b"")],
         force=False)
@given(files=st.lists(st.tuples(st.sampled_from(FAULTS), st.sampled_from([0o644, 0o600, 0o755, 0o4755]),
                                st.binary(max_size=40), st.binary(max_size=40)), min_size=1, max_size=4),
       force=st.booleans())
def test_every_file_is_written_or_none_is(files, force):
    """Afterwards every file holds its new bytes with its mode, or every file
    holds what it held before with its mode, and no temp file or backup is
    left; the outcome says which."""
    import resource

    with tempfile.TemporaryDirectory() as top:
        root = Path(top)
        deep = deep_folder(root / "deep") if any(fault == "backup-fails" for fault, *_ in files) else None
        changes, before = [], {}
        for i, (fault, mode, old, new) in enumerate(files):
            path = (deep if fault == "backup-fails" else root / "ab"[i % 2]) / f"{i}.json"
            path.parent.mkdir(exist_ok=True)
            if fault == "symlink":
                path.with_name(f"{i}.real").write_bytes(old)
                path.symlink_to(f"{i}.real")
            elif fault != "gone":
                path.write_bytes(old + b"!" if fault == "changed" else old)
                path.chmod(0o444 if fault == "read-only" else mode)
                before[path] = (path.read_bytes(), mode_of(path))
            new = b"x" * (LIMIT + 1) if fault == "too-large" else new if new != old else old + b"+"
            changes.append(change(path, old, new))
        limit = resource.getrlimit(resource.RLIMIT_FSIZE)
        resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, limit[1]))
        try:
            outcome = write_all(changes, force)
        finally:
            resource.setrlimit(resource.RLIMIT_FSIZE, limit)
        paths = [c.path for c in changes]
        if all(fault == "none" or (fault == "read-only" and force) for fault, *_ in files):
            assert (outcome.ok, outcome.written, outcome.restored) == (True, paths, [])
            assert {p: (p.read_bytes(), mode_of(p)) for p in before} == \
                {Path(c.path): (c.new, before[Path(c.path)][1]) for c in changes}
        else:
            assert not outcome.ok and outcome.written == [] and set(outcome.failed) <= set(paths)
            assert {p: (p.read_bytes(), mode_of(p)) for p in before} == before
            assert all(Path(p).is_symlink() for p, (fault, *_) in zip(paths, files) if fault == "symlink")
        no_leftovers(root)
