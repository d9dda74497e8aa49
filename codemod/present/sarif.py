"""--format sarif: SARIF 2.1.0 for GitHub code scanning. Pure but for reading
the files findings point into (see places.py).

One run; every rule of rules.py in `tool.driver.rules`; one result per
finding that has a rule (a finding without one needs no action). Files
napi-fix could not handle are not results but tool execution notifications,
and they make the run unsuccessful, as they make the CLI exit 2. The
invocation records the CLI's exit status (results.py's table) and its
meaning; a result's level is its rule's, a warning for a leaky copy that no
ObjectWrap class compiles against today.

A result's `fixes` is its finding's Fix (codemod/fixes.py) when that
writes something: exactly the bytes the CLI writes, the engine's merged
edits as the dry-run diff shows them (when a file failed, a real run
writes nothing at all; the other package roots keep their fixes, as in
the diff). The files of one package root are only consistent together, so
a fix for a finding there holds every edit of that root; a C++ file's fix
holds the finding's own edit. Its description gives the reasons of the
findings whose edits it writes. Applying the replacements of all fixes,
each once, gives what `napi-fix PATH` writes (tests/present/test_sarif.py
holds every strategy to that).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections import defaultdict
from pathlib import Path

from codemod import __version__
from codemod.fixes import Fix, fixes_of
from codemod.present.paths import label
from codemod.present.places import Places, Region, relative_uri
from codemod.present.words import notes, reason
from codemod.results import EXIT_MEANING, Report
from codemod.rules import BY_ID, ISSUE_URL, RULES, Rule
from codemod.sources.base import Sources

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT = "napiFix/v1"
# problem.severity (error|warning|recommendation) decides what code scanning shows by default.
_PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "note": "recommendation"}
_RULE_INDEX = {rule.id: i for i, rule in enumerate(RULES)}


def to_sarif(report: Report, cwd: str, sources: Sources | None = None, status: int | None = None) -> str:
    """`status`: the command line's exit status (results.py's table), recorded
    as the invocation's exitCode with its meaning."""
    places = Places(report, sources)
    root = Path(cwd).as_uri().rstrip("/") + "/"
    invocation = {
        "executionSuccessful": not report.failed,
        "toolExecutionNotifications": _notifications(report, cwd),
        "workingDirectory": {"uri": root},
    }
    if status is not None:
        invocation |= {"exitCode": status, "exitCodeDescription": EXIT_MEANING[status]}
    run = {
        "tool": {"driver": {
            "name": "napi-fix",
            "version": __version__,
            "informationUri": ISSUE_URL,
            "rules": [_rule(rule) for rule in RULES],
        }},
        "invocations": [invocation],
        "originalUriBaseIds": {SRCROOT: {"uri": root}},
        "columnKind": "utf16CodeUnits",
        # textpos.py and GitHub's line hash both end a line at a lone \r too.
        "newlineSequences": ["\r\n", "\n", "\r"],
        "results": _results(report, cwd, places),
    }
    return json.dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2) + "\n"


def _rule(rule: Rule) -> dict:
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.short},
        "fullDescription": {"text": rule.full},
        "help": {"text": f"{rule.full}\n\nSee {ISSUE_URL}",
                 "markdown": f"**{_markdown(rule.short)}**\n\n{_markdown(rule.full)}\n\n"
                             f"See [nodejs/node-addon-api#1602]({ISSUE_URL})."},
        "helpUri": rule.help_uri,
        "defaultConfiguration": {"level": rule.level},
        "properties": {"problem.severity": _PROBLEM_SEVERITY[rule.level]},
    }


def _markdown(text: str) -> str:
    """Plain text as Markdown: `code` spans kept, elsewhere the characters that
    would format (`<T>` would vanish as a tag, `~82 ... ~` strike through) escaped."""
    parts = text.split("`")
    for i in range(0, len(parts), 2):
        parts[i] = re.sub(r"([\\<>*_~#\[\]])", r"\\\1", parts[i])
    return "`".join(parts)


def _results(report: Report, cwd: str, places: Places) -> list[dict]:
    fixes = fixes_of(report)
    alike: dict[str, int] = defaultdict(int)
    out = []
    for result in report.files:
        for finding, fix in zip(result.findings, fixes.in_file(result)):
            if finding.rule is None:
                continue
            rule = BY_ID[finding.rule]
            region = places.of_finding(finding)
            # Stable across line moves: what is reported, where, about what (n-th alike).
            key = "\0".join((rule.id, label(finding.path, cwd), finding.subject))
            alike[key] += 1
            digest = hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:32]
            fingerprints = {FINGERPRINT: f"{digest}:{alike[key]}"}
            line_hash = places.line_hash(finding.path, region.start_line)
            if line_hash is not None:
                fingerprints["primaryLocationLineHash"] = line_hash
            entry = {
                "ruleId": rule.id,
                "ruleIndex": _RULE_INDEX[rule.id],
                "level": finding.level,
                "message": {"text": reason(finding)},
                "locations": [{"physicalLocation": _physical(finding.path, region, cwd)}],
                "partialFingerprints": dict(sorted(fingerprints.items())),
            }
            if finding.related:
                entry["relatedLocations"] = [
                    {"id": n, "physicalLocation": _physical(r.path, places.of_related(r), cwd),
                     "message": {"text": r.message}}
                    for n, r in enumerate(finding.related, 1)]
            if finding.leak is not None:
                entry["properties"] = {"leak": finding.leak}
            if fix is not None and fix.files:
                entry["fixes"] = [_fix(fix, cwd, places)]
            out.append(entry)
    return out


def _notifications(report: Report, cwd: str) -> list[dict]:
    out = []
    for result in report.failed:
        region = {"startLine": result.error_line} if result.error_line else None
        location = {"artifactLocation": artifact(result.path, cwd)} | ({"region": region} if region else {})
        out.append({"level": "error", "message": {"text": f"{label(result.path, cwd)}: {result.error}"},
                    "locations": [{"physicalLocation": location}]})
    out += [{"level": "note", "message": {"text": note}} for note in notes(report)]
    return out


def artifact(path: str, cwd: str) -> dict:
    """A relative, percent-encoded URI against %SRCROOT% (the working
    directory); an absolute file URI for a path outside it."""
    uri = relative_uri(path, cwd)
    if uri is None:
        return {"uri": Path(path).resolve().as_uri()}
    return {"uri": uri, "uriBaseId": SRCROOT}


def _physical(path: str, region: Region, cwd: str) -> dict:
    return {"artifactLocation": artifact(path, cwd), "region": _region(region)}


def _region(region: Region) -> dict:
    return {"startLine": region.start_line, "startColumn": region.start_column,
            "endLine": region.end_line, "endColumn": region.end_column}


def _fix(fix: Fix, cwd: str, places: Places) -> dict:
    changes = []
    for part in sorted(fix.files, key=lambda p: p.path):
        index = places.index(part.path)
        replacements = []
        for edit in sorted(part.edits, key=lambda e: (e.start, e.end)):
            deleted = {"byteOffset": edit.start, "byteLength": edit.end - edit.start}
            if index is not None:  # the same bytes as lines and columns, for viewers that want text
                deleted = _region(Places.between(index, edit.start, edit.end)) | deleted
            replacement = {"deletedRegion": deleted}
            if edit.text:
                replacement["insertedContent"] = _content(edit.text)
            replacements.append(replacement)
        changes.append({"artifactLocation": artifact(part.path, cwd), "replacements": replacements})
    reasons = dict.fromkeys(reason(f, leak=False) for f in fix.carried)  # each once, in order
    return {"description": {"text": "; ".join(reasons)}, "artifactChanges": changes}


def _content(text: bytes) -> dict:
    try:
        return {"text": text.decode("utf-8")}
    except UnicodeDecodeError:  # not UTF-8 (a Latin-1 file): the bytes themselves
        return {"binary": base64.b64encode(text).decode("ascii")}
