"""`napi-fix probe`: real addons, built here with g++ against real
node-addon-api headers, run by real Node.js builds under the LD_AUDIT
library; the verdicts must match the measured table in
/work/shared/knowledge/objectwrap-leak.md (8.2.0/8.2.1 leak with or without
an empty Finalize; 8.1.0, 8.2.2 and the latest 8.x do not).

Three Node.js builds: this machine's node (Node-API exported by the
executable), the official Node 20 build from npm (the same, as shipped by
nodejs.org) and Debian's Node 18 (Node-API in a shared libnode.so.108); the
last two come from scripts/setup-probe, cached.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from functools import lru_cache
from pathlib import Path

import pytest

from checkout import ROOT
from codemod.cachedir import cache_dir
from codemod.cli import main
from codemod.probe import build as probe_build
from codemod.probe.report import LEAKING, UNDECIDED, Counts, Outcome, Addon, Verdict, judge, read_counts
from napi_headers import headers, latest

NODE_INCLUDE = Path("/usr/include/node")
OBJECTS = 20_000
LEAKY = ("8.2.0", "8.2.1")

# The probe addon of bench/probe without its link-time counters: a plain
# ObjectWrap class, as any addon has. PROBE_FINALIZE 1 adds an empty Finalize.
ADDON = """\
#include <napi.h>
class Probe : public Napi::ObjectWrap<Probe> {
 public:
  static Napi::Function Init(Napi::Env env) { return DefineClass(env, "Probe", {}); }
  explicit Probe(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Probe>(info) {}
#if PROBE_FINALIZE == 1
  void Finalize(Napi::Env /*env*/) override {}
#endif
};
static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("Probe", Probe::Init(env));
  return exports;
}
NODE_API_MODULE(probe, Init)
"""

# node make.js ADDON [COUNT]: wraps COUNT objects and drops them.
MAKE = """\
const addon = require(process.argv[2]);
const count = Number(process.argv[3] || 20000);
for (let i = 0; i < count; i++) new addon.Probe();
"""

needs_tools = pytest.mark.skipif(shutil.which("g++") is None or shutil.which("node") is None
                                 or shutil.which("npm") is None, reason="needs g++, node and npm")


@lru_cache(maxsize=None)
def addon(version: str, finalize: int = 0) -> Path:
    """The probe addon against node-addon-api `version`, built once into the cache."""
    key = hashlib.sha256(f"{ADDON}{finalize}".encode()).hexdigest()[:12]
    target = Path(cache_dir("probe-test", f"probe-{version}-{finalize}-{key}.node"))
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        source = target.with_suffix(".cc")
        source.write_text(ADDON)
        partial = target.with_suffix(".partial")
        subprocess.run(["g++", "-O2", "-shared", "-fPIC", "-std=c++17", f"-I{NODE_INCLUDE}", f"-I{headers(version)}",
                        "-DNAPI_DISABLE_CPP_EXCEPTIONS", f"-DPROBE_FINALIZE={finalize}", str(source), "-o",
                        str(partial)], check=True, capture_output=True)
        partial.replace(target)
    return target


@lru_cache(maxsize=None)
def nodes() -> dict[str, str]:
    """name -> node executable: this machine's, and what scripts/setup-probe fetched."""
    found = {"system": shutil.which("node")}
    printed = subprocess.run([str(ROOT / "scripts" / "setup-probe")], capture_output=True, text=True, check=True)
    for line in printed.stdout.splitlines():
        found["official-20" if "official" in line else "debian-libnode"] = line
    return found


def probe(capsys, *args: str) -> tuple[int, dict]:
    status = main(["probe", "--format", "json", *args])
    return status, json.loads(capsys.readouterr().out)


@pytest.fixture
def make(tmp_path) -> Path:
    script = tmp_path / "make.js"
    script.write_text(MAKE)
    return script


@pytest.fixture
def no_leftovers(tmp_path, monkeypatch):
    """The probe's temporary folders go to a folder of their own, which must end empty."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    yield
    assert list(scratch.iterdir()) == []


# -- verdicts, no build needed -------------------------------------------------------------------

@pytest.mark.parametrize("counts, min_collected, verdict", [
    pytest.param(Counts("a", 100, 100, 100, 0, 0, 100), 10, LEAKING, id="none-deleted"),
    pytest.param(Counts("a", 100, 100, 100, 100, 0, 0), 10, "clean", id="all-deleted"),
    pytest.param(Counts("a", 100, 100, 100, 97, 0, 3), 10, "clean", id="a-few-pending-at-exit"),
    pytest.param(Counts("a", 100, 100, 5, 0, 0, 5), 10, UNDECIDED, id="too-few-collected"),
    pytest.param(Counts("a", 100, 100, 0, 0, 0, 0), 1, UNDECIDED, id="none-collected"),
    pytest.param(Counts("a", 0, 0, 0, 0, 0, 0), 10, "clean", id="nothing-wrapped"),
    pytest.param(Counts("a", 50, 0, 50, 0, 0, 0), 10, "clean", id="wrapped-without-reference"),
])
def test_judge(counts, min_collected, verdict):
    assert judge(counts, min_collected).verdict == verdict


def test_leak_costs_82_bytes_per_object():
    assert judge(Counts("a", 1000, 1000, 1000, 0, 0, 1000), 10).bytes_leaked == 82_000


def _outcome(status: int, *verdicts: str) -> Outcome:
    return Outcome(("x",), status, tuple(Addon(Counts("a"), Verdict(v, ""), None) for v in verdicts))


@pytest.mark.parametrize("outcome, expected", [
    pytest.param(_outcome(0), 0, id="nothing-loaded"),
    pytest.param(_outcome(0, "clean"), 0, id="clean"),
    pytest.param(_outcome(0, "clean", LEAKING), 1, id="leak"),
    pytest.param(_outcome(7, LEAKING), 1, id="leak-beats-command-status"),
    pytest.param(_outcome(7, "clean"), 7, id="command-status-passes-through"),
    pytest.param(_outcome(137, UNDECIDED), 137, id="command-status-beats-undecided"),
    pytest.param(_outcome(0, UNDECIDED), 1, id="undecided"),
])
def test_exit_status_precedence(outcome, expected):
    assert outcome.exit_status() == expected


def test_counts_are_summed_per_addon_over_processes(tmp_path):
    (tmp_path / "10.tsv").write_text("/m/a.node\t5\t5\t5\t0\t0\t5\n/m/b.node\t1\t1\t1\t1\t0\t0\n")
    (tmp_path / "11.tsv").write_text("/m/a.node\t2\t2\t1\t0\t1\t1\n")
    (tmp_path / "12.tsv.part").write_text("/m/a.node\t900\t900\t900\t0\t0\t900\n")  # died while writing
    (tmp_path / "13.tsv").write_text("garbage\n/m/tab\tin name.node\t1\t1\t1\t1\t0\t0\n")
    assert read_counts(str(tmp_path)) == (
        Counts("/m/a.node", 7, 7, 6, 0, 1, 6, processes=2),
        Counts("/m/b.node", 1, 1, 1, 1, 0, 0),
        Counts("/m/tab\tin name.node", 1, 1, 1, 1, 0, 0),
    )


@pytest.mark.parametrize("executable, dynamic", [
    pytest.param(shutil.which("node"), True, id="node"),
    pytest.param("/sbin/ldconfig", False, id="static-pie"),
    pytest.param(str(ROOT / "scripts" / "setup-probe"), True, id="a-script-decides-nothing"),
])
def test_static_executables_are_named(executable, dynamic):
    if not os.path.isfile(executable):
        pytest.skip(f"no {executable}")
    problem = probe_build.interposition_problem(executable)
    assert (problem is None) == dynamic, problem


@pytest.mark.parametrize("args, message", [
    pytest.param([], "no command", id="no-command"),
    pytest.param(["--"], "no command", id="nothing-after-dashes"),
    pytest.param(["--min-collected", "0", "--", "node"], "--min-collected", id="bad-minimum"),
    pytest.param(["--format", "yaml", "--", "node"], "'yaml' is not one of", id="bad-format"),
    pytest.param(["--rebuild", "--package", "/nonexistent", "--", "node"], "no package.json", id="rebuild-needs-a-package"),
])
def test_usage_errors_exit_2_with_json(capsys, args, message):
    status = main(["probe", "--format=json", *args])
    captured = capsys.readouterr()
    assert status == 2
    assert message in captured.err
    assert json.loads(captured.out) == {"tool": "napi-fix probe", "status": 2, "error": captured.err.split(": ", 1)[1].rstrip("\n")}


# -- real addons, real Node.js builds ------------------------------------------------------------

VERSIONS = ["8.1.0", "8.2.0", "8.2.1", "8.2.2", "latest"]


@pytest.mark.slow
@needs_tools
@pytest.mark.parametrize("node", ["system", "official-20", "debian-libnode"])
@pytest.mark.parametrize("finalize", [0, 1], ids=["no-override", "empty-finalize"])
@pytest.mark.parametrize("version", VERSIONS)
def test_verdicts_match_the_measured_table(capsys, make, no_leftovers, version, finalize, node):
    version = latest(8) if version == "latest" else version
    executable = nodes().get(node)
    if executable is None:
        pytest.skip(f"scripts/setup-probe could not provide {node}")
    built = addon(version, finalize)
    status, report = probe(capsys, "--", executable, str(make), str(built), str(OBJECTS))
    [found] = report["addons"]
    assert found["path"] == str(built)
    assert (found["wrapped"], found["finalized"]) == (OBJECTS, OBJECTS)
    if version in LEAKY:
        assert (found["verdict"], found["deleted"], found["leaked"], status) == (LEAKING, 0, OBJECTS, 1)
        assert found["bytes_leaked"] == OBJECTS * 82
    else:
        assert (found["verdict"], found["deleted"], found["leaked"], status) == ("clean", OBJECTS, 0, 0)


@pytest.mark.slow
@needs_tools
def test_a_prebuilt_dependency_without_sources(tmp_path, capsys, monkeypatch, no_leftovers):
    """An application whose node_modules holds a leaky prebuilt binary: found,
    judged, and told that no pin changes it."""
    app = tmp_path / "app"
    dependency = app / "node_modules" / "fancy-addon"
    (dependency / "prebuilds" / "linux-x64").mkdir(parents=True)
    shutil.copy(addon("8.2.1"), dependency / "prebuilds" / "linux-x64" / "fancy.node")
    (dependency / "package.json").write_text('{"name": "fancy-addon", "version": "2.0.0", "main": "index.js"}\n')
    (dependency / "index.js").write_text("module.exports = require('./prebuilds/linux-x64/fancy.node');\n")
    (app / "package.json").write_text('{"name": "app", "version": "1.0.0", "dependencies": {"fancy-addon": "2.0.0"}}\n')
    (app / "main.js").write_text("const { Probe } = require('fancy-addon');\nfor (let i = 0; i < 5000; i++) new Probe();\n")
    monkeypatch.chdir(app)
    status, report = probe(capsys, "--", "node", "main.js")
    [found] = report["addons"]
    assert status == 1
    assert (found["verdict"], found["build"]["kind"], found["build"]["name"]) == (LEAKING, "prebuilt", "fancy-addon")
    assert "no lockfile pin changes it" in found["advice"]
    assert "npm rebuild --build-from-source fancy-addon" in found["advice"]
    assert "8.2.2 or later" in found["advice"]


@pytest.mark.slow
@needs_tools
@pytest.mark.parametrize("exit_code, version, expected", [
    pytest.param(7, "8.2.2", 7, id="clean-addon-failing-command"),
    pytest.param(7, "8.2.1", 1, id="leak-beats-the-failure"),
    pytest.param(0, "8.2.2", 0, id="clean-and-passing"),
])
def test_a_failing_command_passes_its_status_through(tmp_path, capsys, no_leftovers, exit_code, version, expected):
    script = tmp_path / "fail.js"
    script.write_text(MAKE + f"process.exitCode = {exit_code};\n")
    status, report = probe(capsys, "--", "node", str(script), str(addon(version)), "2000")
    assert (status, report["command_status"], report["status"]) == (expected, exit_code, expected)


@pytest.mark.slow
@needs_tools
def test_a_command_that_loads_no_addon(capsys, no_leftovers):
    status, report = probe(capsys, "--", "node", "-e", "process.exitCode = 3")
    assert (status, report["addons"]) == (3, [])
    assert "no native addon" in report["notes"][0]


@pytest.mark.slow
@needs_tools
def test_a_command_that_cannot_start(capsys, no_leftovers):
    status, report = probe(capsys, "--", "/nonexistent/napi-fix-no-such-command")
    assert status == 127
    assert "cannot run /nonexistent/napi-fix-no-such-command" in report["notes"][0]


@pytest.mark.slow
@needs_tools
def test_forked_workers_are_counted(tmp_path, capsys, no_leftovers):
    """The parent loads no addon; each forked worker does, and writes its own counts."""
    script = tmp_path / "fork.js"
    script.write_text(
        "const { fork } = require('child_process');\n"
        "if (process.argv[2] === 'worker') {\n"
        "  const addon = require(process.argv[3]);\n"
        "  for (let i = 0; i < 3000; i++) new addon.Probe();\n"
        "} else {\n"
        "  for (let i = 0; i < 3; i++) fork(__filename, ['worker', process.argv[2]]);\n"
        "}\n")
    status, report = probe(capsys, "--", "node", str(script), str(addon("8.2.1")))
    [found] = report["addons"]
    assert (status, found["processes"], found["wrapped"], found["leaked"]) == (1, 3, 9000, 9000)


@pytest.mark.slow
@needs_tools
def test_a_command_killed_by_a_signal(tmp_path, capsys, no_leftovers):
    script = tmp_path / "killed.js"
    script.write_text(MAKE + "process.kill(process.pid, 'SIGKILL');\n")
    status, report = probe(capsys, "--", "node", str(script), str(addon("8.2.1")), "1000")
    assert (status, report["signal"], report["addons"]) == (128 + signal.SIGKILL, "SIGKILL", [])
    assert any("ended by a signal writes no counts" in note for note in report["notes"])


@pytest.mark.slow
@needs_tools
def test_process_exit_leaves_objects_uncollected_and_says_so(tmp_path, capsys, no_leftovers):
    script = tmp_path / "exits.js"
    script.write_text(MAKE + "process.exit(0);\n")
    status, report = probe(capsys, "--", "node", str(script), str(addon("8.2.1")), "1000")
    [found] = report["addons"]
    assert (status, found["verdict"]) == (1, UNDECIDED)
    assert "process.exit()" in found["reason"]


@pytest.mark.slow
@needs_tools
@pytest.mark.parametrize("output, expected", [
    pytest.param("text", "p8.2.1", id="text"),
    pytest.param("markdown", "| `", id="markdown"),
])
def test_text_and_markdown(tmp_path, capsys, monkeypatch, make, output, expected):
    leaky = tmp_path / "p8.2.1.node"
    shutil.copy(addon("8.2.1"), leaky)
    monkeypatch.chdir(tmp_path)
    status = main(["probe", "--format", output, "--", "node", str(make), str(leaky), "2000"])
    out = capsys.readouterr().out
    assert status == 1
    assert expected in out and "leaking" in out and "2,000" in out


@pytest.mark.slow
@needs_tools
def test_compare_proves_the_pin_on_the_leaky_example(tmp_path, capsys, monkeypatch, no_leftovers):
    """The example's lock resolves 8.2.1: as is it leaks; pinned and rebuilt it does not.
    The package itself is left untouched."""
    package = tmp_path / "leaky-addon"
    shutil.copytree(ROOT / "examples" / "leaky-addon", package, ignore=shutil.ignore_patterns("build", "node_modules"))
    before = {p: p.read_bytes() for p in package.rglob("*") if p.is_file()}
    monkeypatch.chdir(package)
    script = "const a = require('./build/Release/leaky_addon.node'); for (let i = 0; i < 5000; i++) new a.Counter(1);"
    status = main(["probe", "--compare", "--format", "json", "--", "node", "-e", script])
    report = json.loads(capsys.readouterr().out)
    [as_is] = report["runs"]["as is"]["addons"]
    [pinned] = report["runs"]["pinned"]["addons"]
    assert as_is["path"] == pinned["path"] == str(package / "build" / "Release" / "leaky_addon.node")
    assert (as_is["verdict"], as_is["build"]["node_addon_api"], as_is["build"]["headers"]) == (LEAKING, "8.2.1", "leaky")
    assert (pinned["verdict"], pinned["build"]["headers"]) == ("clean", "fixed")
    assert status == 0
    assert {p: p.read_bytes() for p in package.rglob("*") if p.is_file()} == before


@pytest.mark.slow
@needs_tools
def test_rebuild_links_the_counters_into_the_addon(tmp_path, capsys, monkeypatch, no_leftovers):
    """Where LD_AUDIT is not (musl), --rebuild builds a copy with -Wl,--wrap and the counters linked in."""
    package = tmp_path / "leaky-addon"
    shutil.copytree(ROOT / "examples" / "leaky-addon", package, ignore=shutil.ignore_patterns("build", "node_modules"))
    monkeypatch.chdir(package)
    monkeypatch.setenv("LD_AUDIT", "")  # nothing audited: the counts can only come from the linked counters
    script = "const a = require('./build/Release/leaky_addon.node'); for (let i = 0; i < 3000; i++) new a.Point(1, 2);"
    status, report = probe(capsys, "--rebuild", "--", "node", "-e", script)
    [found] = report["addons"]
    assert (status, found["verdict"], found["wrapped"], found["leaked"]) == (1, LEAKING, 3000, 3000)
    assert not (package / "build").exists()  # built in the copy only


@pytest.mark.slow
@needs_tools
def test_sigterm_to_napi_fix_reaches_the_command_and_the_report_follows(tmp_path):
    """A CI timeout sends SIGTERM to napi-fix: the command gets it, ends, and the report still comes."""
    scratch, ready = tmp_path / "scratch", tmp_path / "ready"
    scratch.mkdir()
    script = tmp_path / "serve.js"
    script.write_text(MAKE + f"require('fs').writeFileSync({json.dumps(str(ready))}, '');\nsetInterval(() => {{}}, 1000);\n")
    probe_process = subprocess.Popen(
        [sys.executable, "-c", "import sys; from codemod.cli import main; sys.exit(main())", "probe", "--format",
         "json", "--", "node", str(script), str(addon("8.2.1")), "1000"],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "TMPDIR": str(scratch)}, cwd=ROOT)
    for _ in range(300):
        if ready.exists():
            break
        time.sleep(0.1)
    probe_process.send_signal(signal.SIGTERM)
    out, _ = probe_process.communicate(timeout=60)
    report = json.loads(out)
    assert (probe_process.returncode, report["signal"], report["command_status"]) == (143, "SIGTERM", 143)
    assert list(scratch.iterdir()) == []


# -- presentation (pure) -------------------------------------------------------------------------

def _found(path: str, counts: Counts, kind: str = "prebuilt", **build) -> Addon:
    from codemod.probe.provenance import Build

    return Addon(counts, judge(counts, 10), Build(kind, **build))


LEAKY_RUN = Outcome(("npm", "test"), 0, (
    _found("/app/node_modules/fancy/prebuilds/fancy.node", Counts("/app/node_modules/fancy/prebuilds/fancy.node",
                                                                  2000, 2000, 2000, 0, 0, 2000), name="fancy"),
    _found("/app/build/Release/own.node", Counts("/app/build/Release/own.node", 50, 50, 50, 50, 0, 0), "source",
           package="/app", name="own", node_addon_api="8.2.2", headers="fixed"),
))


def test_text_table_and_details():
    from codemod.probe.present import to_text

    text = to_text(LEAKY_RUN, "/app")
    assert text.splitlines()[0].split() == ["addon", "wrapped", "finalized", "refs", "deleted", "removed", "leaked",
                                            "verdict"]
    assert "node_modules/fancy/prebuilds/fancy.node    2,000      2,000             0        0   2,000  leaking" in text
    assert "build/Release/own.node" in text and "built from source against node-addon-api 8.2.2 (headers found now: " \
        "fixed)" in text
    assert "no lockfile pin changes it" in text and "npm rebuild --build-from-source fancy" in text
    assert "~0.2 MB kept by this run" in text
    assert text.endswith("the command exited with status 0\n")


def test_markdown_summary():
    from codemod.probe.present import to_markdown

    markdown = to_markdown(LEAKY_RUN, "/app")
    assert markdown.startswith("## napi-fix probe\n\n`npm test`: the command exited with status 0\n")
    assert "| `node_modules/fancy/prebuilds/fancy.node` | 2,000 | 2,000 | 0 | 0 | 2,000 | **leaking** |" in markdown
    assert "| `build/Release/own.node` | 50 | 50 | 50 | 0 | 0 | clean |" in markdown


def test_compare_side_by_side():
    from codemod.probe.present import compare_text

    fixed = Outcome(("npm", "test"), 0, (
        _found("/app/build/Release/own.node", Counts("/app/build/Release/own.node", 50, 50, 50, 50, 0, 0)),))
    leaky = Outcome(("npm", "test"), 0, (
        _found("/app/build/Release/own.node", Counts("/app/build/Release/own.node", 50, 50, 50, 0, 0, 50)),))
    text = compare_text([("as is", leaky), ("pinned", fixed)], "/app")
    assert text.splitlines()[2].split() == ["build/Release/own.node", "leaking", "(0", "of", "50", "finalized",
                                            "deleted)", "clean", "(50", "of", "50", "finalized", "deleted)"]
    markdown = compare_text([("as is", leaky), ("pinned", fixed)], "/app", markdown=True)
    assert "| build/Release/own.node | leaking (0 of 50 finalized deleted) | clean (50 of 50 finalized deleted) |" \
        in markdown
    assert "### as is" in markdown and "### pinned" in markdown
