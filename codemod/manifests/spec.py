"""node-addon-api specs: classify them and plan the pin.

Range logic is npm's (node-semver, a port of npm's semver; the tests compare
it with npm's own module). A spec is *affected* when it admits 8.2.0 or
8.2.1, *safe* when it admits neither, *unknown* when it is not a range
(git, file, link, workspace, tag, URL): then the lockfile decides.

`upgrade` takes 8.2.0 and 8.2.1 out of a spec and nothing else: every safe
version the spec admitted stays admitted (`^8.1.0` -> `>=8.1.0 <8.2.0 ||
^8.2.2`), the part above the bad releases keeps the user's operator (`^8.2.0`
-> `^8.2.2`, `~8.2.1` -> `~8.2.2`, `8.2.1` -> `8.2.2`), an alternative with
nothing safe left goes (`>=8.2.0 <8.2.2 || ^9` -> `^9`). tests/manifests/test_spec.py
checks it with npm's own semver over every release. `rollback` is exactly
`8.1.0`.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType

from codemod import rules

PACKAGE = "node-addon-api"
BAD = ("8.2.0", "8.2.1")
ROLLBACK = "8.1.0"

AFFECTED = "affected"
SAFE = "safe"
UNKNOWN = "unknown"

_ALIAS = re.compile(r"^npm:(?:node-addon-api)@(.*)$", re.S)
_NOT_A_RANGE = re.compile(r"^(?:git\+|git:|github:|gitlab:|bitbucket:|https?:|file:|link:|workspace:|portal:|patch:|[\w.-]+/[\w.-]+(?:#.*)?$)")


def _semver() -> ModuleType:
    """node-semver compiles a large set of regexes on import (~20 ms): only
    runs that meet a package.json pay for it."""
    import nodesemver

    return nodesemver


@lru_cache(maxsize=4096)
def _range(text: str):
    """node-semver's parsed Range for `text`, or None when it is not a valid
    range. Parsed once: a monorepo repeats the same few ranges many times."""
    try:
        return _semver().make_range(text, False)
    except Exception:  # ValueError for a malformed range; node-semver raises others on odd input
        return None


@dataclass(frozen=True)
class SafeVersion:
    version: str
    integrity: str
    shasum: str
    engines: str


@lru_cache(maxsize=None)
def safe_versions() -> dict[str, SafeVersion]:
    with open(os.path.join(os.path.dirname(__file__), "safe_versions.json"), encoding="utf-8") as table_file:
        table = json.load(table_file)
    return {v: SafeVersion(v, **info) for v, info in table["safe"].items()}


def is_bad(version: str) -> bool:
    parsed = _semver().valid(version, False)  # a SemVer object, or None
    return parsed is not None and str(parsed.version) in BAD


@dataclass(frozen=True)
class Judgement:
    status: str  # AFFECTED, SAFE or UNKNOWN
    detail: str  # what was found, for the report


def split_alias(spec: str) -> tuple[str, str]:
    """('npm:node-addon-api@', '^8.2.0') for an alias, ('', spec) otherwise."""
    m = _ALIAS.match(spec.strip())
    if m:
        return spec[: len(spec) - len(m.group(1))], m.group(1)
    return "", spec


def is_alias(spec: str) -> bool:
    """`npm:node-addon-api@8.2.1` (or `npm:node-addon-api`): node-addon-api under another name."""
    stripped = spec.strip()
    return stripped == "npm:" + PACKAGE or stripped.startswith(f"npm:{PACKAGE}@")


# What npm-package-arg makes of a spec that is no registry range or tag (npm's
# docs, using-npm/package-spec): npm checks a lock entry against it literally
# (arborist's dep-valid: the same tarball, folder, URL or git commit), so the
# entry cannot move to another release while the spec stays.
_SOURCES = (
    ("git", re.compile(r"^(?:git\+|git:|github:|gitlab:|bitbucket:|gist:|[\w.-]+@[\w.-]+:|https?://[^#]*\.git(?:#|$))")),
    ("link", re.compile(r"^link:")),
    ("workspace", re.compile(r"^(?:workspace|portal|patch|exec|catalog):")),
    ("tarball URL", re.compile(r"^https?://")),
    ("file", re.compile(r"^(?:file:|\.{0,2}/|~/|[A-Za-z]:[\\/])")),
    ("git", re.compile(r"^[\w.-]+/[\w.-]+(?:#.*)?$")),  # GitHub shorthand, `owner/repo#v8.2.1`
)


def source_kind(spec: str) -> str | None:
    """None for a registry spec (a range, a tag, an alias of either); else
    what npm fetches instead: git, file, tarball URL, link, workspace."""
    _, inner = split_alias(spec)
    stripped = inner.strip()
    for kind, pattern in _SOURCES:
        if pattern.match(stripped):
            return kind
    return None


@lru_cache(maxsize=4096)
def judge(spec: str) -> Judgement:
    prefix, inner = split_alias(spec)
    stripped = inner.strip()
    if _NOT_A_RANGE.match(stripped):
        kind = stripped.split(":", 1)[0] if ":" in stripped else "git (owner/repo)"
        return Judgement(UNKNOWN, rules.not_judged(kind, spec))
    if _range(stripped) is None:
        return Judgement(UNKNOWN, rules.not_judged("tag or unparsable", spec))
    admitted = [v for v in BAD if satisfies(v, stripped)]
    if admitted:
        return Judgement(AFFECTED, rules.admits(spec, admitted))
    return Judgement(SAFE, rules.admits_neither(spec))


def admits_bad(range_text: str) -> bool:
    return any(satisfies(v, range_text) for v in BAD)


def version_key(version: str) -> tuple[int, ...]:
    """(major, minor, patch) of a release; ValueError when it is not one."""
    return tuple(int(p) for p in version.split("-")[0].split("."))


@lru_cache(maxsize=None)
def upgrades() -> tuple[str, ...]:
    """The safe 8.x releases above the bad ones, oldest first: where an upgrade may land."""
    return tuple(v for v in sorted(safe_versions(), key=version_key)
                 if version_key(v) > version_key("8.2.1") and v.startswith("8."))


@lru_cache(maxsize=None)
def upgrade_target(engines: str | None = None) -> str:
    """Smallest safe release above the bad ones, in the same major, whose
    engines.node admits every Node the project (or the bad release) runs on."""
    for version in upgrades():
        if not engines or _engines_cover(safe_versions()[version].engines, engines):
            return version
    return "8.2.2"


@lru_cache(maxsize=None)
def below_bad() -> tuple[str, ...]:
    """The safe releases below the bad ones, newest first."""
    return tuple(v for v in sorted(safe_versions(), key=version_key, reverse=True)
                 if version_key(v) < version_key("8.2.0"))


def choose_version(ranges, mode: str) -> str | None:
    return _choose(tuple(ranges), mode)


@lru_cache(maxsize=4096)
def _choose(ranges: tuple[str, ...], mode: str) -> str | None:
    """Smallest safe release above the bad ones every range admits (8.1.0
    first when rolling back); else the newest one below them that every range
    admits: a range capped below 8.2.2 (`<=8.2.1`) keeps its cap."""
    first = (ROLLBACK,) if mode == "rollback" else ()
    for version in first + upgrades() + below_bad():
        if all(satisfies(version, r) for r in ranges):
            return version
    return None


_TARBALL = re.compile(r"node-addon-api-\d+\.\d+\.\d+(?:-[\w.]+)?\.tgz")


def tarball_url(url: str, version: str) -> str:
    """A registry tarball URL of node-addon-api, moved to `version`."""
    return _TARBALL.sub(f"node-addon-api-{version}.tgz", url)


def _engines_cover(package_engines: str, project_engines: str) -> bool:
    """True unless the project's engines.node admits a Node major (among the
    ones node-addon-api 8 cares about) that the package's engines rule out."""
    if not package_engines:
        return True
    for major in range(18, 27):
        probe = f"{major}.0.0"
        if satisfies(probe, project_engines) and not satisfies(probe, package_engines):
            return False
    return True


def satisfies(version: str, range_text: str) -> bool:
    """npm's satisfies; False for a range node-semver cannot read."""
    parsed = _range(range_text)
    try:
        return parsed is not None and bool(parsed.test(version))
    except Exception:  # node-semver raises on some malformed versions
        return False


def rollback(spec: str) -> str:
    prefix, _ = split_alias(spec)
    return prefix + ROLLBACK


def upgrade(spec: str, target: str) -> str:
    """`spec` with 8.2.0 and 8.2.1 taken out of every `||` alternative that
    admits them, and nothing else: an alternative keeps its safe versions
    below the bad ones (`>=8.0.0 <8.2.0`) and above them (`^8.2.2`, in the
    user's own operator); one that admits nothing safe is dropped
    (`>=8.2.0 <8.2.2 || ^9` -> `^9`). An exact release moves to `target`
    (`8.2.1+build.5` -> `8.2.2`). If nothing would remain: `^<target>`."""
    prefix, inner = split_alias(spec)
    pieces = re.split(r"(\s*\|\|\s*)", inner)
    out: list[list[str]] = []  # [separator before it, alternative]
    for separator, alternative in zip([""] + pieces[1::2], pieces[0::2]):
        if not admits_bad(alternative.strip() or "*"):
            out.append([separator, alternative])
            continue
        lead = alternative[: len(alternative) - len(alternative.lstrip())]
        trail = alternative[len(alternative.rstrip()):]
        texts = _without_bad(alternative.strip(), target)
        for index, text in enumerate(texts):
            first, last = index == 0, index == len(texts) - 1
            out.append([separator if first else " || ", (lead if first else "") + text + (trail if last else "")])
    if not out:
        return prefix + f"^{target}"
    out[0][0] = ""
    result = "".join(separator + text for separator, text in out)
    if _range(result) is None or admits_bad(result):
        return prefix + f"^{target}"
    return prefix + result


def _without_bad(alternative: str, target: str) -> list[str]:
    """One comparator set that admits a bad release -> the alternatives that
    admit what it admits below 8.2.0 and from `target` on (zero, one or two)."""
    alternative = re.sub(r"(<=|>=|~>|[<>=~^])\s+", r"\1", alternative)  # `>= 8.2.0` is `>=8.2.0`
    out = []
    below = _below_bad(_range(alternative or "*").set[0])
    if below is not None:
        out.append(below)
    comparators = _range(alternative or "*").set[0]
    for above in (_upgrade_alternative(alternative, target), _from_target(comparators, target)):
        if _range(above) is not None and not admits_bad(above) and (
                satisfies(target, above) or satisfies(f"{target}-0", above)):
            out.append(above)
            break
    return out


def _from_target(comparators, target: str) -> str:
    """The part of a comparator set from `target` on, spelled as comparators:
    where the user's own shape cannot say it (`8.0.0 - 8.2.2-rc.5`). A
    prerelease of `target` the set admits stays admitted."""
    tuple_ = tuple(int(p) for p in target.split("."))
    pre = any(c.semver.prerelease and (c.semver.major, c.semver.minor, c.semver.patch) == tuple_
              for c in comparators if c.operator is not None)
    uppers = [c.value for c in comparators if c.operator in ("<", "<=")]
    return " ".join([f">={target}-0" if pre else f">={target}", *uppers])


def _below_bad(comparators) -> str | None:
    """The part of a comparator set below 8.2.0 (its lower bound and `<8.2.0`),
    or None when it admits no release there (a prerelease of 8.2.0 is bad)."""
    lowest = None
    for c in comparators:
        if c.operator in (">=", ">", "", "="):
            key = _key(c.semver)
            if lowest is None or key > _key(lowest.semver) or (key == _key(lowest.semver) and c.operator == ">"):
                lowest = c
    if lowest is None:
        return "<8.2.0"
    if (lowest.semver.major, lowest.semver.minor, lowest.semver.patch) >= (8, 2, 0):
        return None
    return f"{lowest.value} <8.2.0"


def _key(version) -> tuple:
    """Precedence of a node-semver SemVer (a prerelease sorts before its release)."""
    return (version.major, version.minor, version.patch, not version.prerelease,
            [(isinstance(p, str), p) for p in version.prerelease])


_BUILD = r"(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?"
_MAJOR_MINOR = re.compile(r"^(?P<op>[\^~]|~>)?=?v?(?P<major>\d+)(?:\.(?P<minor>\d+|[xX*]))?(?:\.(?P<patch>\d+|[xX*]))?"
                          + _BUILD + "$")
_COMPARATOR = re.compile(r"^(?P<op>>=|>|<=|<|=)?\s*v?(?P<version>\d+(?:\.\d+){0,2})" + _BUILD + "$")


def _upgrade_alternative(alt: str, target: str) -> str:
    """`alt` from `target` on, in its own shape: `^8.2.0` -> `^8.2.2`,
    `8.0.0 - 8.5.0` -> `8.2.2 - 8.5.0`, `<8.3.0` -> `>=8.2.2 <8.3.0`."""
    if alt in ("", "*", "x", "X"):
        return f">={target}"
    m = _MAJOR_MINOR.match(alt)
    if m and " " not in alt:
        op = m.group("op") or ""
        minor_given = m.group("minor") not in (None, "x", "X", "*")
        patch_given = m.group("patch") not in (None, "x", "X", "*")
        if op == "^":
            return f"^{target}"
        if op in ("~", "~>"):
            return f"{op}{target}" if minor_given else f"^{target}"  # `~8` is the whole major
        if patch_given:  # an exact version, `=8.2.1` or `v8.2.1`: its build metadata does not carry over
            return alt[: len(alt) - len(alt.lstrip("=v"))] + target
        if minor_given:  # 8.2 / 8.2.x: same minor
            return f"~{target}"
        return f"^{target}"  # 8 / 8.x: same major
    if " - " in alt:
        low, high = (s.strip() for s in alt.split(" - ", 1))
        return f"{target} - {high}"
    # A comparator set: raise its lower bound (or add one).
    comparators = alt.split()
    raised = False
    for i, comp in enumerate(comparators):
        c = _COMPARATOR.match(comp)
        if c and c.group("op") in (">=", ">"):
            comparators[i] = f">={target}"
            raised = True
    if not raised:
        comparators.insert(0, f">={target}")
    return " ".join(comparators)
