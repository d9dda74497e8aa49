"""Rule codes, and each rule's words: the same in JSON, SARIF, GitHub
annotations, the text summary, the diff's notes, batch and the editor.

A finding that needs no action (a safe spec, where headers come from, an
existing override) has no rule; every finding that does has exactly one.
Each rule owns the words of its findings: the builders below it turn a
finding's facts into its reason (called where analysis makes the finding)
and its fix's title (called by fixes.py for every front-end). What a front-
end adds in its own terms (a flag on the command line, a setting in the
editor) is carried as a code on the finding (results.py's HINT_* and
WITHHELD_*), never written into a reason: present/words.py and lsp/words.py
say it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Callable

ISSUE_URL = "https://github.com/nodejs/node-addon-api/issues/1602"
# Each rule's page is docs/rules/<id>.md in napi-fix's repository (pyproject's
# Source URL), linked where every reader can open it: an editor, GitHub's
# code scanning, an installed wheel (which ships no docs/).
DOCS_URL = "https://github.com/napi-fix/napi-fix/blob/main/docs/rules"
ERROR, WARNING, NOTE = "error", "warning", "note"  # SARIF's levels; the editor maps them to severities
# What a rule's fix does (codemod/fixes.py): every front-end decides from this, never from a title.
FIX = "fix"  # stops or prevents the leak: a pin, a lock move, a repoint, upstream's patch to a copy
HYGIENE = "hygiene"  # the empty Finalize override: measured, it does NOT stop the 8.2.0/8.2.1 leak
MANUAL = "manual"  # napi-fix will not edit it: a person must act (the reason says how)
# What inserting the override is, wherever a finding offers it.
HYGIENE_ONLY = "hygiene only: this does not stop the 8.2.0/8.2.1 leak, the version pin does"


@dataclass(frozen=True)
class FixFacts:
    """What a fix's title is made from: its finding's facts and the files it writes."""

    subject: str
    reason: str
    paths: tuple[str, ...]  # the files the fix writes (none: nothing planned)
    folder: str  # what `files` names them relative to
    patches_copy: bool = False  # it writes a vendored copy's headers (--patch-vendored)

    @property
    def files(self) -> str:
        """The files as a title names them; "not planned" when there are none."""
        return named(self.paths, self.folder) if self.paths else "not planned"


def named(paths, folder: str) -> str:
    """Files as a title lists them: relative to `folder`, comma-separated."""
    return ", ".join(os.path.relpath(path, folder) for path in paths)


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    level: str
    short: str
    full: str
    applicability: str  # FIX, HYGIENE or MANUAL: what fixing a finding of this rule does
    title: Callable[[FixFacts], str]  # its fix's title (the editor's code action)

    @property
    def help_uri(self) -> str:
        """This rule's documentation page (codeDescription.href, SARIF helpUri)."""
        return f"{DOCS_URL}/{self.id}.md"


# NAPI001 and NAPI002: the version. A finding of either is fixed by its package root's pin.

def pin_title(fix: FixFacts) -> str:
    """The pin's title; also a finding without a rule whose edits are part of its root's pin."""
    return f"napi-fix: pin node-addon-api past 8.2.0/8.2.1 ({fix.files})"


def installed_copy(version: str, fingerprint: str) -> str:
    """NAPI001: a node_modules copy that is (or says it is) a leaky release."""
    return (f"installed {version} ({fingerprint}): reinstall from the pinned lockfile "
            "(npm ci / yarn install --frozen-lockfile / pnpm install --frozen-lockfile) and rebuild")


def override_forces(where: str, versions: str) -> str:
    """Part of the pin: npm overrides for parents whose own ranges admit only leaky releases."""
    return f"{where}: their ranges admit only 8.2.0/8.2.1, so an override scoped to them forces {versions}"


def spec_behind(spec_reason: str) -> str:
    """NAPI001: a lock entry's pointer to the spec that led to it."""
    return f"the spec: {spec_reason}"


RESOLVES_BAD = Rule(
    "NAPI001", "resolves-leaky-release", ERROR,
    "node-addon-api resolves 8.2.0 or 8.2.1, which leak a napi_ref per ObjectWrap instance",
    "A lock entry or an installed copy resolves node-addon-api 8.2.0 or 8.2.1. Those releases leak one napi_ref "
    "(~82 bytes of native memory) for every garbage-collected Napi::ObjectWrap instance; 8.2.2 fixed it. "
    "The fix is the version: pin the spec and move the lock entry to 8.2.2 or later (or back to 8.1.0).",
    FIX, pin_title,
)


def admits(spec: str, versions: list[str]) -> str:
    """NAPI002: what a spec admits of the leaky releases (spec.py's judgement)."""
    return f"{spec!r} admits {' and '.join(versions)}"


# The judgements of the specs that need nothing (no rule): said in the same terms.
def admits_neither(spec: str) -> str:
    return f"{spec!r} admits neither 8.2.0 nor 8.2.1"


def not_judged(kind: str, spec: str) -> str:
    """A spec that is no range (git, file, a tag): its lock decides."""
    return f"{kind} spec {spec!r}: the lockfile or installed copy decides"


def spec_pinned(where: str, judged: str, new: str, mode: str | None = None) -> str:
    """NAPI002 (NAPI001 once its lock is found to resolve a leaky release): a
    spec at `where` that admits a leaky release (`judged`: spec.py's
    judgement), pinned to `new`; `mode`: the pin mode, when the reason names it."""
    said = f"{where}: {judged}; pin to {new!r}"
    return f"{said} ({mode})" if mode else said


ADMITS_BAD = Rule(
    "NAPI002", "admits-leaky-release", WARNING,
    "a node-addon-api spec admits 8.2.0 or 8.2.1",
    "A package.json spec or override admits node-addon-api 8.2.0 or 8.2.1 while the lock resolves a safe "
    "release. Consumers of a published package can still dedupe to a leaking release; pin it past them.",
    FIX, pin_title,
)


# NAPI003: a leaky copy of the headers, compiled. Fixed by repointing the
# target at the npm package, or by upstream's patch to the copy.

def headers_title(fix: FixFacts) -> str:
    if fix.patches_copy:
        return f"napi-fix: apply upstream's fix to the vendored node-addon-api headers ({fix.files})"
    return f"napi-fix: build against the npm package node-addon-api instead of the leaky copy ({fix.files})"


LEAKY_COPY = ("leaky header copy (FinalizeCallback sets `instance->_ref = nullptr;`): build against the npm "
              "package instead (include_dirs: <!(node -p \"require('node-addon-api').include_dir\") with "
              "node-addon-api ^8.2.2 in package.json)")
COPY_PATCHED = "upstream's 8.2.2 fix (PR #1607): a `_finalized` flag replaces `_ref = nullptr`"


def repointed(detail: str, spec: str) -> str:
    """NAPI003: a target pointed at the npm package, declared at `spec`."""
    return f"{detail}; point it at the npm package node-addon-api {spec}"


def declared_for(build_file: str, target: str, spec: str, installed: bool) -> str:
    """Part of a repoint's fix: the package.json or lock edit that gives the
    target the npm package (`installed`: its spec already asks for it)."""
    return (f"{build_file} target {target} will build against the npm package: "
            + (f"node-addon-api {spec} installed by the lock, as its spec will ask" if installed
               else f"declare node-addon-api {spec}"))


# Why a target cannot be repointed: appended to its detail (a hint code may follow).
NO_PACKAGE_BESIDE = "; no package.json beside it to declare node-addon-api in"


def other_manager(include: str, tool: str, spec: str) -> str:
    return (f"; to build against the npm package, point include_dirs at {include} "
            f"and run `{tool} add node-addon-api@{spec}`")


def not_in_dependencies(field: str, spec: str) -> str:
    return (f"; node-addon-api is in {field}, and a consumer installing the published package gets "
            f"none of those: run `npm install node-addon-api@{spec} --save-prod`")


def installed_as(lock: str, flags: str, spec: str) -> str:
    return f"; {lock} installs node-addon-api as {flags}: run `npm install node-addon-api@{spec} --save-prod`"


def builds_older(spec: str) -> str:
    """Why a spec moves with a repoint: it would build older headers than the copy's (`~8.1.0`)."""
    return f"{spec!r} would build the target repointed from its leaky copy against older headers than the copy's"


def lock_rules_out(lock: str, spec: str) -> str:
    return f"; {lock} already holds a node-addon-api that {spec} rules out"


LEAKY_HEADERS = Rule(
    "NAPI003", "compiles-leaky-headers", ERROR,
    "a build target compiles a leaky node-addon-api header copy",
    "A build target compiles a copy of node-addon-api's headers whose ObjectWrap<T>::FinalizeCallback sets "
    "`instance->_ref = nullptr;` (8.2.0/8.2.1): every garbage-collected ObjectWrap leaks its napi_ref. Build "
    "against the npm package at 8.2.2 or later, or apply upstream's fix (PR #1607) to the copy.",
    FIX, headers_title,
)


# NAPI004: hygiene. Measured, an empty override does not stop the leak, and every word of it says so.

def hygiene_title(fix: FixFacts) -> str:
    return (f"napi-fix: add an empty Finalize override to {fix.subject} "
            "(hygiene only: it does not stop the 8.2.0/8.2.1 leak)")


def no_override(wrapped: str, other: str = "", recovered: str = "") -> str:
    """NAPI004: a class deriving from ObjectWrap<`wrapped`> without a Finalize
    override; `other`, `recovered`: what else was seen, already worded."""
    return (f"derives from Napi::ObjectWrap<{wrapped}> and has no Finalize override{other}"
            f"{recovered}; inserting an empty override is {HYGIENE_ONLY}")


# The measured truth, one sentence every front-end says wherever it offers
# the override (the notes, the hover, batch, the action's summary); each adds
# only its own way of asking for the pin (a flag, a setting, an input).
HYGIENE_TRUTH = ("An empty Finalize override is hygiene only: measured, it does NOT stop the node-addon-api "
                 "8.2.0/8.2.1 ObjectWrap napi_ref leak. The fix is the version: node-addon-api 8.2.2 or later "
                 "(or 8.1.0).")

NO_FINALIZE = Rule(
    "NAPI004", "objectwrap-without-finalize", NOTE,
    "ObjectWrap class without a Finalize override (hygiene; does not stop the leak)",
    f"This Napi::ObjectWrap class has no Finalize override. {HYGIENE_TRUTH}",
    HYGIENE, hygiene_title,
)


# NAPI005: napi-fix will not edit it. The reason says what a person should do.

def manual_title(fix: FixFacts) -> str:
    return f"napi-fix will not change this; a person must act: {fix.reason}"


BY_HAND = "`void Finalize(Napi::Env /*env*/) override {}`"


def macro_class(macro: str) -> str:
    return (f"macro {macro} defines an ObjectWrap-derived class; its expansions cannot be "
            f"edited safely, add {BY_HAND} by hand")


def unresolved_base(name: str, base: str) -> str:
    return (f"cannot tell whether {name} is an ObjectWrap class: its base {base} "
            "names nothing that this file or a header it includes (through the build's include "
            "folders) declares; check it by hand")


def unread_members(macros: str) -> str:
    return (f"its members cannot be read with confidence: macro {macros} is defined nowhere its "
            "translation unit's headers say, and could declare Finalize; check it by hand and add "
            f"{BY_HAND} if it has none")


def unparsed_body(wrapped: str) -> str:
    return f"derives from Napi::ObjectWrap<{wrapped}> but its body could not be parsed; add the override by hand"


def not_a_range(where: str, found: str) -> str:
    return (f"{where}: node-addon-api is given {found}, not a version range; "
            "npm cannot install that: write a range such as \"^8.2.2\"")


def overrides_by_hand(parents: list[str]) -> str:
    return f"add npm overrides forcing node-addon-api for {parents}"


def copy_disagrees(version: str, fingerprint: str) -> str:
    return f"package.json says {version} but the headers are {fingerprint}"


COPY_UNFIT = "leaky copy whose layout the upstream fix does not fit"

NEEDS_PERSON = Rule(
    "NAPI005", "needs-a-person", WARNING,
    "napi-fix cannot fix this safely; a person must look",
    "napi-fix found something it cannot fix safely: a macro-generated ObjectWrap class, a region tree-sitter "
    "could not parse, a yarn berry lockfile, a build system it does not read, or a version it cannot move "
    "offline. The message says what to do.",
    MANUAL, manual_title,
)

# A package root napi-fix cannot read is reported, and none of it is planned
# (withhold.py): every reason that says so ends in these words.
NOTHING_PLANNED = "nothing planned for this package"


def unreadable(line: int, message: str) -> str:
    """The reason for a file of a package root that cannot be read at `line`."""
    return f"line {line}: {message}; {NOTHING_PLANNED}"


RULES = (RESOLVES_BAD, ADMITS_BAD, LEAKY_HEADERS, NO_FINALIZE, NEEDS_PERSON)
BY_ID = {rule.id: rule for rule in RULES}


def fix_title(rule: str | None, fix: FixFacts) -> str:
    """The title of the fix of a finding of `rule` (None: part of its root's pin)."""
    return BY_ID[rule].title(fix) if rule in BY_ID else pin_title(fix)
