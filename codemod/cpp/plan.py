"""The Finalize planner: one file's facts and the project index -> findings.

Pure. A target (a class whose Napi::ObjectWrap<T> names itself) without an
override gets the insertion as an Edit; intermediate bases, indirect
subclasses, existing overrides, macro-generated classes and whatever the
scan could not read (its Unparsed facts say why) are findings without edits. The override is hygiene: every reason
that offers it says it does not stop the leak.

It is never inserted where it would change behaviour: a Finalize declared
through a member macro or by a base between the class and ObjectWrap is
the class's Finalize (an empty override would replace it); a member macro
defined nowhere the translation unit sees could declare one (NAPI005). A
class whose base may lead to ObjectWrap but names nothing the index can
find is a NAPI005 too, never passed over.
"""

from __future__ import annotations

from codemod import rules
from codemod.cpp import finalize
from codemod.cpp.index import INDIRECT, INTERMEDIATE, TARGET, ProjectIndex
from codemod.cpp.scan import FileFacts
from codemod.cpp.splice import Spliced, shallow_copy
from codemod.results import (
    HAS_OVERRIDE,
    INDIRECT as INDIRECT_KIND,
    INTERMEDIATE_BASE,
    MANUAL,
    MISSING_OVERRIDE,
    Finding,
)
from codemod.edits import Edit
from codemod.rules import NEEDS_PERSON, NO_FINALIZE


def plan_file(index: ProjectIndex, facts: FileFacts, basic: bool) -> list[Finding]:
    """Findings of one scanned file, in line order; `basic`: the project
    requires Napi::BasicEnv finalizers."""
    path = facts.path
    found = [f for cls in facts.classes for f in _class_findings(index, facts, cls, basic)]
    found += [
        Finding(path, m.line, m.column, MANUAL, m.macro, "", rules.macro_class(m.macro), rule=NEEDS_PERSON.id)
        for m in facts.macro_classes
    ]
    found += [
        Finding(path, u.line, u.column, MANUAL, "", "", u.reason, rule=NEEDS_PERSON.id, span=(u.start, u.end))
        for u in facts.unparsed
    ]
    return sorted(found, key=lambda f: (f.line, f.column))


def replan(index: ProjectIndex, facts: FileFacts, basic: bool, old: list[Finding], spliced: Spliced) -> list[Finding]:
    """plan_file's findings after a splice, planning only the classes of its
    window: the others' are the old ones, moved. The caller vouches that
    nothing they depend on changed (the index's answer, Spliced.loose_same)."""
    a, b, delta, lines = spliced.start, spliced.end, spliced.delta, spliced.lines
    kept: list[Finding] = []
    for finding in old:
        at = finding.span[0] if finding.span is not None else None
        if at is not None and a <= at < b:
            continue  # planned again below
        if (at is None and finding.line > spliced.last_line) or (at is not None and at >= b):
            finding = _moved(finding, delta, lines)
        kept.append(finding)
    kept += [f for cls in facts.classes if a <= cls.start < b + delta for f in _class_findings(index, facts, cls, basic)]
    return sorted(kept, key=lambda f: (f.line, f.column))


def _moved(finding: Finding, delta: int, lines: int) -> Finding:
    moved = shallow_copy(finding)
    fields = moved.__dict__
    fields["line"] += lines
    if finding.span is not None:
        fields["span"] = (finding.span[0] + delta, finding.span[1] + delta)
    if finding.edits:
        fields["edits"] = tuple(_moved_edit(e, delta) for e in finding.edits)
    return moved


def _moved_edit(edit: Edit, delta: int) -> Edit:
    moved = shallow_copy(edit)  # valid as the edit it moves: no __post_init__ check again
    moved.__dict__["start"] += delta
    moved.__dict__["end"] += delta
    return moved


def _class_findings(index: ProjectIndex, facts: FileFacts, cls, basic: bool):
    found = index.classify(cls, facts.path)
    if found is None:
        base = index.unresolved_base(cls, facts.path)
        if base is not None:
            # No subject: it may be no ObjectWrap class at all (leaks.py counts
            # a subject as one compiled against the headers); the reason names it.
            yield Finding(facts.path, cls.line, cls.column, MANUAL, "", "",
                          rules.unresolved_base(cls.display_name(), base), rule=NEEDS_PERSON.id,
                          span=cls.name_span)
        return
    name = cls.display_name()
    where = (facts.path, cls.line, cls.column)
    span = cls.name_span
    if found.kind == INTERMEDIATE:
        yield Finding(*where, INTERMEDIATE_BASE, name, found.wrapped,
                      f"intermediate base: passes its parameter {found.wrapped} to Napi::ObjectWrap; "
                      "node-addon-api looks for Finalize on each concrete leaf, so the leaves are the targets",
                      span=span)
        return
    if found.kind == INDIRECT:
        yield Finding(*where, INDIRECT_KIND, name, found.wrapped,
                      f"derives from Napi::ObjectWrap<{found.wrapped}> through a base; node-addon-api "
                      f"looks for Finalize on {found.wrapped}, not on this class", span=span)
        return
    assert found.kind == TARGET
    macro = next((m for off, m in facts.recovered_macros if cls.start <= off < cls.end), None)
    recovered = f" (class head read past export macro {macro})" if macro else ""
    if cls.override is not None:
        yield Finding(*where, HAS_OVERRIDE, name, found.wrapped,
                      f"already overrides Finalize({cls.override}){recovered}", span=span)
        return
    through, unknown = index.member_macros(cls, facts.path)
    if through is not None:
        yield Finding(*where, HAS_OVERRIDE, name, found.wrapped,
                      f"declares Finalize through macro {through}{recovered}", span=span)
        return
    inherited = index.inherited_finalize(cls, facts.path)
    if inherited is not None:
        # An empty override here would replace the base's cleanup.
        yield Finding(*where, HAS_OVERRIDE, name, found.wrapped,
                      f"inherits Finalize from its base {inherited}; an override here would replace it", span=span)
        return
    if unknown:
        yield Finding(*where, MANUAL, name, found.wrapped, rules.unread_members(", ".join(unknown)),
                      rule=NEEDS_PERSON.id, span=span)
        return
    if cls.insertion is None:
        yield Finding(*where, MANUAL, name, found.wrapped, rules.unparsed_body(found.wrapped),
                      rule=NEEDS_PERSON.id, span=span)
        return
    other = "; its own Finalize(...) takes other parameters and is not an override" if cls.other_finalize else ""
    yield Finding(*where, MISSING_OVERRIDE, name, found.wrapped, rules.no_override(found.wrapped, other, recovered),
                  (finalize.plan_insertion(facts.path, cls.insertion, basic),), rule=NO_FINALIZE.id, span=span)
