"""The exit-status table (codemod/results.py), row by row, through the real
command line in every --format, as a dry run and as a real run.

What decides is what remains after the run: a dry run fixes nothing, a real
run fixes what it writes. 1: the leak remains (or napi-fix could not
decide); 3: no leak today, but changes are pending; 2: bad input; 0:
nothing remains. Each tree is built fresh for each format and mode.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codemod.cli import main
from codemod.results import EXIT_MEANING, EXIT_TABLE, LEAKING, NOT_LEAKING, exit_status
from helpers import run_cli, write_tree

LEAKY_INTEGRITY = "sha512-vmEOvxwiH8tlOcv4SyE8RH34rI5/nWVaigUeAUPawC6f0+HoDthwI0vkMu4tbtsZrXq6QXFfrkhjofzKEs5tpA=="
SAFE_INTEGRITY = "sha512-9emqXAKhVoNrQ792nLI/wpzPpJ/bj/YXxW0CvAau1+RdGBcCRF1Dmz7719zgVsQNrzHl9Tzn3ImZ4qWFarWL0A=="
CLASS = "#include <napi.h>\nclass Counter : public Napi::ObjectWrap<Counter> {\n public:\n  Counter();\n};\n"
GYP = "{'targets': [{'target_name': 'a', 'sources': ['src/a.cc'], " \
      "'include_dirs': [\"<!(node -p \\\"require('node-addon-api').include_dir\\\")\"]}]}\n"


def package(spec: str, name: str = "app") -> str:
    return json.dumps({"name": name, "version": "1.0.0", "dependencies": {"node-addon-api": spec}}, indent=2) + "\n"


def lock(spec: str, version: str, extra: dict | None = None, resolved: str | None = None) -> str:
    entry = {"version": version,
             "resolved": resolved or f"https://registry.npmjs.org/node-addon-api/-/node-addon-api-{version}.tgz",
             "integrity": LEAKY_INTEGRITY if version == "8.2.1" else SAFE_INTEGRITY, "license": "MIT"}
    packages = {"": {"name": "app", "version": "1.0.0", "dependencies": {"node-addon-api": spec}},
                "node_modules/node-addon-api": entry} | (extra or {})
    return json.dumps({"name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": True,
                       "packages": packages}, indent=2) + "\n"


def dependent(name: str) -> dict:
    """A lock entry for a package that depends on node-addon-api and is built at install."""
    return {f"node_modules/{name}": {"version": "1.0.0", "hasInstallScript": True,
                                     "dependencies": {"node-addon-api": "^8.2.0"}}}


LEAKING_LOCK = {"package.json": package("^8.2.0"), "package-lock.json": lock("^8.2.0", "8.2.1"),
                "binding.gyp": GYP, "src/a.cc": CLASS}
NO_CLASS_LOCK = {"package.json": package("^8.2.0"), "package-lock.json": lock("^8.2.0", "8.2.1"),
                 "index.js": "module.exports = {};\n"}
FILE_SPEC = "file:vendor/node-addon-api-8.2.1.tgz"
UNMOVABLE_LOCK = {"package.json": package(FILE_SPEC), "src/a.cc": CLASS,
                  "package-lock.json": lock(FILE_SPEC, "8.2.1", resolved=FILE_SPEC)}
NOT_INSTALLED = {"package.json": package("^8.2.0"), "index.js": "",
                 "package-lock.json": lock("^8.2.0", "8.2.1", dependent("native-dep"))}
INSTALLED_DEPENDENT = NOT_INSTALLED | {
    "node_modules/native-dep/package.json": package("^8.2.0", "native-dep"),
    "node_modules/native-dep/binding.gyp": GYP,
    "node_modules/native-dep/src/a.cc": CLASS,
    "node_modules/node-addon-api/package.json": '{"name": "node-addon-api", "version": "8.2.1"}\n',
}
INSTALLED_PREBUILT = NOT_INSTALLED | {  # no binding.gyp: nothing compiles at install
    "node_modules/native-dep/package.json": package("^8.2.0", "native-dep"),
    "node_modules/native-dep/src/a.cc": CLASS,
}
SAFE_LOCK_CLASSES = {"package.json": package("^8.2.2"), "package-lock.json": lock("^8.2.2", "8.2.2"),
                     "binding.gyp": GYP, "src/a.cc": CLASS}
NAPI002_ONLY = {"package.json": package("^8.2.0"), "index.js": ""}
NAPI005_ONLY = {"package.json": '{"name": "app", "dependencies": {"node-addon-api": null}}\n'}
INVALID_JSON = {"package.json": '{"name": "app", "dependencies": {"node-addon-api": "^8.2.0",}}\n'}

LOCKS = Path(__file__).parent / "data" / "locks"  # real locks npm, yarn and pnpm wrote (regenerate.py)


def real_lock(name: str) -> dict[str, bytes]:
    """A package with no C/C++ of its own, locked by the real package manager."""
    return {f.name: f.read_bytes() for f in (LOCKS / name / "before").iterdir()}


# Build targets whose headers come from a shell command napi-fix never runs (NAPI005).
SHELL_GYP = "{'targets': [{'target_name': 'a', 'sources': ['src/a.cc'], " \
            "'include_dirs': [\"<!(node -e \\\"require('nan')\\\")\"]}]}\n"
NAN_ADDON = {"package.json": '{"name": "app", "dependencies": {"nan": "^2.17.0"}}\n', "binding.gyp": SHELL_GYP,
             "src/a.cc": "class A : public Nan::ObjectWrap {};\n"}
SHELL_HEADERS_CLASS = NAN_ADDON | {"src/a.cc": CLASS}
KNOWN_AND_SHELL = SAFE_LOCK_CLASSES | {"binding.gyp": GYP.replace("]}]}", ", '<!(pkg-config --cflags x)']}]}")}

FORMATS = ("text", "json", "sarif", "github")
PIN, FINALIZE = ("--strategy", "pin"), ("--strategy", "finalize")

# A C++ file the finder cannot finish (braces nested past its limit), that mentions ObjectWrap.
UNFINISHED = LEAKING_LOCK | {"src/a.cc": "// Napi::ObjectWrap\nvoid f() " + "{" * 300 + "}" * 300 + "\n"}
VENDORED_GYP = "{'targets': [{'target_name': 'a', 'sources': ['src/a.cc'], " \
               "'include_dirs': ['deps/node-addon-api']}]}\n"


def vendored(gyp: str = VENDORED_GYP) -> dict:
    """A package whose binding.gyp compiles a leaky 8.2.1 header copy in deps/, and an ObjectWrap class."""
    from napi_headers import headers

    copy = {f"deps/node-addon-api/{name}": (headers("8.2.1") / name).read_bytes()
            for name in ("napi.h", "napi-inl.h")}
    return copy | {"package.json": '{"name": "app", "version": "1.0.0"}\n', "binding.gyp": gyp, "src/a.cc": CLASS}

# (tree, options, dry-run status, real-run status, the leak verdict of its NAPI001/NAPI003 findings)
ROWS = [
    pytest.param(LEAKING_LOCK, PIN, 1, 0, LEAKING, id="leaking-lock-with-objectwrap-class"),
    pytest.param(NO_CLASS_LOCK, PIN, 3, 0, NOT_LEAKING, id="leaky-lock-but-no-objectwrap-class"),
    pytest.param(NOT_INSTALLED, PIN, 1, 0, "unknown", id="dependent-built-at-install-not-installed"),
    pytest.param(INSTALLED_DEPENDENT, PIN, 1, 1, LEAKING, id="installed-dependent-compiles-objectwrap"),
    pytest.param(INSTALLED_PREBUILT, PIN, 3, 0, NOT_LEAKING, id="installed-dependent-not-built-from-source"),
    # A file: spec npm checks the entry against literally: the root is refused (NAPI005), nothing moves.
    pytest.param(UNMOVABLE_LOCK, PIN, 1, 1, None, id="lock-resolves-8.2.1-through-a-file-spec"),
    pytest.param(NAPI005_ONLY, PIN, 1, 1, None, id="napi005-only"),
    pytest.param(SAFE_LOCK_CLASSES, PIN, 0, 0, None, id="napi004-classes-under-pin"),
    pytest.param(SAFE_LOCK_CLASSES, FINALIZE, 3, 0, None, id="napi004-overrides-asked-for"),
    pytest.param(NAPI002_ONLY, PIN, 3, 0, None, id="napi002-only"),
    pytest.param(INVALID_JSON, PIN, 2, 2, None, id="invalid-json"),
    # A NAPI005 on a target's headers matters only where ObjectWrap classes may compile against them.
    pytest.param(NAN_ADDON, PIN, 0, 0, None, id="unknown-headers-no-objectwrap-class"),
    pytest.param(SHELL_HEADERS_CLASS, PIN, 1, 1, None, id="unknown-headers-objectwrap-class"),
    pytest.param(KNOWN_AND_SHELL, PIN, 0, 0, None, id="unknown-headers-beside-the-npm-package"),
    pytest.param(UNFINISHED, PIN, 1, 0, "unknown", id="unfinished-cpp-file-pin"),
    pytest.param(UNFINISHED, FINALIZE, 1, 1, None, id="unfinished-cpp-file-napi005"),
    # The target is repointed at the npm package; the copy stays in deps/, leaky, until patched or removed.
    pytest.param(vendored, PIN, 1, 1, LEAKING, id="vendored-copy-repointed"),
    pytest.param(vendored, ("--patch-vendored",), 1, 0, LEAKING, id="vendored-copy-patched"),
    # A shell command napi-fix never runs names the copy: nothing it reads says what compiles it.
    pytest.param(lambda: vendored(VENDORED_GYP.replace("'deps/node-addon-api'", "'<!(echo deps/node-addon-api)'")),
                 PIN, 1, 1, "unknown", id="vendored-copy-through-a-spelling-napi-fix-does-not-read"),
    # The root declares node-addon-api and nothing else in the lock depends on it: known without installing.
    *(pytest.param(real_lock(name), PIN, 3, 0, NOT_LEAKING, id=f"{name}-no-class")
      for name in ("npm-v2-direct", "yarn-classic-direct", "pnpm-v5-direct", "pnpm-v6-direct", "pnpm-v9-direct")),
    # tree-sitter depends on it and builds at install: its sources are not there to look at.
    *(pytest.param(real_lock(name), PIN, 1, 0, "unknown", id=f"{name}-dependent-not-installed")
      for name in ("npm-v3-transitive", "yarn-classic-transitive", "pnpm-v5-transitive", "pnpm-v6-transitive",
                   "pnpm-v9-transitive")),
]


def run(root: Path, output: str, dry_run: bool, options, capfdbinary) -> tuple[int, bytes]:
    args = [*options, "--format", output, "--jobs", "1"] + (["--dry-run"] if dry_run else [])
    code, out, _ = run_cli(capfdbinary, *args, root)
    return code, out


def check_output(output: str, out: bytes, code: int) -> None:
    """The status is the same in every format and said where the format can say it."""
    if output == "json":
        payload = json.loads(out)
        assert (payload["exit_code"], payload["status"]) == (code, EXIT_MEANING[code])
    elif output == "sarif":
        (invocation,) = json.loads(out)["runs"][0]["invocations"]
        assert invocation["exitCode"] == code
        assert invocation["exitCodeDescription"] == EXIT_MEANING[code]
        assert invocation["executionSuccessful"] is (code != 2)


@pytest.mark.parametrize("output", FORMATS)
@pytest.mark.parametrize("files, options, dry, real, leak", ROWS)
def test_exit_status_table(tmp_path, capfdbinary, files, options, dry, real, leak, output):
    for mode, dry_run, want in (("dry", True, dry), ("real", False, real)):
        root = tmp_path / mode
        write_tree(root, files() if callable(files) else files)
        code, out = run(root, output, dry_run, options, capfdbinary)
        assert code == want, (mode, out.decode(errors="replace")[-2000:])
        check_output(output, out, code)


@pytest.mark.parametrize("files, options, dry, real, leak", [r for r in ROWS if r.values[4]])
def test_each_leak_finding_says_its_verdict(tmp_path, capfdbinary, files, options, dry, real, leak):
    write_tree(tmp_path, files() if callable(files) else files)
    code, out = run(tmp_path, "json", True, options, capfdbinary)
    found = [f for r in json.loads(out)["files"] for f in r["findings"] if f["rule"] in ("NAPI001", "NAPI003")]
    assert found and {f["leak"] for f in found} == {leak}
    expected_level = "warning" if leak == NOT_LEAKING else "error"
    assert {f["level"] for f in found} == {expected_level}
    words = {LEAKING: "; leaking: ObjectWrap classes compile against this copy in",
             NOT_LEAKING: "; not leaking today (no ObjectWrap class compiles against this copy",
             "unknown": "; leak unknown: "}[leak]
    assert all(words in f["reason"] for f in found)


def test_the_verdict_names_the_classes_and_the_packages(tmp_path, capfdbinary):
    write_tree(tmp_path, INSTALLED_DEPENDENT)
    _, out = run(tmp_path, "json", True, PIN, capfdbinary)
    reasons = [f["reason"] for r in json.loads(out)["files"] for f in r["findings"] if f["rule"] == "NAPI001"]
    assert reasons and all("node_modules/native-dep (Counter)" in r for r in reasons)
    write_tree(tmp_path / "b", NOT_INSTALLED)
    _, out = run(tmp_path / "b", "json", True, PIN, capfdbinary)
    reasons = [f["reason"] for r in json.loads(out)["files"] for f in r["findings"] if f["rule"] == "NAPI001"]
    assert reasons and all("node_modules/native-dep (dependencies not installed)" in r for r in reasons)


def test_not_leaking_is_a_warning_annotation_and_a_leak_an_error(tmp_path, capfdbinary):
    for name, files, command in (("a", NO_CLASS_LOCK, "::warning "), ("b", LEAKING_LOCK, "::error ")):
        write_tree(tmp_path / name, files)
        _, out = run(tmp_path / name, "github", True, PIN, capfdbinary)
        lines = [line for line in out.decode().splitlines() if "NAPI001" in line]
        assert lines and all(line.startswith(command) for line in lines)


def test_a_copy_left_behind_by_a_repoint_is_undecided_until_removed(tmp_path, capfdbinary):
    write_tree(tmp_path, vendored())
    assert run(tmp_path, "text", False, PIN, capfdbinary)[0] == 1  # the target is repointed; the copy stays
    code, out = run(tmp_path, "json", True, PIN, capfdbinary)
    found = [f for r in json.loads(out)["files"] for f in r["findings"] if f["rule"]]
    assert code == 1 and [(f["rule"], f["leak"]) for f in found] == [("NAPI003", "unknown")]
    assert "no build target napi-fix read compiles this copy" in found[0]["reason"]
    for name in ("napi.h", "napi-inl.h"):
        (tmp_path / "deps" / "node-addon-api" / name).unlink()
    assert run(tmp_path, "text", True, PIN, capfdbinary)[0] == 0


def test_the_readme_example_exits_1(capfdbinary):
    example = Path(__file__).resolve().parents[1] / "examples" / "leaky-addon"
    assert main(["--dry-run", str(example)]) == 1


def test_the_readme_holds_the_table():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    for status, meaning, cause in EXIT_TABLE:
        assert f"| {status} | {meaning} | {cause} |" in readme


def test_help_prints_the_table(capfdbinary):
    assert main(["--help"]) == 0
    text = capfdbinary.readouterr().out.decode()
    for status, meaning, _ in EXIT_TABLE:
        assert f"  {status}  {meaning}" in text


@pytest.mark.parametrize("remaining, status", [
    pytest.param(set(), 0, id="nothing"),
    pytest.param({"pending"}, 3, id="pending"),
    pytest.param({"pending", "leak"}, 1, id="leak-over-pending"),
    pytest.param({"pending", "undecided"}, 1, id="undecided-over-pending"),
    pytest.param({"leak", "failed", "pending"}, 2, id="failure-over-all"),
])
def test_precedence(remaining, status):
    assert exit_status(remaining) == status
