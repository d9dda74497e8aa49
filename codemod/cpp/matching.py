"""The C++ queries' matches on a tree, in time linear in its size.

tree-sitter's query cursor slows down quadratically inside an ERROR node
with many children (it re-reads the siblings before each child: 40,000
stray `(` took 17 s; tree-sitter/tree-sitter#1972). Such a node is never
handed to the cursor: each of its children that has children of its own is
queried alone, and the node itself is reported as the ERROR it is. A match
whose pattern starts at an ancestor of such a node (a class whose body holds
it) is lost; the finder's textual cross-check reports a class head naming
ObjectWrap that yields no class, so nothing is lost silently.
"""

from __future__ import annotations

from tree_sitter import Node, QueryCursor

from codemod import queries

BIG_ERROR = 2000  # children; below this the cursor's extra work is a few ms


def match_tree(root: Node) -> queries.Matches:
    if not root.has_error:
        return queries.match_all(root)
    blocked = _around_big_errors(root)
    if not blocked:
        return queries.match_all(root)
    query, owners = queries.bundle("cpp")
    found: queries.Matches = {name: [] for name in queries.QUERY_FILES["cpp"]}
    pending = [root]
    while pending:
        node = pending.pop()
        if node.id not in blocked:
            for index, captures in QueryCursor(query).matches(node):
                found[owners[index]].append(captures)
            continue
        if node.type == "ERROR":
            found["errors"].append({"error": [node]})
        pending.extend(child for child in node.children if child.child_count)
    for matches in found.values():  # source order, outer before inner, as one walk gives them
        matches.sort(key=_order)
    return found


def _around_big_errors(root: Node) -> set[int]:
    """Ids of the ERROR nodes with more than BIG_ERROR children and of their ancestors."""
    blocked: set[int] = set()
    parents: dict[int, Node] = {}  # Node.parent walks down from the root: keep the way up instead
    pending = [root]
    while pending:
        node = pending.pop()
        if not node.has_error:
            continue
        if node.type == "ERROR" and node.child_count > BIG_ERROR:
            ancestor: Node | None = node
            while ancestor is not None and ancestor.id not in blocked:
                blocked.add(ancestor.id)
                ancestor = parents.get(ancestor.id)
        for child in node.children:
            if child.has_error:
                parents[child.id] = node
                pending.append(child)
    return blocked


def _order(captures: queries.Captures) -> tuple[int, int]:
    first = min((nodes[0] for nodes in captures.values()), key=lambda n: (n.start_byte, -n.end_byte))
    return first.start_byte, -first.end_byte
