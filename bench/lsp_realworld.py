#!/usr/bin/env python3
"""`napi-fix lsp` on real addons: does the editor hear what the CLI says, and how soon?

    .venv/bin/python bench/lsp_realworld.py [--edits 30] [--only NAME ...]

The corpus is bench/realworld.py's: the published npm tarballs of the addons
pinned in bench/realworld-addons.json, each a package root with the
package-lock.json npm resolved on the pinned date, built once and cached in
${NAPI_FIX_CACHE:-~/.cache/napi-fix}/realworld/corpus-v1/.

For each package root, one fresh server (VS Code's capability snapshot, so
push diagnostics and UTF-16 columns) with the root as its workspace folder,
and its package.json opened as soon as the server is initialized (an open
file's diagnostics are published even when there are none, so a root with
nothing to say is timed too):
- when the first diagnostics arrive after `initialize`, and the last (the
  server quiet for QUIET seconds);
- every diagnostic published, against the results of
  `napi-fix --dry-run --format sarif --strategy both .` run in that root (the
  server's default settings analyze with both strategies): the same set of
  (file, rule, line, column), or the differences listed;
- each file with diagnostics then edited in its buffer, unsaved (a line
  with a 2-byte and a 4-byte character put first, a blank line in JSON):
  its diagnostics against the CLI's on a copy of the root holding the
  buffer's bytes (the overlay, the re-plan and the moved positions);
- every window/logMessage error the server sends (a handler that failed).

Then, as in bench/lsp_latency.py, didChange -> publishDiagnostics (debounce
excluded) while typing in the corpus's largest C/C++ file that declares an
ObjectWrap class: a real file, beside the generated worst case there.
Prints markdown.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote

from pygls.uris import from_fs_path, to_fs_path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from lsp_latency import Editor, edit_latency, p95  # noqa: E402
from realworld import CORPUS, build_corpus, is_cpp, load_pins  # noqa: E402

QUIET = 1.5  # seconds without a publish after which the first analysis is taken as done
LONGEST = 180.0  # seconds a root may take before it is reported as never done
Finding = tuple[str, str, int, int]  # (path relative to the root, rule, 1-based line, 1-based UTF-16 column)


def cli_findings(root: Path) -> set[Finding]:
    """The CLI's SARIF results for `root`."""
    done = subprocess.run([sys.executable, "-m", "codemod", "--dry-run", "--format", "sarif", "--strategy", "both",
                           "."], cwd=root, capture_output=True, text=True, timeout=600)
    found = set()
    for result in json.loads(done.stdout)["runs"][0]["results"]:
        if "ruleId" not in result:
            continue  # a tool notification (a file it could not read), not a finding
        for location in result["locations"]:
            where = location["physicalLocation"]
            region = where["region"]
            found.add((unquote(where["artifactLocation"]["uri"]), result["ruleId"],
                       region["startLine"], region["startColumn"]))
    return found


def editor_findings(editor: Editor, root: Path) -> set[Finding]:
    found = set()
    for uri, publishes in editor.published.items():
        path = Path(to_fs_path(uri)).relative_to(root).as_posix()
        for diagnostic in publishes[-1][2]:
            start = diagnostic["range"]["start"]
            found.add((path, diagnostic.get("code"), start["line"] + 1, start["character"] + 1))
    return found


async def serve_root(root: Path) -> dict:
    editor = Editor("visual-studio-code@v1.65.2")
    started = time.perf_counter()
    try:
        first = (await asyncio.wait_for(editor.start([root], opening=root / "package.json"), LONGEST)
                 )["from initialize"]
    except asyncio.TimeoutError:
        editor._process.kill()
        return {"first": None, "last": None, "findings": set(), "errors": editor.errors, "unsaved": (0, [])}
    while True:
        seen = sum(len(p) for p in editor.published.values())
        await asyncio.sleep(QUIET)
        if sum(len(p) for p in editor.published.values()) == seen or time.perf_counter() - started > LONGEST:
            break
    last = max(when for publishes in editor.published.values() for when, _, _ in publishes) - started
    findings = editor_findings(editor, root)
    unsaved = await unsaved_edits(editor, root, sorted({f[0] for f in findings}))
    await editor.stop()
    return {"first": first, "last": last, "findings": findings, "errors": editor.errors, "unsaved": unsaved}


async def unsaved_edits(editor: Editor, root: Path, files: list[str]) -> tuple[int, list[str]]:
    """Each file with diagnostics, edited in its buffer and not saved: a
    line with a 2-byte and a 4-byte character put before its first (JSON
    takes only whitespace there). Its new diagnostics against the CLI's on a
    copy of the root holding the buffer's bytes. Returns (files checked,
    differences)."""
    checked, differences = 0, []
    for rel in files:
        path = root / rel
        try:
            if path.read_bytes().decode("utf-8").startswith("\ufeff"):
                continue  # an editor hides a BOM: line 0 would not start where the bytes do
        except UnicodeDecodeError:
            continue  # an editor would have to guess the encoding
        uri = from_fs_path(str(path))
        if uri not in editor.texts:
            editor.open(path)
        editor.edit(uri, 0, "", UNSAVED_LINE.get(path.suffix, UNSAVED_LINE[""]))
        await asyncio.wait_for(editor.published_after(uri, editor.versions[uri]), LONGEST)
        heard = {f for f in editor_findings(editor, root) if f[0] == rel}
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / root.name
            shutil.copytree(root, copy, symlinks=True)
            (copy / rel).write_bytes(editor.texts[uri].encode("utf-8"))
            said = {f for f in cli_findings(copy) if f[0] == rel}
        checked += 1
        if heard != said:
            differences.append(f"{rel} unsaved: only in the editor {sorted(heard - said)}; "
                               f"only in the SARIF {sorted(said - heard)}")
    return checked, differences


UNSAVED_LINE = {".json": "\n", ".gyp": "# é 🎉\n", "": "// é 🎉\n"}  # by suffix; "": C/C++


def largest_objectwrap_file(roots: list[Path]) -> Path:
    sized = []
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file() and is_cpp(path.name) and "node_modules" not in path.parts:
                data = path.read_bytes()
                if b"ObjectWrap<" in data:
                    sized.append((data.count(b"\n"), str(path)))
    return Path(max(sized)[1])


async def typing_latency(path: Path, root: Path, edits: int) -> list[float]:
    """Toggle one comment-free line's spacing, as lsp_latency.py toggles a comment."""
    editor = Editor("visual-studio-code@v1.65.2")
    await editor.start([root])
    text = path.read_text(errors="replace")
    line = next(i for i, entry in enumerate(text.split("\n")) if entry.strip().startswith("return "))
    samples = await edit_latency(editor, path, lambda _text: line, "return ", "return  ", edits)
    await editor.stop()
    return samples


def ms(seconds: float | None) -> str:
    return "never" if seconds is None else f"{seconds * 1000:.0f} ms"


async def run(args) -> list[str]:
    before, pins = load_pins()
    build_corpus(before, pins)
    names = [pin.dirname for pin in pins if not args.only or pin.dirname.split("@")[0].lstrip("@") in args.only
             or pin.dirname in args.only]
    rows = ["| package root | first diagnostics | last | files with diagnostics | diagnostics | same as the CLI's SARIF "
            "| unsaved edits, same as the CLI's | server errors |", "|---|---|---|---|---|---|---|---|"]
    differences, firsts, total, agreeing, edited, edits_agreeing = [], [], 0, 0, 0, 0
    for name in names:
        root = CORPUS / name
        served = await serve_root(root)
        cli = cli_findings(root)
        same = served["findings"] == cli
        agreeing += same
        total += len(served["findings"])
        if served["first"] is not None:
            firsts.append(served["first"])
        files = len({f[0] for f in served["findings"]})
        checked, unsaved = served["unsaved"]
        edited += checked
        edits_agreeing += checked - len(unsaved)
        rows.append(f"| {name} | {ms(served['first'])} | {ms(served['last'])} | {files} | "
                    f"{len(served['findings'])} | {'yes' if same else '**no**'} | "
                    f"{checked - len(unsaved)} of {checked} | {len(served['errors'])} |")
        differences += [f"- {name}: {difference}" for difference in unsaved]
        if not same:
            differences += [f"- {name}: only in the editor {sorted(served['findings'] - cli)}; "
                            f"only in the SARIF {sorted(cli - served['findings'])}"]
        differences += [f"- {name}: server error: {error}" for error in served["errors"]]
    out = [f"{len(names)} package roots; {agreeing} give the editor exactly the CLI's findings; {total} diagnostics "
           f"in all. Files edited without saving: {edits_agreeing} of {edited} then say what the CLI says of their "
           f"bytes. First diagnostics: median {ms(statistics.median(firsts))}, max {ms(max(firsts))}.", "",
           *rows, ""]
    out += ["Differences and errors:", *(differences or ["- none"]), ""]
    if args.edits:
        path = largest_objectwrap_file([CORPUS / name for name in names])
        root = CORPUS / path.relative_to(CORPUS).parts[0]
        samples = await typing_latency(path, root, args.edits)
        lines = path.read_bytes().count(b"\n")
        out += [f"didChange -> publish while typing in {path.relative_to(CORPUS)} ({lines:,} lines, the largest "
                f"file of these roots declaring an ObjectWrap class), {args.edits} edits, debounce excluded: "
                f"p50 {statistics.median(samples) * 1000:.1f} ms, p95 {p95(samples) * 1000:.1f} ms, "
                f"max {max(samples) * 1000:.1f} ms (target p95 <= 50 ms)."]
    load = os.getloadavg()[0]
    out.insert(0, f"Machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; load average (1 min) at the "
                  f"end: {load:.2f}.\n")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=30, help="typing samples on the largest real file (0: none)")
    parser.add_argument("--only", nargs="*", default=[], help="package names (without version) to serve")
    args = parser.parse_args()
    print("\n".join(asyncio.run(run(args))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
