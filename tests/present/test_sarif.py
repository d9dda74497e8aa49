"""--format sarif and --format github, held to what reads them.

SARIF logs are validated against the official SARIF 2.1.0 schema (cached by
scripts/setup, see sarif_schema.py) and against what GitHub code scanning
requires of an upload; their fixes must reproduce, byte for byte, what a
real run writes. Annotations are read back the way the Actions runner
parses workflow commands.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote_to_bytes

import pytest

from checkout import ROOT
from codemod.cli import main
from codemod.edits import Edit, apply_edits
from codemod.present.github import escape_data, escape_property
from codemod.present.linehash import LineHashes
from codemod.present.sarif import to_sarif
from codemod.results import Report
from codemod.rules import RULES
from helpers import plan, run_cli, snapshot, write_tree
from sarif_schema import github_problems, schema_errors

EXAMPLES = ROOT / "examples"
HYGIENE = "does not stop the 8.2.0/8.2.1 leak"

# Every way a user can run napi-fix over examples/.
VARIANTS = [
    pytest.param(["--strategy", "pin"], id="pin"),
    pytest.param(["--strategy", "pin", "--pin", "rollback"], id="pin-rollback"),
    pytest.param(["--strategy", "pin", "--patch-vendored"], id="pin-patch-vendored"),
    pytest.param(["--strategy", "finalize"], id="finalize"),
    pytest.param(["--strategy", "both"], id="both"),
]


# -- running the CLI -----------------------------------------------------------


def run(args: list[str], capfdbinary) -> tuple[int, bytes, str]:
    code, out, err = run_cli(capfdbinary, *args)
    return code, out, err.decode("utf-8", "replace")


def sarif(args: list[str], capfdbinary) -> tuple[int, dict]:
    code, out, _ = run(["--format", "sarif", *args], capfdbinary)
    return code, json.loads(out)  # stdout is the log and nothing else


@pytest.fixture
def examples(tmp_path, monkeypatch) -> Path:
    """A copy of examples/ (with the vendored header copy), as the working directory."""
    if not (EXAMPLES / "vendored" / "deps" / "node-addon-api" / "napi-inl.h").is_file():
        subprocess.run([str(ROOT / "scripts" / "vendor-headers")], check=True)
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLES, root, ignore=shutil.ignore_patterns("build", "node_modules"))
    monkeypatch.chdir(root)
    return root


# -- what reads SARIF ----------------------------------------------------------


def local_path(artifact: dict, root: Path) -> Path:
    assert artifact["uriBaseId"] == "%SRCROOT%"
    return root / os.fsdecode(unquote_to_bytes(artifact["uri"]))


def position(data: bytes, offset: int) -> tuple[int, int]:
    """(1-based line, 1-based UTF-16 column) of a byte offset, counted here
    from scratch: lines end at \\r\\n, \\n or \\r, as the log declares."""
    line = len(re.findall(rb"\r\n|\r|\n", data[:offset])) + 1
    start = max(data.rfind(b"\n", 0, offset), data.rfind(b"\r", 0, offset)) + 1
    prefix = data[start:offset].decode("utf-8", "surrogateescape").encode("utf-16-le", "surrogatepass")
    return line, len(prefix) // 2 + 1


def replacements(log: dict, root: Path):
    """(file, replacement) for every replacement of every fix."""
    for result in log["runs"][0]["results"]:
        for fix in result.get("fixes", []):
            for change in fix["artifactChanges"]:
                for replacement in change["replacements"]:
                    yield local_path(change["artifactLocation"], root), replacement


def as_edit(path: Path, replacement: dict) -> Edit:
    deleted = replacement["deletedRegion"]
    text = replacement.get("insertedContent", {"text": ""})["text"].encode()
    return Edit(str(path), deleted["byteOffset"], deleted["byteOffset"] + deleted["byteLength"], text)


# -- SARIF ---------------------------------------------------------------------


@pytest.mark.parametrize("options", VARIANTS)
def test_examples_give_a_valid_log_github_accepts(examples, capfdbinary, options):
    code, log = sarif(["--dry-run", *options, "."], capfdbinary)
    assert schema_errors(log) == []
    assert github_problems(log) == []
    # The exit code does not depend on the format, nor on the strategy: 1 while a leak remains
    # (finalize alone plans no pin, and says so, but the leak it sees still decides the status).
    expected = 1
    assert code == main(["--dry-run", *options, "."]) == expected
    assert log["runs"][0]["invocations"][0]["exitCode"] == expected
    capfdbinary.readouterr()

    run = log["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == [r.id for r in RULES]
    assert run["invocations"][0]["executionSuccessful"] is True
    assert run["columnKind"] == "utf16CodeUnits"
    # One result per finding with a rule, in the same order, at the finding's span.
    strategy = options[1]
    extra = {"pin_mode": "rollback"} if "rollback" in options else {}
    report = plan(["."], strategy, patch_vendored="--patch-vendored" in options, **extra)
    findings = [f for r in report.files for f in r.findings if f.rule]
    assert len(run["results"]) == len(findings) > 0
    for result, finding in zip(run["results"], findings):
        assert result["ruleId"] == finding.rule
        location = result["locations"][0]["physicalLocation"]
        assert local_path(location["artifactLocation"], examples).resolve() == Path(finding.path).resolve()
        region = location["region"]
        if finding.span is None:  # no span: the finding's own line
            assert region["startLine"] == finding.line
            continue
        data = Path(finding.path).read_bytes()
        assert (region["startLine"], region["startColumn"]) == position(data, finding.span[0])
        assert (region["endLine"], region["endColumn"]) == position(data, finding.span[1])
    hygiene = [n for n in run["invocations"][0]["toolExecutionNotifications"] if "hygiene only" in n["message"]["text"]]
    assert bool(hygiene) == (strategy in ("finalize", "both"))
    assert all(HYGIENE in r["message"]["text"] for r in run["results"] if r["ruleId"] == "NAPI004")


@pytest.mark.parametrize("options", VARIANTS)
def test_applying_every_fix_gives_exactly_what_a_real_run_writes(examples, capfdbinary, options):
    before = snapshot(examples)
    _, log = sarif(["--dry-run", *options, "."], capfdbinary)
    edits: dict[str, set[Edit]] = {}
    for path, replacement in replacements(log, examples):
        rel = path.relative_to(examples).as_posix()
        edits.setdefault(rel, set()).add(as_edit(path, replacement))  # each replacement once
        deleted = replacement["deletedRegion"]  # its text coordinates name the same bytes
        assert position(before[rel], deleted["byteOffset"]) == (deleted["startLine"], deleted["startColumn"])
        assert position(before[rel], deleted["byteOffset"] + deleted["byteLength"]) == (
            deleted["endLine"], deleted["endColumn"])
    expected = before | {rel: apply_edits(before[rel], list(found)) for rel, found in edits.items()}
    assert expected != before
    # Repointing examples/vendored's target leaves its leaky copy in deps/: napi-fix cannot tell that
    # nothing else compiles it, so the leak is not known to be gone (1) unless the copy is patched;
    # finalize alone fixes no leak at all.
    remains = "--patch-vendored" not in options or "finalize" in options
    assert main([*options, "."]) == (1 if remains else 0)
    assert snapshot(examples) == expected


def test_each_fix_applies_on_its_own_and_a_package_root_is_fixed_whole(examples, capfdbinary):
    _, log = sarif(["--dry-run", "--strategy", "both", "."], capfdbinary)
    by_uri = {}
    for result in log["runs"][0]["results"]:
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        by_uri[uri] = result
        for fix in result.get("fixes", []):
            for change in fix["artifactChanges"]:
                path = local_path(change["artifactLocation"], examples)
                apply_edits(path.read_bytes(), [as_edit(path, r) for r in change["replacements"]])  # no overlap
    # The spec's fix moves the lock entry too (and the lock's copy of the spec).
    spec_fix = by_uri["leaky-addon/package.json"]["fixes"][0]
    assert sorted(c["artifactLocation"]["uri"] for c in spec_fix["artifactChanges"]) == [
        "leaky-addon/package-lock.json", "leaky-addon/package.json"]
    # Repointing the gyp target declares node-addon-api in package.json with it.
    gyp_fix = by_uri["vendored/binding.gyp"]["fixes"][0]
    assert sorted(c["artifactLocation"]["uri"] for c in gyp_fix["artifactChanges"]) == [
        "vendored/binding.gyp", "vendored/package.json"]
    # A C++ file is its own unit: the fix inserts that class's override only.
    cpp_fix = by_uri["leaky-addon/src/counter.h"]["fixes"][0]
    assert [c["artifactLocation"]["uri"] for c in cpp_fix["artifactChanges"]] == ["leaky-addon/src/counter.h"]
    assert HYGIENE in cpp_fix["description"]["text"]


def test_two_classes_in_one_file_get_one_insertion_each(tmp_path, monkeypatch, capfdbinary):
    two = ("#include <napi.h>\nclass A : public Napi::ObjectWrap<A> {\n public:\n  A();\n};\n"
           "class B : public Napi::ObjectWrap<B> {\n public:\n  B();\n};\n")
    write_tree(tmp_path, {"two.h": two})
    monkeypatch.chdir(tmp_path)
    _, log = sarif(["--dry-run", "--strategy", "finalize", "."], capfdbinary)
    inserted = [[r["insertedContent"]["text"] for c in res["fixes"][0]["artifactChanges"] for r in c["replacements"]]
                for res in log["runs"][0]["results"]]
    assert inserted == [["  void Finalize(Napi::Env /*env*/) override {}\n"]] * 2
    assert main(["--strategy", "finalize", "."]) == 0
    offsets = sorted(r["deletedRegion"]["byteOffset"] for res in log["runs"][0]["results"]
                     for r in res["fixes"][0]["artifactChanges"][0]["replacements"])
    assert (tmp_path / "two.h").read_bytes() == apply_edits(two.encode(), [
        Edit("two.h", o, o, inserted[0][0].encode()) for o in offsets])


BROKEN = {
    "a/package.json": '{\n  "name": "a",\n  "dependencies": {\n    "node-addon-api": "^8.2.0",\n  }\n}\n',
    "b/package.json": '{"name": "b", "dependencies": {"node-addon-api": "^8.2.0"}}\n',
}


def test_a_broken_manifest_is_a_tool_notification_and_an_unsuccessful_run(tmp_path, monkeypatch, capfdbinary):
    write_tree(tmp_path, BROKEN)
    monkeypatch.chdir(tmp_path)
    code, log = sarif(["--dry-run", "."], capfdbinary)
    assert code == 2
    assert schema_errors(log) == [] and github_problems(log) == []
    invocation = log["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    [notification] = invocation["toolExecutionNotifications"]
    assert notification["level"] == "error" and "invalid JSON" in notification["message"]["text"]
    location = notification["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "a/package.json"
    assert location["region"]["startLine"] == 5  # the trailing comma's line
    # The healthy package is still reported, and its fix is its planned change.
    [result] = log["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "b/package.json"
    changed = {local_path(c["artifactLocation"], tmp_path) for c in result["fixes"][0]["artifactChanges"]}
    assert changed == {tmp_path / "b" / "package.json"}


# Tabs, CJK and an emoji (a surrogate pair) before the finding, on its line.
WIDE_CPP = "/*\t中文 😀 */\tclass Wide : public Napi::ObjectWrap<Wide> {\n public:\n  Wide();\n};\n"
WIDE_JSON = '{"description": "中文😀",\t"dependencies": {"node-addon-api": "^8.2.0"}}\n'


@pytest.mark.parametrize("name, text, strategy, subject", [
    ("wide.h", WIDE_CPP, "finalize", "Wide"),
    ("package.json", WIDE_JSON, "pin", '"^8.2.0"'),
])
def test_columns_count_utf16_code_units(tmp_path, monkeypatch, capfdbinary, name, text, strategy, subject):
    write_tree(tmp_path, {name: text})
    monkeypatch.chdir(tmp_path)
    _, log = sarif(["--dry-run", "--strategy", strategy, "."], capfdbinary)
    [result] = log["runs"][0]["results"]
    region = result["locations"][0]["physicalLocation"]["region"]
    line = text.split("\n")[0]
    before = line[: line.index(subject)]
    column = len(before.encode("utf-16-le")) // 2 + 1
    assert len(before) + 1 < column  # the emoji counts twice: not a character count
    assert (region["startLine"], region["startColumn"], region["endColumn"]) == (1, column, column + len(subject))
    _, annotations, _ = run(["--dry-run", "--strategy", strategy, "--format", "github", "."], capfdbinary)
    [command] = [parse_command(line) for line in annotations.decode().splitlines()]
    assert (command.properties["col"], command.properties["endColumn"]) == (str(column), str(column + len(subject)))


def test_paths_are_relative_percent_encoded_uris(tmp_path, monkeypatch, capfdbinary):
    name = "my addon, ü:1/src/wide.h"
    write_tree(tmp_path, {name: WIDE_CPP})
    monkeypatch.chdir(tmp_path)
    _, log = sarif(["--dry-run", "--strategy", "finalize", "."], capfdbinary)
    assert schema_errors(log) == []  # uri-reference format: no raw space
    [result] = log["runs"][0]["results"]
    artifact = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": "my%20addon%2C%20%C3%BC%3A1/src/wide.h", "uriBaseId": "%SRCROOT%"}
    assert local_path(artifact, tmp_path) == tmp_path / name
    root = log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert root == tmp_path.as_uri() + "/"
    _, annotations, _ = run(["--dry-run", "--strategy", "finalize", "--format", "github", "."], capfdbinary)
    [command] = [parse_command(line) for line in annotations.decode().splitlines()]
    assert command.properties["file"] == name


def test_a_file_outside_the_working_directory_gets_an_absolute_uri(tmp_path, monkeypatch, capfdbinary):
    write_tree(tmp_path, {"addon/wide.h": WIDE_CPP})
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    _, log = sarif(["--dry-run", "--strategy", "finalize", str(tmp_path / "addon")], capfdbinary)
    artifact = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": (tmp_path / "addon" / "wide.h").as_uri()}


def test_fingerprints_follow_a_finding_that_moves(tmp_path, monkeypatch, capfdbinary):
    write_tree(tmp_path, {"wide.h": WIDE_CPP})
    monkeypatch.chdir(tmp_path)
    _, first = sarif(["--dry-run", "--strategy", "finalize", "."], capfdbinary)
    write_tree(tmp_path, {"wide.h": "// a comment above\n\n" + WIDE_CPP})
    _, moved = sarif(["--dry-run", "--strategy", "finalize", "."], capfdbinary)
    [a], [b] = first["runs"][0]["results"], moved["runs"][0]["results"]
    assert b["locations"][0]["physicalLocation"]["region"]["startLine"] == 3
    assert a["partialFingerprints"] == b["partialFingerprints"]


TWIN = ("#include <napi.h>\n#ifdef USE_ALT\nclass A : public Napi::ObjectWrap<A> {\n public:\n  A();\n};\n"
        "#else\nclass A : public Napi::ObjectWrap<A> {\n public:\n  A();\n};\n#endif\n")


def test_two_alike_findings_in_one_file_keep_distinct_fingerprints(tmp_path, monkeypatch, capfdbinary):
    """Same rule, file and class twice (one per #ifdef branch): code scanning must see two alerts,
    each keeping its own fingerprint when the file's lines move."""
    write_tree(tmp_path, {"twin.h": TWIN})
    monkeypatch.chdir(tmp_path)
    _, first = sarif(["--dry-run", "--strategy", "finalize", "."], capfdbinary)
    write_tree(tmp_path, {"twin.h": "// moved\n" + TWIN})
    _, moved = sarif(["--dry-run", "--strategy", "finalize", "."], capfdbinary)
    ours = [[r["partialFingerprints"]["napiFix/v1"] for r in log["runs"][0]["results"]] for log in (first, moved)]
    assert len(ours[0]) == len(set(ours[0])) == 2
    assert ours[0] == ours[1]


# -- GitHub's line hash ----------------------------------------------------------

# The expected values of github/codeql-action's own tests (src/fingerprints.test.ts).
UPSTREAM_HASHES = [
    ("", ["c129715d7a2bc9a3:1"]),
    (" a\nb\n  \t\tc\n d", ["271789c17abda88f:1", "54703d4cd895b18:1", "180aee12dab6264:1", "a23a3dc5e078b07b:1"]),
    (" hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End",
     ["8b7cf3e952e7aeb2:1", "b1ae1287ec4718d9:1", "bff680108adb0fcc:1", "c6805c5e1288b612:1", "b86d3392aea1be30:1",
      "e6ceba753e1a442:1"]),
    *[(text, ["e9496ae3ebfced30:1", "fb7c023a8b9ccb3f:1", "ce8ba1a563dcdaca:1", "e20e36e16fcb0cc8:1",
              "b3edc88f2938467e:1", "c8e28b0b4002a3a0:1", "c129715d7a2bc9a3:1"])
      for text in (" hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n",
                   " hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r",
                   " hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n",
                   " hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n")],
    ("Lorem ipsum dolor sit amet.\n" * 10,
     [f"a7f2ff13bc495cf2:{n}" for n in range(1, 7)]
     + ["a7f2ff1481e87703:1", "a9cf91f7bbf1862b:1", "55ec222b86bcae53:1", "cc97dc7b1d7d8f7b:1", "c129715d7a2bc9a3:1"]),
    ("x = 2\nx = 1\nprint(x)\nx = 3\nprint(x)\nx = 4\nprint(x)\n",
     ["e54938cc54b302f1:1", "bb609acbe9138d60:1", "1131fd5871777f34:1", "5c482a0f8b35ea28:1", "54517377da7028d2:1",
      "2c644846cb18d53e:1", "f1b89f20de0d133:1", "c129715d7a2bc9a3:1"]),
]


@pytest.mark.parametrize("text, expected", UPSTREAM_HASHES)
def test_line_hash_matches_the_upload_action(text, expected):
    hashes = LineHashes(text.encode())
    assert [hashes.at(line) for line in range(1, len(expected) + 1)] == expected
    assert len(hashes.starts) == len(expected)


@pytest.mark.skipif(shutil.which("node") is None, reason="node not installed")
def test_line_hash_reads_the_file_as_node_does(tmp_path):
    """The action decodes with Node's UTF-8 stream decoder: a BOM kept, one
    U+FFFD per bad sequence. Python's 'replace' must agree on every unit."""
    data = (b"\xef\xbb\xbfok\r\n\xff\xfe bad \xc3\x28 \xe2\x82 \xf0\x9f\x98 trunc\n"
            b"\xed\xa0\x80 surrogate \xc0\xaf overlong \xf4\x90\x80\x80 big\r\xf0\x9f\x98\x80 emoji\tend")
    path = tmp_path / "mixed.txt"
    path.write_bytes(data)
    script = ("const c=[];require('fs').createReadStream(process.argv[1],'utf8')"
              ".on('data',d=>{for(let i=0;i<d.length;i++)c.push(d.charCodeAt(i))})"
              ".on('end',()=>process.stdout.write(JSON.stringify(c)))")
    node_units = json.loads(subprocess.run(["node", "-e", script, str(path)], check=True, capture_output=True,
                                           text=True).stdout)
    ours = data.decode("utf-8", "replace").encode("utf-16-le")
    assert [ours[i] | ours[i + 1] << 8 for i in range(0, len(ours), 2)] == node_units


def test_sarif_carries_the_line_hash_of_the_region_start(examples, capfdbinary):
    _, log = sarif(["--dry-run", "--strategy", "both", "."], capfdbinary)
    for result in log["runs"][0]["results"]:
        location = result["locations"][0]["physicalLocation"]
        hashes = LineHashes(local_path(location["artifactLocation"], examples).read_bytes())
        assert result["partialFingerprints"]["primaryLocationLineHash"] == hashes.at(location["region"]["startLine"])


# -- --format github -------------------------------------------------------------


class Command:
    def __init__(self, name: str, properties: dict[str, str], data: str):
        self.name, self.properties, self.data = name, properties, data


# The runner's unescaping (actions/runner ActionCommand), in its order: %25 last.
_DATA_ESCAPES = [("\r", "%0D"), ("\n", "%0A"), ("%", "%25")]
_PROPERTY_ESCAPES = [("\r", "%0D"), ("\n", "%0A"), (":", "%3A"), (",", "%2C"), ("%", "%25")]


def _unescape(text: str, mappings) -> str:
    for token, replacement in mappings:
        text = text.replace(replacement, token)
    return text


def parse_command(line: str) -> Command:
    """A workflow command read as the runner reads it (`::name k=v,k=v::data`),
    then the line and column checks it applies to error/warning/notice."""
    line = line.lstrip()
    assert line.startswith("::")
    end = line.index("::", 2)
    info = line[2:end]
    name, _, listed = info.partition(" ")
    properties = {}
    for pair in filter(None, listed.strip().split(",")):
        key, _, value = pair.partition("=")
        if key and value:
            properties[key] = _unescape(value, _PROPERTY_ESCAPES)
    assert not runner_would_change(properties), properties

    return Command(name, properties, _unescape(line[end + 2:], _DATA_ESCAPES))


def runner_would_change(p: dict[str, str]) -> bool:
    """The runner's ValidateLinesAndColumns moves or drops a line or column
    given without its partner, columns across lines, or an end before its start."""
    has = {key: key in p for key in ("line", "endLine", "col", "endColumn")}
    return ((has["endLine"] and not has["line"]) or (has["endColumn"] and not has["col"])
            or ((has["col"] or has["endColumn"]) and not has["line"])
            or (has["endLine"] and has["col"] and p["line"] != p["endLine"])
            or (has["line"] and has["endLine"] and int(p["endLine"]) < int(p["line"]))
            or (has["col"] and has["endColumn"] and int(p["endColumn"]) < int(p["col"])))


@pytest.mark.parametrize("options", VARIANTS)
def test_github_annotations_one_per_finding_with_a_rule(examples, capfdbinary, options):
    code, out, _ = run(["--dry-run", "--format", "github", *options, "."], capfdbinary)
    assert code == 1  # the leak remains, whatever the strategy (finalize alone plans no pin)
    _, log = sarif(["--dry-run", *options, "."], capfdbinary)
    commands = [parse_command(line) for line in out.decode().splitlines()]
    results = log["runs"][0]["results"]
    assert len(commands) == len(results) > 0
    levels = {"error": "error", "warning": "warning", "note": "notice"}
    for command, result in zip(commands, results):
        location = result["locations"][0]["physicalLocation"]
        region = location["region"]
        assert command.name == levels[result["level"]]
        assert command.data == result["message"]["text"]
        assert command.properties["title"].split()[0] == result["ruleId"]
        assert (examples / command.properties["file"]) == local_path(location["artifactLocation"], examples)
        assert (int(command.properties["line"]), int(command.properties["endLine"])) == (
            region["startLine"], region["endLine"])


def test_github_reports_a_broken_manifest_as_an_error_on_its_line(tmp_path, monkeypatch, capfdbinary):
    write_tree(tmp_path, BROKEN)
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(["--dry-run", "--format", "github", "."], capfdbinary)
    assert code == 2
    commands = [parse_command(line) for line in out.decode().splitlines()]
    broken = [c for c in commands if c.properties["file"] == "a/package.json"]
    assert [(c.name, c.properties["line"]) for c in broken] == [("error", "5")]
    assert "invalid JSON" in broken[0].data


@pytest.mark.parametrize("text", [
    "plain", "100% sure", "%25 already escaped", "two\nlines\r\nand CR\r", "a::b", "key=value, other: x", "%0A literal",
])
def test_escaping_round_trips_through_the_runner(text):
    [command] = [parse_command(f"::warning file={escape_property(text)},title={escape_property(text)}::"
                               f"{escape_data(text)}")]
    assert command.properties == {"file": text, "title": text}
    assert command.data == text


def test_each_rule_links_its_own_page():
    log = json.loads(to_sarif(Report("pin"), str(ROOT)))
    assert schema_errors(log) == []
    for rule in log["runs"][0]["tool"]["driver"]["rules"]:
        assert rule["helpUri"] == f"https://github.com/napi-fix/napi-fix/blob/main/docs/rules/{rule['id']}.md"
        page = ROOT / rule["helpUri"].split("/blob/main/", 1)[1]  # the page is in this checkout
        assert page.read_text().startswith(f"# {rule['id']}: ")
