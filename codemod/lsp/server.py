"""`napi-fix lsp`: the Language Server Protocol over stdio (pygls 2).

Handlers only route to the Session (session.py). Each one is guarded: an
exception is logged with window/logMessage and answered with an empty
result, so no handler ever ends the server.
"""

from __future__ import annotations

import functools
import inspect
import sys

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

from codemod import __version__
from codemod.lsp.actions import KINDS
from codemod.lsp.codecache import CodeCache
from codemod.lsp.session import Session

USAGE = "usage: napi-fix lsp [--stdio]\n  Speaks the Language Server Protocol on stdin/stdout.\n"


class BuffersOnce(LanguageServerProtocol):
    """Open buffers are kept once, as bytes, by documents.py. pygls keeps a
    text copy of each by default and applies every change to it too (5 ms
    per keystroke in a 30,000-line lockfile, for a copy nothing reads)."""

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: types.DidOpenTextDocumentParams):
        yield from self._user(types.TEXT_DOCUMENT_DID_OPEN, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams):
        yield from self._user(types.TEXT_DOCUMENT_DID_CHANGE, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: types.DidCloseTextDocumentParams):
        yield from self._user(types.TEXT_DOCUMENT_DID_CLOSE, params)

    def _user(self, method: str, params):
        handler = self.fm.features.get(method)
        if handler is not None:
            yield handler, (params,), None


class NapiFixServer(LanguageServer):
    session: Session  # set by build()

    def report_server_error(self, error: Exception, source) -> None:
        # pygls' default pops a message box for every internal error; the log is enough.
        self.window_log_message(types.LogMessageParams(type=types.MessageType.Error,
                                                       message=f"napi-fix: server error: {error}"))


def build(code_cache: CodeCache | None = None) -> NapiFixServer:
    server = NapiFixServer("napi-fix", __version__, protocol_cls=BuffersOnce,
                           text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
    session = server.session = Session(server)

    def guarded(doing: str, empty=None):
        """`empty`: the answer when the handler fails (or a function of its params giving it)."""
        def wrap(handler):
            if inspect.iscoroutinefunction(handler):
                @functools.wraps(handler)
                async def run_async(params):
                    try:
                        return await handler(params)
                    except Exception:
                        session.log_exception(doing)
                        return empty(params) if callable(empty) else empty
                return run_async

            @functools.wraps(handler)
            def run(params):
                try:
                    return handler(params)
                except Exception:
                    session.log_exception(doing)
                    return empty(params) if callable(empty) else empty
            return run
        return wrap

    @server.feature(types.INITIALIZE)
    @guarded("initializing")
    def initialize(params: types.InitializeParams) -> None:
        session.initialize(params)
        if session.client.pull_diagnostics:
            # Offered only to clients that ask for it: a push-only client keeps the plain capabilities.
            server.feature(types.TEXT_DOCUMENT_DIAGNOSTIC, types.DiagnosticOptions(
                identifier="napi-fix", inter_file_dependencies=True, workspace_diagnostics=False,
            ))(guarded("answering a diagnostic pull", types.RelatedFullDocumentDiagnosticReport(items=[]))(
                session.pull))

    @server.feature(types.INITIALIZED)
    @guarded("analyzing the workspace")
    async def initialized(params: types.InitializedParams) -> None:
        await session.initialized()
        if code_cache is not None:  # after the first diagnostics, not before them
            code_cache.save()

    for method, doing, handler in (
        (types.SHUTDOWN, "shutting down", lambda params: session.shutdown()),
        (types.TEXT_DOCUMENT_DID_OPEN, "opening a document", session.opened),
        (types.TEXT_DOCUMENT_DID_CHANGE, "applying a change", session.changed),
        (types.TEXT_DOCUMENT_DID_CLOSE, "closing a document", session.closed),
        (types.WORKSPACE_DID_CHANGE_WATCHED_FILES, "reading changed files", session.files_changed),
        (types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS, "changing workspace folders",
         lambda params: session.folders_changed(params.event)),
    ):
        server.feature(method)(guarded(doing)(handler))
    server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(code_action_kinds=KINDS,
                                                                            resolve_provider=True))(
        guarded("computing code actions", [])(session.code_actions))
    server.feature(types.CODE_ACTION_RESOLVE)(guarded("resolving a code action", lambda action: action)(session.resolve))
    return server


def serve(argv: list[str], code_cache: CodeCache | None = None) -> int:
    if argv not in ([], ["--stdio"]):
        sys.stderr.write(USAGE)
        return 0 if argv in (["--help"], ["-h"]) else 2
    server = build(code_cache)
    # Fork the engine's workers now, while this process has one thread. pygls
    # reads stdin on a thread that blocks holding the stream's lock, and a
    # worker forked later hangs for ever when multiprocessing closes its copy
    # of stdin (seen on a workspace large enough for the pool: duckdb's 4,356
    # C/C++ files).
    server.session.workers.start()
    try:
        server.start_io()
    finally:  # `exit` ends the loop with SystemExit: what was compiled since `initialized` is kept too
        if code_cache is not None:
            code_cache.save()
    return 0
