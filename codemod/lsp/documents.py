"""Open editor buffers: their bytes, their versions, and the overlay the engine reads.

A buffer is kept as the UTF-8 bytes of the editor's text and put over the
disk (OverlaySources), so the engine analyzes what the user sees, saved or
not. Changes arrive in the negotiated position encoding and are applied
with codemod/textpos.py, the same counting the diagnostics use. A change
whose version is not newer than the one held is stale and is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from pygls.uris import to_fs_path  # pygls.uris imports nothing of pygls but its platform flags

from codemod.lsp.ranges import TextIndex
from codemod.sources.base import normal
from codemod.sources.overlay import OverlaySources

if TYPE_CHECKING:  # the server makes a Session before lsprotocol is imported (start.py)
    from lsprotocol import types


@dataclass
class Document:
    uri: str
    path: str
    version: int
    data: bytes


def encode(text: str) -> bytes:
    # A lone surrogate (possible in JSON text) becomes U+FFFD: one code unit,
    # as it was, so positions on the line still agree with the editor's.
    return text.encode("utf-8", "replace")


def path_of(uri: str) -> str | None:
    """The file a URI names; None for untitled: and other non-file schemes."""
    if not uri.startswith("file:"):
        return None
    path = to_fs_path(uri)
    return normal(path) if path else None


class Documents:
    def __init__(self, overlay: OverlaySources, index_of: Callable[[str, bytes], TextIndex] | None = None):
        self.overlay = overlay
        # The buffer's line index, shared with publishing (ranges.Indexes): a
        # 30,000-line lockfile is indexed once per keystroke, not twice.
        self.index_of = index_of or (lambda _path, data: TextIndex(data, from_disk=False))
        self.by_uri: dict[str, Document] = {}
        self.by_path: dict[str, Document] = {}

    def open(self, item: types.TextDocumentItem) -> Document | None:
        path = path_of(item.uri)
        if path is None:
            return None
        document = Document(item.uri, path, item.version, encode(item.text))
        self._put(document)
        return document

    def change(self, params: types.DidChangeTextDocumentParams, encoding: str) -> Document | None:
        """The document after the changes; None when it is not open or the
        change is stale."""
        document = self.by_uri.get(params.text_document.uri)
        if document is None or params.text_document.version <= document.version:
            return None
        data = document.data
        for change in params.content_changes:
            data = apply_change(data, change, encoding, self.index_of(document.path, data))
        document.version = params.text_document.version
        document.data = data
        self.overlay.put(document.path, data)
        return document

    def close(self, uri: str) -> Document | None:
        document = self.by_uri.pop(uri, None)
        if document is not None:
            self.by_path.pop(document.path, None)
            self.overlay.drop(document.path)
        return document

    def version(self, path: str) -> int | None:
        document = self.by_path.get(path)
        return document.version if document else None

    def versions(self) -> dict[str, int]:
        return {path: document.version for path, document in self.by_path.items()}

    def _put(self, document: Document) -> None:
        self.by_uri[document.uri] = document
        self.by_path[document.path] = document
        self.overlay.put(document.path, document.data)


def apply_change(data: bytes, change: types.TextDocumentContentChangeEvent, encoding: str,
                 index: TextIndex | None = None) -> bytes:
    """`index`: `data`'s, when it is at hand."""
    text = encode(change.text)
    if getattr(change, "range", None) is None:  # TextDocumentContentChangeWholeDocument
        return text
    index = index or TextIndex(data, from_disk=False)
    start = index.offset(change.range.start, encoding)
    end = max(start, index.offset(change.range.end, encoding))
    return data[:start] + text + data[end:]
