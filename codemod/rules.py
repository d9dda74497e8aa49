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


# A lock entry's move, in every format's planner: the entry named as its
# format names it (`lock entry <install path>`, `entry <patterns>`).

def resolves(entry: str, found: str) -> str:
    """A lock entry and the leaky release it resolves (a move's or a refusal's first words)."""
    return f"{entry} resolves {found}"


def lock_moved(entry: str, found: str, new: str) -> str:
    """NAPI001: a lock entry moved from the leaky release it resolves to `new`."""
    return f"{resolves(entry, found)}; move to {new}"


def npm_entry_moved(key: str, found: str, new: str, wanted: list[str], forced_past: tuple[str, ...]) -> str:
    """NAPI001: an npm lock entry (its install path `key`) moved, with the
    ranges that ask for it (`wanted`, in order; none: no declared range) and
    the parents whose own ranges an override forces it past."""
    asked = ", ".join(wanted) or "no declared range"
    forced = f"; forced past {', '.join(forced_past)}'s range by an override" if forced_past else ""
    return f"{lock_moved(f'lock entry {key}', found, new)} (wanted: {asked}){forced}"


def pnpm_moved(found: str, new: str) -> str:
    """NAPI001: every place a pnpm lock records node-addon-api@`found`, moved to `new`."""
    return f"move node-addon-api@{found} to {new}"


# Part of the pin (no rule of their own): a lock's copies of the specs the pin rewrites, rewritten with it.
NPM_SPECS_FOLLOW = "the lock's copies of the package.json specs follow the pin"


def follows_pin(where: str) -> str:
    """A pnpm lock's copy of an override (`overrides > node-addon-api`)."""
    return f"{where} follows the pin"


def specifier_follows(where: str) -> str:
    """A pnpm lock's specifier of an importer's dependency or of a catalog."""
    return follows_pin(f"{where}: specifier")


def yarn_entry(patterns) -> str:
    """A yarn.lock entry as its reasons name it: by its header's patterns."""
    return f"entry {', '.join(patterns)}"


def header_follows(entry: str) -> str:
    """A yarn.lock entry's header (`entry`: yarn_entry) renamed with the specs the pin rewrites."""
    return f"{entry} follows the package.json pin"


def dependencies_follow(entry: str) -> str:
    """A yarn.lock `file:` entry's dependencies, copied by yarn from the package.json the pin rewrites."""
    return f"{entry}: its dependencies follow the package.json pin"


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


# A lock napi-fix cannot move right (lockplan.Refusal): each reason says why
# and names the command a person runs instead. npm's end in these words.
NOTHING_WRITTEN = "nothing is written for this package root"


def no_safe_release(ranges: list[str]) -> str:
    """Why a lock entry cannot move: no safe release satisfies every range that asks for it."""
    return f"no safe release satisfies {ranges}"


def unsatisfiable(entry: str, found: str, ranges: list[str]) -> str:
    """Why a lock entry cannot move: what it resolves, and that no safe release satisfies its ranges."""
    return f"{resolves(entry, found)}; {no_safe_release(ranges)}"


def in_lock_folder(command: str) -> str:
    """Where a refusal's command is run (yarn's, pnpm's, bun's)."""
    return f"`{command}` in this lockfile's folder"


def npm_unsatisfiable(key: str, found: str, ranges: list[str], target: str) -> str:
    """NAPI005: an npm lock entry no safe release can replace (`target`: the
    release an override would force)."""
    return (f"{unsatisfiable(key, found, ranges)}; {NOTHING_WRITTEN}: widen the range, or add an "
            f"npm override forcing {target} or later, and run npm install")


def asks_for(who: str, name: str, spec: str) -> str:
    """Who asks for node-addon-api (under `name`) with a spec npm checks literally."""
    return f"{who} asks for {name} as {spec!r}"


def fetched_from(source: str) -> str:
    """A lock entry fetched from somewhere that is not the registry."""
    return f"the entry is fetched from {source}"


# What fetched_from says of a `resolved` URL whose kind nothing else names.
FOREIGN_TARBALL = "a URL that is not node-addon-api's registry tarball"


def npm_literal(key: str, found: str, asked: str, kind: str, command: str) -> str:
    """NAPI005: an npm lock entry npm checks against a git, file or URL
    source (`asked`: asks_for or fetched_from), which cannot move alone."""
    return (f"{resolves(key, found)}, and {asked}: npm checks the entry against that {kind} source literally, "
            f"so it cannot move to a safe release alone; {NOTHING_WRITTEN}. Run: {command}")


def spec_drift(field: str, name: str, spec: str | None, copy: str | None = None, release: str | None = None) -> str:
    """One node-addon-api spec package.json and its npm lock disagree on: the
    lock's copy of it (None: it records none), or else the release the lock
    holds that the spec does not admit."""
    return f"{field} {name}: package.json {spec!r}, lock {release if release is not None else repr(copy)}"


def npm_drift(stale: list[str]) -> str:
    """NAPI005: an npm lock not regenerated after package.json changed (`stale`: spec_drift of each)."""
    return (f"package.json and the lock disagree ({'; '.join(stale)}): the lock was not regenerated after "
            f"package.json changed; {NOTHING_WRITTEN}. Run: npm install (then napi-fix again)")


def yarn_refused(why: str, command: str) -> str:
    """NAPI005: a yarn.lock entry whose change would not be what yarn itself
    writes (`why`: one of the four below)."""
    return (f"{why}; napi-fix cannot write what yarn would, so nothing is planned for this package: "
            f"run {in_lock_folder(command)}")


def pattern_taken(entry: str, clash: list[str]) -> str:
    return f"{entry}: {', '.join(clash)} is another entry's already"


def yarn_would_move(entry: str) -> str:
    return f"{entry}: yarn would move the renamed entry elsewhere in the file"


def yarn_would_merge(entry: str, found: str, new: str) -> str:
    return f"{resolves(entry, found)}; another entry resolves {new} already (yarn would merge the two)"


def yarn_berry(command: str) -> str:
    """NAPI005: a yarn berry lock that would have to change."""
    return ("yarn berry lockfile: its checksums are of yarn's own zip archives and cannot be computed offline; "
            f"{NOTHING_PLANNED}. Run {in_lock_folder(command)}")


def pnpm_anchors(command: str) -> str:
    """NAPI005: a pnpm lock holding YAML anchors or aliases."""
    return ("a YAML anchor or alias (`&`/`*`): pnpm never writes them, so pnpm did not write this lock; "
            f"regenerate it with `{command}`")


def pnpm_version(found: str | None, versions, command: str) -> str:
    """NAPI005: a pnpm lock whose lockfileVersion (`found`) is none of `versions`."""
    return (f"lockfileVersion {found!r}: napi-fix moves only the lockfile versions pnpm 7, 8 and 9 write "
            f"({', '.join(versions)}); run {in_lock_folder(command)} with the pnpm that wrote it")


def pnpm_would_merge(new: str) -> str:
    return f"{new} is locked already (pnpm would merge the two entries)"


def pnpm_unmovable(found: str, why: str, command: str) -> str:
    """NAPI005: node-addon-api@`found` in a pnpm lock, which cannot move
    offline (`why`: no_safe_release or pnpm_would_merge)."""
    return (f"node-addon-api@{found}: napi-fix cannot move it offline ({why}); {NOTHING_PLANNED}: "
            f"run {in_lock_folder(command)}")


def bun_refused(name: str, command: str) -> str:
    """NAPI005: a bun lock (`name`: bun.lock or bun.lockb), which napi-fix never edits."""
    binary = "" if name == "bun.lock" else (" (or `bun install --save-text-lockfile` first: a text bun.lock "
                                            "that resolves no leaky release is left alone)")
    return (f"{name}: napi-fix does not edit bun's lockfiles; {NOTHING_PLANNED}. Run {in_lock_folder(command)} "
            "(for a copy only a dependency asks for: add \"overrides\": {\"node-addon-api\": \"^8.2.2\"} to "
            f"package.json, then `bun install`){binary}")


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
