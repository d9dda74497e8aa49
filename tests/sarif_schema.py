"""The official SARIF 2.1.0 JSON schema, from the npm registry, cached.

`@microsoft/jest-sarif` ships `sarif-2.1.0-rtm.5.json` (the schema
schemastore.org serves for SARIF 2.1.0). `npm pack` fetches the pinned
tarball once into the cache ($NAPI_FIX_CACHE, default ~/.cache/napi-fix);
the schema is checked against its pinned digest and never committed here.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import tarfile
from functools import lru_cache
from pathlib import Path

from jsonschema import Draft4Validator, FormatChecker

from codemod.cachedir import cache_dir

CACHE = Path(cache_dir())
PACKAGE = "@microsoft/jest-sarif"
VERSION = "1.0.0-beta.0"
MEMBER = "package/lib/schemas/sarif-2.1.0-rtm.5.json"
SHA256 = "2d99159ae54a3eea97f81781cff48780548657c35949f4b7f25e99a2ba4de4f8"


def schema_path() -> Path:
    """The cached schema file, fetched with `npm pack` on first need."""
    folder = CACHE / "jest-sarif" / VERSION
    target = folder / Path(MEMBER).name
    if target.is_file() and _digest(target.read_bytes()) == SHA256:
        return target
    folder.mkdir(parents=True, exist_ok=True)
    name = subprocess.run(["npm", "pack", f"{PACKAGE}@{VERSION}", "--silent"], cwd=folder, check=True,
                          capture_output=True, text=True, timeout=300).stdout.strip().splitlines()[-1]
    with tarfile.open(folder / name) as tar:
        data = tar.extractfile(MEMBER).read()
    if _digest(data) != SHA256:
        raise RuntimeError(f"{PACKAGE}@{VERSION}: {MEMBER} is not the schema pinned here (sha256 {_digest(data)})")
    target.write_bytes(data)
    return target


@lru_cache(maxsize=None)
def schema() -> dict:
    return json.loads(schema_path().read_text(encoding="utf-8"))


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def schema_errors(log: dict) -> list[str]:
    validator = Draft4Validator(schema(), format_checker=FormatChecker())
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(log)]


def github_problems(log: dict) -> list[str]:
    """What GitHub's "SARIF support for code scanning" requires of an upload
    (required properties, non-empty, within its limits)."""
    problems = []

    def need(ok, what):
        if not ok:
            problems.append(what)

    need(log.get("$schema") and log.get("version") == "2.1.0", "$schema and version 2.1.0")
    need(1 <= len(log.get("runs", [])) <= 20, "1..20 runs")
    for run in log.get("runs", []):
        driver = run["tool"]["driver"]
        rules = driver.get("rules", [])
        need(driver.get("name"), "tool.driver.name")
        need(1 <= len(rules) <= 25_000, "1..25000 rules")
        for rule in rules:
            need(rule.get("id"), "rule id")
            need(len(rule.get("name", "")) <= 255, f"{rule['id']}: name <= 255 characters")
            for part in ("shortDescription", "fullDescription"):
                need(0 < len(rule.get(part, {}).get("text", "")) <= 1024, f"{rule['id']}: {part}.text 1..1024")
            need(rule.get("help", {}).get("text"), f"{rule['id']}: help.text")
            need(rule.get("defaultConfiguration", {}).get("level") in ("note", "warning", "error"),
                 f"{rule['id']}: defaultConfiguration.level")
            need(len(rule.get("properties", {}).get("tags", [])) <= 20, f"{rule['id']}: <= 20 tags")
        results = run.get("results")
        need(isinstance(results, list) and len(results) <= 25_000, "results[] (<= 25000)")
        for result in results or []:
            need(result.get("ruleId") in [r["id"] for r in rules], f"ruleId {result.get('ruleId')} is a rule")
            need(rules[result["ruleIndex"]]["id"] == result["ruleId"], "ruleIndex points at ruleId")
            need(result.get("message", {}).get("text"), "message.text")
            need(1 <= len(result.get("locations", [])) <= 10, "1..10 locations")
            need(result.get("partialFingerprints", {}).get("primaryLocationLineHash"), "primaryLocationLineHash")
            for location in result.get("locations", []) + result.get("relatedLocations", []):
                physical = location["physicalLocation"]
                artifact = physical["artifactLocation"]
                need(artifact.get("uri"), "artifactLocation.uri")
                if "uriBaseId" in artifact:
                    need(artifact["uriBaseId"] in run.get("originalUriBaseIds", {}), "uriBaseId is defined")
                    need(not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", artifact["uri"]), "relative uri")
                region = physical.get("region", {})
                need(all(k in region for k in ("startLine", "startColumn", "endLine", "endColumn")), "region")
                need((region["endLine"], region["endColumn"]) >= (region["startLine"], region["startColumn"]),
                     "region ends after it starts")
    return problems
