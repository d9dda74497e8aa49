"""The CLI contract: diff, exit codes, JSON, summary, writes."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from codemod.apply import apply_report
from codemod.cli import main
from codemod.present.diff import diff_stats
from codemod.sources.base import Unreadable
from codemod.sources.disk import DiskSources
from helpers import plan, snapshot, write_tree

LEAF = "class Leaf : public Wrapped<Leaf> {\n public:\n  Leaf();\n};\n"
TREE = {
    "src/wrapped.h": "template <class T> class Wrapped : public Napi::ObjectWrap<T> {};\n",
    "src/leaf.h": LEAF,
    "src/crlf.h": "struct Crlf : Napi::ObjectWrap<Crlf> {\r\n  Crlf();\r\n};\r\n",
    "src/latin1.h": "// M\xfcller\nclass L1 : public Napi::ObjectWrap<L1> {\n  int n;\n};",
}
HYGIENE = "does NOT stop the node-addon-api 8.2.0/8.2.1"


@pytest.fixture
def tree(tmp_path, monkeypatch):
    root = tmp_path / "repo"
    write_tree(root, {k: v.encode("latin-1") for k, v in TREE.items()})
    monkeypatch.chdir(root)
    return root


def captured(capfdbinary) -> tuple[str, str]:
    """stdout and stderr as text; latin-1 keeps any file's bytes readable."""
    out, err = capfdbinary.readouterr()
    return out.decode("latin-1"), err.decode("latin-1")


def test_dry_run_prints_a_diff_writes_nothing_and_exits_3(tree, capfdbinary):
    before = snapshot(tree)
    # No lock resolves a leaky release: the overrides are changes pending, not a leak (3, not 1).
    assert main(["--dry-run", "--strategy", "finalize"]) == 3
    out, err = capfdbinary.readouterr()
    assert snapshot(tree) == before
    assert out.startswith(b"# napi-fix: An empty Finalize override is hygiene only")
    stats = diff_stats(out)
    assert (stats.files, stats.hunks, stats.added, stats.removed) == (3, 3, 4, 0)
    assert b"--- a/src/leaf.h\n+++ b/src/leaf.h\n" in out
    assert b"\\ No newline at end of file\n" in out
    assert b"would change 3 file(s), 3 hunk(s), +4 -0 line(s)" in err
    assert HYGIENE.encode() in err


@pytest.mark.parametrize("tool", ["patch", "git"])
def test_the_diff_applies_to_exactly_what_a_real_run_writes(tree, tmp_path, capfdbinary, tool):
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} not installed")
    assert main(["--dry-run", "--strategy", "finalize", "."]) == 3
    patch_text = capfdbinary.readouterr().out
    copy = tmp_path / "copy"
    shutil.copytree(tree, copy)
    command = ["patch", "-p1", "--binary", "-s"] if tool == "patch" else ["git", "apply", "-p1", "-"]
    subprocess.run(command, input=patch_text, cwd=copy, check=True)
    assert main(["--strategy", "finalize", "."]) == 0
    assert snapshot(copy) == snapshot(tree)
    assert snapshot(tree)["src/crlf.h"].endswith(b"  void Finalize(Napi::Env /*env*/) override {}\r\n};\r\n")


def test_real_run_applies_summarises_and_second_run_is_clean(tree, capfdbinary):
    assert main(["--strategy", "finalize", "src"]) == 0
    out = captured(capfdbinary)[0]
    assert "changed 3 file(s), 3 hunk(s), +4 -0 line(s); 0 error(s)" in out
    assert HYGIENE in out
    assert main(["--dry-run", "--strategy", "finalize", "src"]) == 0
    assert captured(capfdbinary)[0] == ""


def test_default_strategy_is_pin(tree, capfdbinary):
    (tree / "package.json").write_text('{"dependencies": {"node-addon-api": "^8.2.0"}}\n')
    assert main(["--dry-run"]) == 3  # a spec that admits 8.2.0 with no lock: NAPI002, a pending pin
    out, _ = captured(capfdbinary)
    assert '+{"dependencies": {"node-addon-api": "^8.2.2"}}' in out
    assert "+++ b/src/leaf.h" not in out


def test_json_lists_findings_and_edits(tree, capfdbinary):
    assert main(["--dry-run", "--strategy", "finalize", "--format", "json", "src"]) == 3
    payload = json.loads(captured(capfdbinary)[0])
    assert any(HYGIENE in n for n in payload["notes"])
    leaf = next(f for f in payload["files"] if f["path"] == "src/leaf.h")
    (finding,) = leaf["findings"]
    assert finding["class"] == "Leaf" and finding["wrapped_type"] == "Leaf"
    assert (finding["file"], finding["line"], finding["column"]) == ("src/leaf.h", 1, 7)
    assert finding["kind"] == "missing-finalize" and "hygiene only" in finding["reason"]
    (edit,) = finding["edits"]
    offset = LEAF.index("};")
    assert edit == {"start": offset, "end": offset, "line": 4, "column": 1,
                    "text": "  void Finalize(Napi::Env /*env*/) override {}\n"}
    assert payload["summary"]["files_changed"] == 3
    assert payload["summary"]["findings"] == {"intermediate-base": 1, "missing-finalize": 3}


def test_missing_path_is_exit_2_and_other_files_still_processed(tree, capfdbinary):
    assert main(["--dry-run", "--strategy", "finalize", "src", "nope"]) == 2
    out, err = captured(capfdbinary)
    assert "nope: error: no such file or directory" in err
    assert "+++ b/src/leaf.h" in out


def test_bad_option_is_exit_2(tree, capfdbinary):
    assert main(["--strategy", "bogus"]) == 2
    assert main(["--format", "xml"]) == 2
    assert main(["--no-such-flag"]) == 2


def test_help_mentions_that_finalize_is_hygiene(capfdbinary):
    assert main(["--help"]) == 0
    out = " ".join(captured(capfdbinary)[0].split())
    assert "does NOT stop the 8.2.0/8.2.1 leak" in out


def test_version(capfdbinary):
    from codemod import __version__

    assert main(["--version"]) == 0
    assert captured(capfdbinary)[0] == f"napi-fix {__version__}\n"


class Forbidding(DiskSources):
    """The disk, but leaf.h cannot be read (tests run as root, where chmod does not stop a read)."""

    def read(self, path):
        if path.endswith("leaf.h"):
            raise Unreadable(path, "cannot read: Permission denied")
        return super().read(path)


def test_unreadable_file_is_a_result_not_a_crash(tree):
    report = plan(["src"], "finalize", sources=Forbidding())
    assert [(Path(r.path).name, r.error) for r in report.failed] == [("leaf.h", "cannot read: Permission denied")]
    assert len(report.changed) == 2
    assert report.exit_code(dry_run=True) == 2


def test_write_refuses_a_file_changed_since_it_was_read(tree):
    report = plan(["src"], "finalize")
    before = snapshot(tree)
    (tree / "src/leaf.h").write_text(LEAF + "// edited meanwhile\n")
    applied = apply_report(report, (str(tree),))
    assert [(Path(r.path).name, r.error) for r in applied.report.failed] == [
        ("leaf.h", "refused: the file changed since napi-fix read it")]
    assert applied.written == ()
    assert (tree / "src/leaf.h").read_text().endswith("// edited meanwhile\n")
    assert {k: v for k, v in snapshot(tree).items() if k != "src/leaf.h"} == {
        k: v for k, v in before.items() if k != "src/leaf.h"}  # all or nothing: no other file written


def test_write_keeps_mode_and_leaves_no_temp_file(tree):
    os.chmod(tree / "src/leaf.h", 0o640)
    assert main(["--strategy", "finalize", "src"]) == 0
    assert stat.S_IMODE(os.stat(tree / "src/leaf.h").st_mode) == 0o640
    assert not [p for p in tree.rglob(".napi-fix-*")]


def test_write_refuses_paths_outside_the_given_roots(tree, tmp_path):
    report = plan(["src"], "finalize")
    applied = apply_report(report, (str(tmp_path / "elsewhere"),))
    assert {r.error for r in applied.report.failed} == {"refused: outside the paths given"}
    assert applied.written == ()


def test_color_only_when_asked_or_on_a_terminal(tree, capfdbinary):
    main(["--dry-run", "--strategy", "finalize", "--color", "always", "src"])
    assert b"\033[32m+" in capfdbinary.readouterr().out
    main(["--dry-run", "--strategy", "finalize", "src"])  # captured: not a terminal
    assert b"\033[" not in capfdbinary.readouterr().out


@pytest.mark.slow
def test_installed_console_script_from_another_folder(tree):
    script = Path(sys.executable).parent / "napi-fix"
    done = subprocess.run([str(script), "--dry-run", "--strategy", "finalize", "src"], cwd=tree,
                          capture_output=True)
    assert done.returncode == 3, done.stderr  # overrides pending, no leak
    assert b"+++ b/src/leaf.h" in done.stdout


@pytest.mark.slow
def test_built_wheel_carries_the_queries(tmp_path, tree):
    repo = Path(__file__).resolve().parents[1]
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "dist"),
                    str(repo)], check=True, capture_output=True)
    (wheel,) = (tmp_path / "dist").glob("napi_fix-*.whl")
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as zf:
        assert {n for n in zf.namelist() if n.endswith(".scm")} == {
            f"codemod/queries/{p.name}" for p in (repo / "queries").glob("*.scm")
        }
        zf.extractall(site)
    # Run the unpacked wheel (not the source tree) from an unrelated folder.
    code = f"import sys; sys.path.insert(0, {str(site)!r}); from codemod.cli import main; sys.exit(main())"
    done = subprocess.run([sys.executable, "-c", code, "--dry-run", "--strategy", "finalize", "src"],
                          cwd=tree, capture_output=True, env={**os.environ, "PYTHONPATH": ""})
    assert done.returncode == 3, done.stderr  # overrides pending, no leak
    assert b"+++ b/src/leaf.h" in done.stdout
