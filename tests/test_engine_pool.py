"""The engine's schedule on the pool (engine.py): package roots on the
workers in small tasks, the build files' facts on a worker, the pool forked
during the walk once enough roots are found. Where the work runs must
never change a byte of what napi-fix says: every tree here is run with
`--jobs 1` (inline) and `--jobs 2` (the pool) and the two compared."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from codemod.discover import discover
from codemod.engine import MIN_ROOTS_FOR_POOL, Project, _RootsAhead
from codemod.manifests.roots import PackageRoot, package_roots
from codemod.options import Options
from codemod.parallel import MIN_ITEMS_FOR_POOL, Workers
from codemod.sources.base import within
from codemod.sources.disk import DiskSources
from checkout import ROOT
from helpers import copy_example, ended, run_cli, write_tree

COUNTER = """#include <napi.h>
class Counter{i} : public Napi::ObjectWrap<Counter{i}> {{
 public:
  Counter{i}(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Counter{i}>(info) {{}}
}};
"""


def _roots(tmp_path: Path) -> Path:
    """As many leaky addons side by side as make the roots worth the pool, and loose packages."""
    for i in range(MIN_ROOTS_FOR_POOL + 1):
        copy_example("leaky-addon", tmp_path / f"addon{i}")
    # A build file's facts change the fix: this addon's classes need basic finalizers.
    gyp = tmp_path / "addon0" / "binding.gyp"
    gyp.write_text(gyp.read_text().replace('"NAPI_DISABLE_CPP_EXCEPTIONS"',
                                           '"NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_ADDON_API_REQUIRE_BASIC_FINALIZERS"'))
    write_tree(tmp_path, {f"tools/t{i}/package.json": '{"name": "t%d"}\n' % i for i in range(3)})
    return tmp_path


def _many_cpp(tmp_path: Path) -> Path:
    """More C/C++ files than make the first round worth the pool, some of them ObjectWrap classes."""
    copy_example("leaky-addon", tmp_path / "addon")
    write_tree(tmp_path, {f"addon/src/gen/c{i}.h": COUNTER.format(i=i) if i % 40 == 0 else f"int f{i}();\n"
                          for i in range(MIN_ITEMS_FOR_POOL + 70)})
    return tmp_path


@pytest.mark.parametrize("tree", [pytest.param(_roots, id="roots"), pytest.param(_many_cpp, id="many-cpp")])
@pytest.mark.parametrize("strategy", ["both", "pin", "finalize"])
def test_the_pool_says_what_one_process_says(tmp_path, capfdbinary, tree, strategy):
    root = tree(tmp_path)
    runs = [run_cli(capfdbinary, "--dry-run", "--strategy", strategy, "--format", "json", "--jobs", jobs, root)
            for jobs in ("1", "2")]
    assert runs[0] == runs[1]
    assert runs[0][0] in (1, 3)  # the leak or its pins were found: the run did something


def test_each_root_keeps_its_own_plan(tmp_path):
    """Planned in tasks out of the roots' order, each plan still lands
    under its own root (the editor server re-plans by it)."""
    project = Project(DiskSources(), [str(_roots(tmp_path))], Options("both"))
    with Workers(2) as workers:
        project.analyze(workers)
    planned = {folder: [path for path in root_plan.read if os.path.basename(path) == "package.json"]
               for folder, root_plan in project.root_plans.items()}
    assert len(planned) == MIN_ROOTS_FOR_POOL + 1 + 3  # the addons and the three tools
    for folder, read in planned.items():
        assert read and all(within(path, folder) for path in read), folder


def test_a_root_planned_during_the_walk_is_used_only_if_the_whole_tree_has_it_alike(tmp_path):
    """Once the pool is worth it, each subfolder's roots are planned as soon
    as the walk has finished it; at the end a plan is taken only for the very
    same root (same files), else the root is planned again."""
    root = _roots(tmp_path)
    with Workers(2) as workers:
        ahead, roots = _walk(root, workers, subtrees=True)
        assert workers.started
        early = [i for i, r in enumerate(roots) if r.folder in ahead.early]
        assert early and set(ahead.planned(tuple(roots))) == set(early)
        first = roots[early[0]]
        grown = PackageRoot(first.folder, first.packages, first.manifests,
                            first.build_files + (os.path.join(first.folder, "CMakeLists.txt"),))
        assert ahead.planned((grown, first)).keys() == {1}
        planned = ahead.planned((first,))[0]()
    assert planned.read and all(within(path, first.folder) for path in planned.read)


def test_nothing_is_planned_during_the_walk_without_a_pool_or_with_too_few_roots(tmp_path):
    """Too few roots are planned inline at the end, even where a pool runs
    already (an editor server's): nothing is sent to it during the walk."""
    write_tree(tmp_path, {f"p{i}/package.json": "{}" for i in range(MIN_ROOTS_FOR_POOL - 1)})
    ahead, roots = _walk(tmp_path, _Pool(stay_unstarted=True), subtrees=True)
    assert ahead.early == {}
    with Workers(2) as workers:
        workers.start()
        ahead, roots = _walk(tmp_path, workers, subtrees=True)
    assert ahead.early == {} and len(roots) == MIN_ROOTS_FOR_POOL - 1


class _Pool:
    """Stands in for Workers: counts the starts _RootsAhead asks for."""

    def __init__(self, stay_unstarted: bool = False):
        self.starts = 0
        self.stay_unstarted = stay_unstarted

    @property
    def started(self) -> bool:
        return self.starts > 0 and not self.stay_unstarted

    def start(self, warm=None) -> None:
        self.starts += 1


def _walk(root: Path, pool, subtrees: bool = False) -> tuple[_RootsAhead, list]:
    ahead = _RootsAhead(pool, DiskSources(), Options("both"), None)
    found = discover(DiskSources(), [str(root)], on_package=ahead.found,
                     on_subtree=ahead.subtree if subtrees else None)
    return ahead, package_roots(found)


@pytest.mark.parametrize("files, forks", [
    pytest.param({f"p{i}/package.json": "{}" for i in range(MIN_ROOTS_FOR_POOL)}, True, id="enough-roots"),
    pytest.param({f"p{i}/package.json": "{}" for i in range(MIN_ROOTS_FOR_POOL - 1)}, False, id="one-too-few"),
    pytest.param({"package.json": "{}", "package-lock.json": "{}",
                  **{f"packages/p{i}/package.json": "{}" for i in range(3 * MIN_ROOTS_FOR_POOL)}},
                 False, id="a-workspace-is-one-root"),
    pytest.param({**{f"p{i}/package.json": "{}" for i in range(MIN_ROOTS_FOR_POOL)},
                  **{f"p{i}/yarn.lock": "" for i in range(MIN_ROOTS_FOR_POOL)}}, True, id="roots-with-locks"),
])
def test_the_pool_is_forked_during_the_walk_only_for_enough_roots(tmp_path, files, forks):
    write_tree(tmp_path, files)
    pool = _Pool()
    ahead, roots = _walk(tmp_path, pool)
    assert pool.starts == (1 if forks else 0)
    assert (len(roots) >= MIN_ROOTS_FOR_POOL) is forks


_FOLDERS = st.lists(st.sampled_from(["a", "b", "a/x", "a/y", "b/x", "a/x/m", "a/x/n", "b/x/m", "c"]), unique=True)


@settings(max_examples=60, deadline=None)
@given(packages=_FOLDERS, locks=_FOLDERS, top=st.booleans())
def test_the_walk_never_counts_more_roots_than_there_are(packages, locks, top):
    """Whatever folders hold package.json files and lockfiles (the lock
    listed before or after its package.json), the count that forks the pool
    never exceeds package_roots(): a pool forked early is one the engine
    would have forked anyway."""
    root = Path(tempfile.mkdtemp())
    try:
        files = {f"{folder}/package.json": "{}" for folder in packages + (["."] if top else [])}
        files.update({f"{folder}/package-lock.json": "{}" for folder in locks})
        write_tree(root, {os.path.normpath(path): text for path, text in files.items()})
        ahead, roots = _walk(root, _Pool(stay_unstarted=True))
        assert len(ahead.roots) <= len(roots)
    finally:
        shutil.rmtree(root)


def test_a_pooled_dry_run_imports_neither_multiprocessing_nor_concurrent_futures(tmp_path):
    """The command line's pool is forked workers and pipes (forkpool.py):
    ~20 ms of imports and start-up less on the run's critical path."""
    probe = ("import resource, sys; from codemod.cli import main; status = main(sys.argv[1:]); "
             "print(status, sorted(m for m in ('multiprocessing', 'concurrent.futures') if m in sys.modules), "
             "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss > 0)")
    found = subprocess.run([sys.executable, "-c", probe, "--dry-run", "--jobs", "2", str(_roots(tmp_path))],
                           capture_output=True, text=True, check=True, cwd=ROOT).stdout.splitlines()[-1]
    assert found == "1 [] True"  # the leak; no such import; and workers did run (and were reaped)


# The real run with its package roots' planning slowed down, so that the
# test can interrupt it, or kill a worker, while the workers plan: each task
# names its worker in a file of the folder given first.
SLOW = """
import os, sys, time
from codemod import engine
from codemod.cli import main

plan_roots = engine._plan_roots

def slow_plan_roots(*args):
    open(os.path.join(sys.argv[1], str(os.getpid())), "w").close()
    time.sleep(30)
    return plan_roots(*args)

engine._plan_roots = slow_plan_roots
sys.exit(main(sys.argv[2:]))
"""


@pytest.fixture
def slow_run(tmp_path):
    """A pooled dry run (in its own session) whose two workers are planning
    roots; whatever a failing test leaves of it is killed at the end."""
    runs = []
    yield lambda: runs.append(_slow_run(tmp_path)) or runs[-1]
    for run, _ in runs:
        try:
            os.killpg(run.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        run.communicate()


def _slow_run(tmp_path: Path) -> tuple[subprocess.Popen, list[int]]:
    busy = tmp_path / "busy"
    busy.mkdir()
    run = subprocess.Popen([sys.executable, "-c", SLOW, str(busy), "--dry-run", "--format", "json", "--jobs", "2",
                            str(_roots(tmp_path / "tree"))], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           cwd=ROOT, start_new_session=True)
    deadline = time.monotonic() + 30
    while len(list(busy.iterdir())) < 2 and time.monotonic() < deadline and run.poll() is None:
        time.sleep(0.02)
    pids = [int(entry.name) for entry in busy.iterdir()]
    assert len(pids) == 2, run.communicate()
    return run, pids


def test_ctrl_c_while_the_workers_plan_is_130_and_leaves_no_process(slow_run):
    run, pids = slow_run()
    os.killpg(run.pid, signal.SIGINT)  # what a terminal sends: to the workers too
    out, err = run.communicate(timeout=30)
    assert run.returncode == 130 and err.endswith(b"napi-fix: interrupted: nothing written\n")
    assert json.loads(out)["exit_code"] == 130
    assert ended(pids)


def test_a_worker_killed_mid_run_ends_the_run_with_status_2_and_names_it(slow_run):
    """As with ProcessPoolExecutor's BrokenProcessPool, but saying which
    worker and how; at once, though the other worker is still busy."""
    run, pids = slow_run()
    started = time.monotonic()
    os.kill(pids[0], signal.SIGKILL)  # the OOM killer, say
    out, err = run.communicate(timeout=30)
    assert time.monotonic() - started < 10
    error = json.loads(out)["error"]
    assert run.returncode == 2 and f"(pid {pids[0]}) was killed by SIGKILL" in error
    assert error.endswith("; nothing written (`--jobs 1` runs in one process)") and "internal error" not in error
    assert b"Traceback" not in err and ended(pids)
