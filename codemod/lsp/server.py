"""`napi-fix lsp` once pygls runs (pygls 2): start.py has made the Session,
and usually answered `initialize` and published the first diagnostics.

Handlers only route to the Session (session.py) and to requests.py. Each
one is guarded: an exception is logged with window/logMessage and
answered with an empty result, so no handler ever ends the server.
"""

from __future__ import annotations

import functools
import inspect
from concurrent.futures import Future
from typing import BinaryIO

from lsprotocol import types
from lsprotocol.converters import get_converter
from pygls.uris import from_fs_path
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

from codemod import __version__
from codemod.lsp import requests
from codemod.lsp.capabilities import CODE_ACTIONS, FIX_ALL_COMMAND, NAME, PULL, SHOW_PLAN_COMMAND
from codemod.codecache import CodeCache
from codemod.lsp.session import WARNING, Session
from codemod.lsp.settings import SECTION, BadSettings, from_editor, section_of
from codemod.lsp.watch import watch_registration


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


def build(session: Session, code_cache: CodeCache | None = None) -> NapiFixServer:
    server = NapiFixServer(NAME, __version__, protocol_cls=BuffersOnce,
                           text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
    server.session = session
    session.refresh_pulls = lambda: server.workspace_diagnostic_refresh(None)

    def expect(request_id: str) -> None:
        # A progress token's create request went out beside pygls (progress.py):
        # its response is pygls's to read, and must not be an unknown id there.
        server.protocol._request_futures[request_id] = Future()

    for request_id in session.progress.requested:
        expect(request_id)
    session.progress.expect = expect

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
        if not session.initialized_early:  # start.py could not answer it (see there)
            session.initialize(get_converter().unstructure(params))
        if session.client.pull_diagnostics:
            # Offered only to clients that ask for it: a push-only client keeps the plain capabilities.
            options = get_converter().structure(PULL, types.DiagnosticOptions)
            server.feature(types.TEXT_DOCUMENT_DIAGNOSTIC, options)(
                guarded("answering a diagnostic pull", types.RelatedFullDocumentDiagnosticReport(items=[]))(
                    functools.partial(requests.pull, session)))

    @server.feature(types.INITIALIZED)
    @guarded("analyzing the workspace")
    async def initialized(params: types.InitializedParams) -> None:
        session.initialized()  # nothing left to do when start.py published already
        await pull_settings()
        if session.client.watch_files:
            try:
                await server.client_register_capability_async(watch_registration())
            except Exception as exc:  # the client said no: lockfiles changed on disk go unseen until opened
                session.log(f"napi-fix: could not watch lockfiles and binding.gyp: {exc}", WARNING)
        if code_cache is not None:  # after the first diagnostics, not before them
            code_cache.save()

    def use_settings(raw, where: str) -> None:
        """The editor's napi-fix section over the settings in use; re-plans on a change."""
        if not isinstance(raw, dict) or not raw:
            return  # the client has no such section (null, or nothing set): keep what it started with
        try:
            settings = from_editor(raw, where, session.settings)
        except BadSettings as exc:
            session.log(f"napi-fix: {exc}; keeping the settings in use", WARNING)
            return
        session.reconfigure(settings)

    async def pull_settings() -> None:
        if not session.client.configuration:
            return
        try:
            answer = await server.workspace_configuration_async(
                types.ConfigurationParams(items=[types.ConfigurationItem(section=SECTION)]))
        except Exception as exc:  # the client said it could, then did not: its first settings stay
            session.log(f"napi-fix: could not read the editor's napi-fix settings: {exc}", WARNING)
            return
        use_settings(answer[0] if answer else None, "the napi-fix configuration")

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    @guarded("changing the settings")
    async def configuration_changed(params: types.DidChangeConfigurationParams) -> None:
        section = section_of(params.settings)
        if section is not None:
            use_settings(section, "the napi-fix settings")
        else:  # a bare notification (the pull model): ask for the section
            await pull_settings()

    @server.command(FIX_ALL_COMMAND)
    async def fix_workspace(*arguments) -> dict:
        """Every fix of the workspace (or of the folder holding the document
        given as the first argument), through workspace/applyEdit."""
        applied = 0
        try:
            for served, fix in requests.workspace_fixes(session, arguments):
                answer = await server.workspace_apply_edit_async(types.ApplyWorkspaceEditParams(
                    edit=requests.workspace_edit_of(session, served, fix), label=fix.title))
                applied += len(fix.files) if answer.applied else 0
        except Exception:
            session.log_exception("fixing the workspace")
        return {"filesChanged": applied}

    @server.command(SHOW_PLAN_COMMAND)
    async def show_plan(*arguments) -> dict:
        """What fixAll would write, as a unified diff: returned, saved in the
        cache and opened there (window/showDocument) when the editor can."""
        try:
            text = requests.plan_diff(session, arguments)
            path = requests.save_plan(text)
            uri = from_fs_path(path)
            if session.client.show_document:
                await server.window_show_document_async(types.ShowDocumentParams(uri=uri, take_focus=True))
            else:
                server.window_show_message(types.ShowMessageParams(
                    type=types.MessageType.Info,
                    message=f"napi-fix: the plan is in {path}" if text else "napi-fix: nothing to change"))
            return {"diff": text, "uri": uri}
        except Exception:
            session.log_exception("showing the plan")
            return {"diff": "", "uri": None}

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
    options = get_converter().structure(CODE_ACTIONS, types.CodeActionOptions)
    server.feature(types.TEXT_DOCUMENT_CODE_ACTION, options)(
        guarded("computing code actions", [])(functools.partial(requests.code_actions, session)))
    server.feature(types.TEXT_DOCUMENT_HOVER)(guarded("answering a hover")(functools.partial(requests.hover, session)))
    server.feature(types.CODE_ACTION_RESOLVE)(guarded("resolving a code action", lambda action: action)(
        functools.partial(requests.resolve, session)))
    return server


def run_pygls(server: NapiFixServer, stdin: BinaryIO, stdout: BinaryIO, code_cache: CodeCache | None) -> None:
    try:
        server.start_io(stdin, stdout)
    finally:  # `exit` ends the loop with SystemExit: what was compiled since `initialized` is kept too
        if code_cache is not None:
            code_cache.save()

