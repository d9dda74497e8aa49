"""Rule codes: the same in JSON, SARIF, GitHub annotations and the editor.

A finding that needs no action (a safe spec, where headers come from, an
existing override) has no rule; every finding that does has exactly one.
"""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    level: str
    short: str
    full: str
    applicability: str  # FIX, HYGIENE or MANUAL: what fixing a finding of this rule does

    @property
    def help_uri(self) -> str:
        """This rule's documentation page (codeDescription.href, SARIF helpUri)."""
        return f"{DOCS_URL}/{self.id}.md"


RESOLVES_BAD = Rule(
    "NAPI001", "resolves-leaky-release", ERROR,
    "node-addon-api resolves 8.2.0 or 8.2.1, which leak a napi_ref per ObjectWrap instance",
    "A lock entry or an installed copy resolves node-addon-api 8.2.0 or 8.2.1. Those releases leak one napi_ref "
    "(~82 bytes of native memory) for every garbage-collected Napi::ObjectWrap instance; 8.2.2 fixed it. "
    "The fix is the version: pin the spec and move the lock entry to 8.2.2 or later (or back to 8.1.0).",
    FIX,
)
ADMITS_BAD = Rule(
    "NAPI002", "admits-leaky-release", WARNING,
    "a node-addon-api spec admits 8.2.0 or 8.2.1",
    "A package.json spec or override admits node-addon-api 8.2.0 or 8.2.1 while the lock resolves a safe "
    "release. Consumers of a published package can still dedupe to a leaking release; pin it past them.",
    FIX,
)
LEAKY_HEADERS = Rule(
    "NAPI003", "compiles-leaky-headers", ERROR,
    "a build target compiles a leaky node-addon-api header copy",
    "A build target compiles a copy of node-addon-api's headers whose ObjectWrap<T>::FinalizeCallback sets "
    "`instance->_ref = nullptr;` (8.2.0/8.2.1): every garbage-collected ObjectWrap leaks its napi_ref. Build "
    "against the npm package at 8.2.2 or later, or apply upstream's fix (PR #1607) to the copy.",
    FIX,
)
NO_FINALIZE = Rule(
    "NAPI004", "objectwrap-without-finalize", NOTE,
    "ObjectWrap class without a Finalize override (hygiene; does not stop the leak)",
    "This Napi::ObjectWrap class has no Finalize override. Adding an empty one is hygiene only: it does NOT "
    "stop the node-addon-api 8.2.0/8.2.1 napi_ref leak; the version pin does.",
    HYGIENE,
)
NEEDS_PERSON = Rule(
    "NAPI005", "needs-a-person", WARNING,
    "napi-fix cannot fix this safely; a person must look",
    "napi-fix found something it cannot fix safely: a macro-generated ObjectWrap class, a region tree-sitter "
    "could not parse, a yarn berry lockfile, a build system it does not read, or a version it cannot move "
    "offline. The message says what to do.",
    MANUAL,
)

# A package root napi-fix cannot read is reported, and none of it is planned
# (withhold.py): every reason that says so ends in these words.
NOTHING_PLANNED = "nothing planned for this package"


def unreadable(line: int, message: str) -> str:
    """The reason for a file of a package root that cannot be read at `line`."""
    return f"line {line}: {message}; {NOTHING_PLANNED}"


RULES = (RESOLVES_BAD, ADMITS_BAD, LEAKY_HEADERS, NO_FINALIZE, NEEDS_PERSON)
BY_ID = {rule.id: rule for rule in RULES}
