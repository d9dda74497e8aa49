"""Which diagnostics go to the editor, and how: pushed, or held for a pull.

Remembers each file's latest diagnostics and what was last pushed, so a
re-plan pushes exactly the files whose diagnostics moved (the spec's and
the lockfile's after either was edited), clears the files that have none
left, and always answers the buffers that were just edited.

A client that pulls (textDocument/diagnostic) gets its open documents'
diagnostics only by pull, never also by push: Neovim 0.11 and
vscode-languageclient keep pushed and pulled diagnostics apart and show
both (measured in Neovim 0.11.4: each diagnostic twice). Every other file
is pushed, and a change to a pulled document's diagnostics is announced
with workspace/diagnostic/refresh.

A push is never older than what the editor holds: diagnostics planned on
an open document's older version are held back (its change is re-planned
and pushed after the debounce), and none replaces a push made for a newer
version of the document.
"""

from __future__ import annotations

from typing import Callable, Iterable

from codemod.lsp.diagnostics import Diagnostic, uri_of


class Publisher:
    def __init__(self, send: Callable[[dict], None],
                 pulled: Callable[[str], bool] = lambda path: False,
                 version: Callable[[str], int | None] = lambda path: None):
        self.send = send
        self.pulled = pulled  # whether the client pulls this file's diagnostics
        self.version = version  # the open document's version now; None when it is not open
        self.latest: dict[str, list[Diagnostic]] = {}
        self.sent: dict[str, list[Diagnostic]] = {}
        self.sent_version: dict[str, int] = {}  # the document version each file's last push was for

    def publish(self, found: dict[str, list[Diagnostic]], owned: Callable[[str], bool],
                versions: dict[str, int], always: Iterable[str] = ()) -> bool:
        """`found`: one Project's diagnostics by path; `owned(path)`: whether
        that Project speaks for the file; `always`: paths to push even if
        unchanged. True when a pulled document's diagnostics changed."""
        always = set(always)
        refresh = False
        for path in sorted(set(found) | {p for p in self.latest if owned(p)} | always):
            if not owned(path):
                continue
            items = found.get(path, [])
            if self.pulled(path):
                refresh |= self.latest.get(path, []) != items
            self._keep(self.latest, path, items)
            self._push(path, items, versions.get(path), path in always)
        return refresh

    def opened(self, path: str) -> None:
        """A document the client now pulls: take back what was pushed for it.
        Its versions start again: a reopened document may count from 0."""
        self.sent_version.pop(path, None)
        if self.pulled(path):
            self._push(path, self.latest.get(path, []), None, False)

    def closed(self, path: str) -> None:
        """A document the client no longer pulls: push it again."""
        self.sent_version.pop(path, None)
        self._push(path, self.latest.get(path, []), None, False)

    def current(self, path: str) -> list[Diagnostic]:
        return self.latest.get(path, [])

    def _push(self, path: str, items: list[Diagnostic], version: int | None, always: bool) -> None:
        if self.pulled(path):
            items, always = [], False
        if version is not None and (self._older(version, self.version(path))
                                    or self._older(version, self.sent_version.get(path))):
            return  # stale: planned on bytes the editor no longer has
        if not always and self.sent.get(path, []) == items:
            return
        self._keep(self.sent, path, items)
        params = {"uri": uri_of(path), "diagnostics": items}
        if version is not None:
            params["version"] = version
            self.sent_version[path] = version
        self.send(params)  # PublishDiagnosticsParams, as JSON

    @staticmethod
    def _older(version: int, than: int | None) -> bool:
        return than is not None and version < than

    @staticmethod
    def _keep(held: dict[str, list[Diagnostic]], path: str, items: list[Diagnostic]) -> None:
        if items:
            held[path] = items
        else:
            held.pop(path, None)
