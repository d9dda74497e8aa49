"""Where builds get node-addon-api's headers: binding.gyp, CMake, vendored
copies (judged by fingerprint, patched with --patch-vendored), installed
copies; and a real node-gyp build whose dependency files prove which
napi-inl.h the compiler included before and after the pin."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from checkout import EXAMPLES
from codemod.cli import main
from codemod.manifests.fingerprint import FIXED, LEAKY, PRE, fingerprint
from helpers import copy_example, dedent, plan, write_tree
from napi_headers import headers
from pm import npm

GYP_NPM = dedent("""
    {
      # headers from the npm package; the <!(...) string is a shell command
      'targets': [{
        'target_name': 'addon',
        'sources': ['src/addon.cc'],
        'include_dirs': ["<!(node -p \\"require('node-addon-api').include_dir\\")"],
        'conditions': [['OS=="win"', {'include_dirs': ['<!(cmd /c echo never-run)']}]],
      }, {
        'target_name': 'vendored',
        'include_dirs': ['deps/node-addon-api', 'src'],
      }],
    }
""")


def findings(root: Path, *args: str, strategy: str = "pin", patch: bool = False):
    report = plan([root], strategy, patch_vendored=patch)
    return report, [(Path(f.path).relative_to(root).as_posix(), f.kind, f.subject, f.reason)
                    for r in report.files for f in r.findings]


def vendor(root: Path, version: str, where: str = "deps/node-addon-api") -> Path:
    target = root / where
    target.mkdir(parents=True)
    for name in ("napi.h", "napi-inl.h", "napi-inl.deprecated.h"):
        shutil.copy(headers(version) / name, target / name)
    return target


@pytest.mark.parametrize("version, expected", [("8.1.0", PRE), ("8.2.1", LEAKY), ("8.2.2", FIXED)])
def test_fingerprint_of_real_releases(version, expected):
    assert fingerprint((headers(version) / "napi-inl.h").read_bytes()) == expected


def test_gyp_targets_report_npm_unknown_and_vendored_sources(tmp_path):
    write_tree(tmp_path, {"binding.gyp": GYP_NPM, "src/addon.cc": "int x;\n"})
    vendor(tmp_path, "8.2.1")
    report, found = findings(tmp_path)
    gyp = [(k, s, r) for p, k, s, r in found if p == "binding.gyp"]
    assert gyp[0][:2] == ("headers", "target addon") and "npm package node-addon-api" in gyp[0][2]
    assert gyp[1][:2] == ("unknown", "target addon") and "never runs it" in gyp[1][2]
    assert gyp[2][:2] == ("manual", "target vendored")
    assert gyp[2][2].startswith("vendored copy 'deps/node-addon-api': leaky; no package.json beside it")
    assert ("deps/node-addon-api/napi-inl.h", "manual") in [(p, k) for p, k, _, _ in found]
    assert report.changed == ()  # no package.json to declare the npm package in: reported only


def test_module_root_dir_is_the_build_files_folder_from_anywhere(tmp_path, monkeypatch):
    gyp = "{'targets': [{'target_name': 'a', 'include_dirs': ['<(module_root_dir)/deps/node-addon-api']}]}\n"
    write_tree(tmp_path, {"pkg/binding.gyp": gyp})
    vendor(tmp_path / "pkg", "8.2.1")
    for where, arg in ((tmp_path, "pkg"), (tmp_path / "pkg", ".")):
        monkeypatch.chdir(where)
        _, found = findings(Path(arg))  # relative, as a user types it
        gyp_found = [(k, r) for p, k, _, r in found if p == "binding.gyp"]
        assert gyp_found and gyp_found[0][0] == "manual" and "leaky" in gyp_found[0][1], (where, found)


def test_a_dry_run_refuses_what_the_real_run_refuses(tmp_path, capfdbinary, monkeypatch):
    """A target compiling a copy outside the paths given: its patch is refused
    in both modes, with the same words and exit status."""
    gyp = "{'targets': [{'target_name': 'a', 'include_dirs': ['../shared/deps/node-addon-api']}]}\n"
    write_tree(tmp_path, {"addon/binding.gyp": gyp})
    copy = vendor(tmp_path / "shared", "8.2.1")
    monkeypatch.chdir(tmp_path)
    before = (copy / "napi-inl.h").read_bytes()
    assert main(["--patch-vendored", "--dry-run", "addon"]) == 2
    dry_out, dry_err = capfdbinary.readouterr()
    assert main(["--patch-vendored", "addon"]) == 2
    _, real_err = capfdbinary.readouterr()
    assert b"--- a/" not in dry_out
    refusal = b"shared/deps/node-addon-api/napi-inl.h: error: refused: outside the paths given"
    assert refusal in dry_err and refusal in real_err
    assert (copy / "napi-inl.h").read_bytes() == before


def test_patch_vendored_applies_the_upstream_fix_and_it_compiles(tmp_path):
    write_tree(tmp_path, {"binding.gyp": GYP_NPM})
    copy = vendor(tmp_path, "8.2.1")
    # 0: the Windows-only shell command (NAPI005) is not about the leak: that target's
    # node-addon-api headers are the npm package's.
    assert main(["--patch-vendored", str(tmp_path)]) == 0
    assert fingerprint((copy / "napi-inl.h").read_bytes()) == FIXED
    assert "bool _finalized = false;" in (copy / "napi.h").read_text()
    assert main(["--patch-vendored", "--dry-run", str(tmp_path)]) == 0  # stable
    source = tmp_path / "probe.cc"
    source.write_text("#include <napi.h>\nclass C : public Napi::ObjectWrap<C> {\n public:\n"
                      "  C(const Napi::CallbackInfo& i) : Napi::ObjectWrap<C>(i) {}\n};\n"
                      "Napi::Object Init(Napi::Env env, Napi::Object e) {\n"
                      "  e.Set(\"C\", C::DefineClass(env, \"C\", {}));\n  return e;\n}\n")
    done = subprocess.run(["g++", "-std=c++17", "-Wall", "-Wextra", "-Werror", "-DNAPI_DISABLE_CPP_EXCEPTIONS",
                           "-I/usr/include/node", f"-I{copy}", "-c", "-o", "/dev/null", str(source)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]


def test_cmake_js_sources(tmp_path):
    vendor(tmp_path, "8.2.1", "third_party/napi")
    write_tree(tmp_path, {"CMakeLists.txt": dedent("""
        cmake_minimum_required(VERSION 3.15)
        execute_process(COMMAND node -p "require('node-addon-api').include"
                        WORKING_DIRECTORY ${CMAKE_SOURCE_DIR} OUTPUT_VARIABLE NODE_ADDON_API_DIR)
        include_directories(${CMAKE_JS_INC})
        # include_directories(old/napi)
        include_directories(third_party/napi)
    """), "BUILD.bazel": 'cc_library(name = "addon", hdrs = ["napi.h"])\n'})
    _, found = findings(tmp_path)
    cmake = [(k, r) for p, k, _, r in found if p == "CMakeLists.txt"]
    assert [k for k, _ in cmake] == ["headers", "headers", "manual"]
    assert cmake[2][1] == "vendored copy 'third_party/napi': leaky"
    assert ("BUILD.bazel", "unknown") in [(p, k) for p, k, _, _ in found]


def test_invalid_gyp_is_exit_2_with_line_and_nothing_written(tmp_path, capfdbinary):
    write_tree(tmp_path, {"package.json": '{"dependencies": {"node-addon-api": "^8.2.0"}}\n',
                          "binding.gyp": "{\n  'targets': [\n    {'target_name': 'a',,}\n  ]\n}\n"})
    assert main([str(tmp_path)]) == 2
    out, err = capfdbinary.readouterr()
    assert re.search(rb"binding.gyp: error: line 3: invalid GYP", out + err)
    assert json.loads((tmp_path / "package.json").read_text())["dependencies"]["node-addon-api"] == "^8.2.0"


def test_gyp_shell_commands_are_never_run(tmp_path):
    marker = tmp_path / "ran"
    write_tree(tmp_path, {"binding.gyp": "{'targets': [{'target_name': 'a', 'include_dirs': "
                                         f"['<!(touch {marker})', '<!@(touch {marker})']}}]}}\n"})
    main(["--dry-run", str(tmp_path)])
    assert not marker.exists()


@pytest.mark.slow
def test_installed_copies_and_a_version_fingerprint_mismatch(tmp_path):
    write_tree(tmp_path, {"package.json": '{"name": "app", "version": "1.0.0"}\n'})
    vendor(tmp_path, "8.2.1", "node_modules/node-addon-api")
    (tmp_path / "node_modules/node-addon-api/package.json").write_text('{"version": "8.2.1"}')
    vendor(tmp_path, "8.2.1", "node_modules/@scope/dep/node_modules/node-addon-api")
    (tmp_path / "node_modules/@scope/dep/node_modules/node-addon-api/package.json").write_text('{"version": "8.2.2"}')
    _, found = findings(tmp_path)
    kinds = {p: k for p, k, _, _ in found}
    assert kinds["node_modules/node-addon-api/package.json"] == "installed"
    assert kinds["node_modules/@scope/dep/node_modules/node-addon-api/package.json"] == "mismatch"


def _included_napi_inl(build: Path) -> set[Path]:
    """napi-inl.h files named in the compiler's .d dependency files (paths
    there are relative to build/, where make runs the compiler)."""
    found = set()
    for dep in build.rglob("*.d"):
        for token in dep.read_text().replace("\\\n", " ").split():
            if token.endswith("napi-inl.h"):
                found.add((build / token).resolve())
    return found


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("g++") is None, reason="g++ not installed")
def test_node_gyp_build_includes_a_fixed_header_after_the_pin(tmp_path):
    app = copy_example("leaky-addon", tmp_path / "leaky-addon")

    def build() -> set[str]:
        npm(app, "ci")
        subprocess.run(["npm", "rebuild", "--foreground-scripts"], cwd=app, check=True, capture_output=True)
        included = _included_napi_inl(app / "build")
        assert included, "no napi-inl.h in the build's .d files"
        return {fingerprint(p.read_bytes()) for p in included}

    assert build() == {LEAKY}
    assert main([str(app)]) == 1  # the lock is pinned; node_modules holds 8.2.1 until `npm ci`
    assert build() == {FIXED}
    assert main(["--dry-run", str(app)]) == 0  # reinstalled and rebuilt: nothing remains


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("g++") is None, reason="g++ not installed")
def test_default_fix_repoints_a_vendored_target_at_the_npm_package(tmp_path):
    example = EXAMPLES / "vendored"
    app = tmp_path / "vendored"
    shutil.copytree(example, app, ignore=shutil.ignore_patterns("build", "node_modules", "deps"))
    vendor(app, "8.2.1")
    npm(app, "install", "--package-lock-only")  # a lock with no dependencies yet
    gyp_before = (app / "binding.gyp").read_text()

    assert main([str(app)]) == 1  # the target is repointed; the leaky copy it compiled stays in deps/
    gyp = (app / "binding.gyp").read_text()
    assert gyp == gyp_before.replace('"deps/node-addon-api"', '"<!(node -p \\"require(\'node-addon-api\').include_dir\\")"')
    assert json.loads((app / "package.json").read_text())["dependencies"] == {"node-addon-api": "^8.2.2"}
    npm(app, "ci")  # the lock agrees with package.json
    subprocess.run(["npm", "rebuild", "--foreground-scripts"], cwd=app, check=True, capture_output=True)
    assert {fingerprint(p.read_bytes()) for p in _included_napi_inl(app / "build")} == {FIXED}
    # The copy is not committed (.gitignore) and no target names it any more: napi-fix no longer sees it.
    assert main(["--dry-run", str(app)]) == 0


ADDON_82 = dedent("""
    #include <napi.h>
    // Napi::BasicEnv exists from 8.2.0 on: this addon needs 8.2 headers.
    class Session : public Napi::ObjectWrap<Session> {
     public:
      Session(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Session>(info) {}
      void Finalize(Napi::BasicEnv /*env*/) override {}
    };
    Napi::Object Init(Napi::Env env, Napi::Object exports) {
      exports.Set("Session", Session::DefineClass(env, "Session", {}));
      return exports;
    }
    NODE_API_MODULE(addon, Init)
""")


def _compiles(include: Path, source: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["g++", "-std=c++17", "-fsyntax-only", "-DNAPI_DISABLE_CPP_EXCEPTIONS", "-I/usr/include/node",
                           f"-I{include}", str(source)], capture_output=True, text=True)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("g++") is None, reason="g++ not installed")
@pytest.mark.parametrize("field", ["dependencies", "devDependencies"])
def test_a_repointed_target_builds_against_the_copys_release_or_later(tmp_path, field):
    """`~8.1.0` already declared (safe, but older than the 8.2.1 copy) would
    build the repointed addon against 8.1.0's headers, where its 8.2 API is
    missing: the spec becomes ^8.2.2 in dependencies, the lock with it."""
    from pm import npm_project

    app = tmp_path / "app"
    npm_project(app, {"name": "app", "version": "1.0.0", field: {"node-addon-api": "~8.1.0"}}, locked="8.1.0")
    write_tree(app, {"binding.gyp": "{'targets': [{'target_name': 'addon', 'sources': ['src/addon.cc'], "
                                    "'include_dirs': ['deps/node-addon-api']}]}\n", "src/addon.cc": ADDON_82})
    vendor(app, "8.2.1")
    npm(app, "ci")
    assert _compiles(app / "node_modules/node-addon-api", app / "src/addon.cc").returncode != 0  # 8.1.0: no BasicEnv

    code = main([str(app)])
    pkg = json.loads((app / "package.json").read_text())
    if field == "devDependencies":  # npm's own move is the command: refused, the package untouched
        assert code in (0, 1) and pkg[field] == {"node-addon-api": "~8.1.0"} and "dependencies" not in pkg
        reasons = [f.reason for r in plan([app]).files for f in r.findings if f.subject == "target addon"]
        assert len(reasons) == 1 and "run `npm install node-addon-api@^8.2.2 --save-prod`" in reasons[0]
        return
    # The leaky copy is still in deps/: napi-fix cannot tell that nothing else compiles it (1).
    assert code == 1
    assert pkg["dependencies"] == {"node-addon-api": "^8.2.2"}
    npm(app, "ci")  # the lock agrees with package.json
    installed = app / "node_modules/node-addon-api"
    assert json.loads((installed / "package.json").read_text())["version"] == "8.2.2"
    done = _compiles(installed, app / "src/addon.cc")
    assert done.returncode == 0, done.stderr[-3000:]
    assert main(["--dry-run", str(app)]) == 1  # until the copy is removed (or patched) ...
    shutil.rmtree(app / "deps" / "node-addon-api")
    assert main(["--dry-run", str(app)]) == 0  # ... then nothing remains


@pytest.mark.parametrize("gyp, line", [
    pytest.param("{'targets': [{'target_name': 'a',\n  'include_dirs+': ['deps/node-addon-api']}]}\n", 2, id="prepend"),
    pytest.param("{'targets': [{'target_name': 'a',\n  'include_dirs=': ['deps/node-addon-api']}]}\n", 2, id="replace"),
    pytest.param("{'target_defaults': {\n  'include_dirs?': ['deps/node-addon-api']},\n"
                 " 'targets': [{'target_name': 'a'}]}\n", 2, id="set-if-absent-in-target-defaults"),
    pytest.param("{'targets': [{'target_name': 'a', 'conditions': [['OS==\"win\"', {}, {\n"
                 "  'include_dirs+': ['deps/node-addon-api']}]]}]}\n", 2, id="else-branch-of-a-condition"),
])
def test_gyp_merge_suffixes_compile_the_copy_too(tmp_path, gyp, line):
    """GYP merges `include_dirs+` (prepend), `=` (replace) and `?` (set when
    absent) into include_dirs, in either branch of a condition: the copy they
    name is compiled, reported (NAPI003) where it is named and repointed."""
    write_tree(tmp_path, {"package.json": '{"name": "a", "version": "1.0.0"}\n', "binding.gyp": gyp})
    vendor(tmp_path, "8.2.1")
    report = plan([tmp_path])
    gyp_findings = [f for r in report.files for f in r.findings if r.path.endswith("binding.gyp")]
    assert [(f.line, f.rule, f.kind) for f in gyp_findings] == [(line, "NAPI003", "pin")]
    assert main([str(tmp_path)]) == 0
    assert "deps/node-addon-api" not in (tmp_path / "binding.gyp").read_text()
    assert json.loads((tmp_path / "package.json").read_text())["dependencies"] == {"node-addon-api": "^8.2.2"}
    assert not plan([tmp_path]).changed  # a second run changes nothing


TARGET = "{'target_name': 'a', 'sources': ['src/a.cc']}"


@pytest.mark.parametrize("files, expected", [
    pytest.param({"binding.gyp": "{'includes': ['common.gypi'], 'targets': [%s]}\n" % TARGET,
                  "common.gypi": "{'target_defaults': {\n  'include_dirs': ['deps/node-addon-api']}}\n"},
                 [("common.gypi", 2, "target_defaults")], id="gypi-beside"),
    pytest.param({"binding.gyp": "{'includes': ['build/common.gypi'], 'targets': [%s]}\n" % TARGET,
                  "build/common.gypi": "{'target_defaults': {\n  'include_dirs+': ['../deps/node-addon-api']}}\n"},
                 [("build/common.gypi", 2, "target_defaults")], id="gypi-paths-relative-to-the-gypi"),
    pytest.param({"binding.gyp": "{'targets': [{'target_name': 'a', 'includes': ['napi.gypi']}]}\n",
                  "napi.gypi": "{'include_dirs': ['deps/node-addon-api']}\n"},
                 [("napi.gypi", 1, "a")], id="gypi-inside-a-target"),
    pytest.param({"binding.gyp": "{'includes': ['a.gypi'], 'targets': [%s]}\n" % TARGET,
                  "a.gypi": "{'includes': ['b.gypi', 'a.gypi']}\n",
                  "b.gypi": "{'includes': ['a.gypi'], 'target_defaults': {'include_dirs': ['deps/node-addon-api']}}\n"},
                 [("b.gypi", 1, "target_defaults")], id="gypi-cycle-followed-once"),
    pytest.param({"binding.gyp": "{'variables': {'napi%': 'deps/node-addon-api'},\n"
                                 " 'targets': [{'target_name': 'a',\n  'include_dirs': ['<(napi)']}]}\n"},
                 [("binding.gyp", 3, "a")], id="variable-default"),
    pytest.param({"binding.gyp": "{'includes': ['build/vars.gypi'], 'targets': [{'target_name': 'a',\n"
                                 "  'include_dirs': ['<(napi_dir)/']}]}\n",
                  "build/vars.gypi": "{'variables': {'napi_dir': '../deps/node-addon-api'}}\n"},
                 [("binding.gyp", 2, "a")], id="variable-from-a-gypi-relativized"),
    pytest.param({"binding.gyp": "{'variables': {'conditions': [['OS==\"win\"', {'napi': 'win/napi'},\n"
                                 "  {'napi': 'deps/node-addon-api'}]]},\n"
                                 " 'targets': [{'target_name': 'a', 'include_dirs': ['<(napi)']}]}\n"},
                 [("binding.gyp", 3, "a")], id="variable-in-either-branch"),
    pytest.param({"binding.gyp": "{'includes': ['missing.gypi'], 'targets': [{'target_name': 'a',\n"
                                 "  'include_dirs': ['deps/node-addon-api', '<(node_root_dir)/include/node']}]}\n"},
                 [("binding.gyp", 2, "a")], id="a-missing-gypi-and-nodes-own-headers"),
])
def test_gyp_includes_and_variables_as_gyp_merges_them(tmp_path, files, expected):
    """A copy named in a .gypi (relative to it), through a variable (its value
    a .gypi relativized, or either branch's) is NAPI003 where it is named,
    for the target that merges it, and repointed there."""
    write_tree(tmp_path, {"package.json": '{"name": "a", "version": "1.0.0"}\n', **files})
    vendor(tmp_path, "8.2.1")
    report = plan([tmp_path])
    found = [(Path(r.path).relative_to(tmp_path).as_posix(), f.line, f.subject.removeprefix("target "), f.rule)
             for r in report.files for f in r.findings if f.subject.startswith("target")]
    assert found == [(p, line, target, "NAPI003") for p, line, target in expected]
    before = {name: (tmp_path / name).read_text() for name in files}
    assert main([str(tmp_path)]) == 0
    for name, _, _ in expected:
        assert (tmp_path / name).read_text() != before[name]
        assert "node-addon-api').include_dir" in (tmp_path / name).read_text()
    assert json.loads((tmp_path / "package.json").read_text())["dependencies"] == {"node-addon-api": "^8.2.2"}
    assert not plan([tmp_path]).changed  # a second run changes nothing


@pytest.mark.parametrize("entry", [
    pytest.param('{\n      "version": "8.2.2",\n      "dev": true,\n      "license": "MIT"\n    }', id="dev-in-the-middle"),
    pytest.param('{\n      "dev": true,\n      "version": "8.2.2"\n    }', id="dev-first"),
])
def test_declaring_a_copy_a_dev_parent_brought_makes_it_a_production_install(tmp_path, entry):
    """The repoint declares node-addon-api in dependencies: the hoisted copy a
    devDependency brought in is no longer dev-only, as npm would record it."""
    lock = ('{\n  "name": "app",\n  "lockfileVersion": 3,\n  "packages": {\n    "": {\n      "name": "app",\n'
            '      "devDependencies": {\n        "parent": "1.0.0"\n      }\n    },\n'
            f'    "node_modules/node-addon-api": {entry},\n'
            '    "node_modules/parent": {\n      "version": "1.0.0",\n      "dev": true\n    }\n  }\n}\n')
    write_tree(tmp_path, {"package.json": '{\n  "name": "app",\n  "devDependencies": {\n    "parent": "1.0.0"\n  }\n}\n',
                          "package-lock.json": lock,
                          "binding.gyp": "{'targets': [{'target_name': 'a', 'include_dirs': ['deps/node-addon-api']}]}\n"})
    vendor(tmp_path, "8.2.1")
    assert main([str(tmp_path)]) == 0
    after = json.loads((tmp_path / "package-lock.json").read_text())
    assert "dev" not in after["packages"]["node_modules/node-addon-api"]
    assert after["packages"]["node_modules/parent"]["dev"] is True
    assert after["packages"][""]["dependencies"] == {"node-addon-api": "^8.2.2"}
    assert not plan([tmp_path]).changed


@pytest.mark.parametrize("cmake, expected", [
    pytest.param("set(NAPI third_party/napi)\ninclude_directories(\n  SYSTEM\n  ${NAPI})\n",
                 [("manual", 4, "vendored copy 'third_party/napi' (through ${NAPI}): leaky")], id="set-variable"),
    pytest.param("target_include_directories(third_party PRIVATE\n  \"${CMAKE_CURRENT_SOURCE_DIR}/third_party/napi\")\n",
                 [("manual", 2, "vendored copy './third_party/napi' (through ${CMAKE_CURRENT_SOURCE_DIR}/third_party/napi): "
                              "leaky")], id="target-name-and-keyword-skipped"),
    pytest.param("#[[\ninclude_directories(third_party/napi)\n]]\ninclude_directories(src) # third_party/napi\n",
                 [], id="bracket-and-line-comments"),
    pytest.param("include_directories(${CMAKE_JS_INC} [=[node_modules/node-addon-api]=])\n",
                 [("headers", 1, "npm package node-addon-api via CMAKE_JS_INC (cmake-js adds the npm package) "
                                 "(not run): the lockfile decides the version"),
                  ("headers", 1, "npm package node-addon-api via hard-coded path 'node_modules/node-addon-api': "
                                 "the lockfile decides the version")], id="cmake-js-and-a-path-into-node-modules"),
    pytest.param("include_directories(\n" * 3 + "third_party/napi\n", [], id="unclosed-is-no-command"),
])
def test_cmake_lists_read_as_cmake_tokenizes_them(tmp_path, cmake, expected):
    vendor(tmp_path, "8.2.1", "third_party/napi")
    write_tree(tmp_path, {"CMakeLists.txt": cmake})
    report = plan([tmp_path])
    found = [(f.kind, f.line, f.reason) for r in report.files for f in r.findings if r.path.endswith("CMakeLists.txt")]
    assert found == expected


@pytest.mark.parametrize("claimed, declared", [(None, "^8.2.2"), ("8.2.1", "^8.2.2"), ("8.3.0", "^8.3.0"),
                                               ("8.3.0-fork.1", "^8.3.0"), ("not a version", "^8.2.2")])
def test_a_repoint_never_declares_a_release_below_the_copys_own(tmp_path, claimed, declared):
    """A copy whose package.json claims a later release than 8.2.2 (a fork of
    a leaky layout) may be used for that release's API: never declared lower."""
    write_tree(tmp_path, {"package.json": '{"name": "a", "version": "1.0.0"}\n',
                          "binding.gyp": "{'targets': [{'target_name': 'a', 'include_dirs': ['deps/node-addon-api']}]}\n"})
    copy = vendor(tmp_path, "8.2.1")
    if claimed is not None:
        (copy / "package.json").write_text(json.dumps({"name": "node-addon-api", "version": claimed}))
    assert main([str(tmp_path)]) == 0
    assert json.loads((tmp_path / "package.json").read_text())["dependencies"] == {"node-addon-api": declared}
