"""What the server does on each editor event; start.py, server.py and
requests.py only route to it. Nothing it imports needs lsprotocol or pygls
(but pygls.uris, which imports nothing else): it analyzes and publishes
the first diagnostics before those are imported (start.py), and it speaks
to the client through wire.Outbox.

After that, everything runs on the server's event loop, one event at a
time: the engine's state is never shared between threads. Edits to a
buffer are applied at once and re-planned after a quiet period (DEBOUNCE);
an edited C/C++ file is scanned on a worker during that period
(prefetch.py), as late as still lets the scan finish in it
(prefetch_delay); anything that needs the current plan (a code action, a
pull) settles the pending changes first, so an answer is never about older
bytes than the editor's.
"""

from __future__ import annotations

import traceback
from typing import TYPE_CHECKING, Any, Callable

from codemod.controls import escaped
from codemod.fixes import Fix
from codemod.lsp.client import Client, read_client
from codemod.lsp.diagnostics import report_diagnostics
from codemod.lsp.documents import Documents, path_of
from codemod.lsp.fixes import fix_all, quick_fixes
from codemod.lsp.progress import Progress
from codemod.lsp.projects import Projects, Served
from codemod.lsp.publish import Publisher
from codemod.lsp.ranges import Indexes
from codemod.lsp.settings import BadSettings, Settings, from_initialization_options
from codemod.lsp.wire import Outbox
from codemod.manifests import jsonreparse
from codemod.parallel import Workers, default_jobs
from codemod.results import Report
from codemod.sources.base import Unreadable
from codemod.sources.disk import DiskSources
from codemod.sources.overlay import OverlaySources

if TYPE_CHECKING:  # a Session is made, and publishes, before lsprotocol is imported (start.py)
    import asyncio

    from lsprotocol import types

DEBOUNCE = 0.2  # seconds of quiet after a keystroke before the engine re-plans
PREFETCH_MARGIN = 0.02  # seconds a prefetched scan should be done before the re-plan
SLOWER_SCAN = 3  # how much longer than the last one a prefetched scan may take and still be in time
REMEMBERED_LOCKS = 4  # large lockfiles whose last parse an edit inside one entry re-uses (jsonreparse.py)
# The protocol's MessageType values, for window/logMessage.
ERROR, WARNING, INFO = 1, 2, 3


class Session:
    """`out`: where notifications go (diagnostics, log messages); `refresh_pulls`:
    asks a pulling client to pull again (set once pygls runs: it is a request)."""

    def __init__(self, out: Outbox):
        self.out = out
        self.refresh_pulls: Callable[[], None] = lambda: None
        self.initialized_early = False  # start.py answered `initialize` and published before pygls ran
        self.settings = Settings()
        self.client = Client()
        self.overlay = OverlaySources(DiskSources())
        self.indexes = Indexes(self.overlay, lambda path: path in self.documents.by_path)
        self.documents = Documents(self.overlay, self.indexes.of)
        self.workers = Workers(default_jobs())
        # The session's own memo of large lockfiles' last parses: every folder's Project plans through it.
        self.parses = jsonreparse.Parses(REMEMBERED_LOCKS)
        self.projects = Projects(self.overlay, self.settings, self.workers, self.log_once, self.parses)
        self.publisher = Publisher(lambda params: self.out.notify("textDocument/publishDiagnostics", params),
                                   lambda path: self.client.pull_diagnostics and path in self.documents.by_path,
                                   self.documents.version)
        self.timers: dict[Served, asyncio.TimerHandle] = {}
        self.prefetches: dict[tuple[Served, str], asyncio.TimerHandle] = {}
        self.logged: set[str] = set()
        self.shown: set[str] = set()
        self.progress = Progress(self.out)

    # -- lifecycle ----------------------------------------------------------------

    def initialize(self, params: dict[str, Any]) -> None:
        """`params`: the InitializeParams, as JSON."""
        try:
            self.settings = from_initialization_options(params.get("initializationOptions"))
        except BadSettings as exc:
            self.show_once(f"napi-fix: {exc}; using the defaults", WARNING)
        capabilities = params.get("capabilities")
        self.client = read_client(capabilities if isinstance(capabilities, dict) else {})
        self.progress.supported = self.client.work_done_progress
        self.projects = Projects(self.overlay, self.settings, self.workers, self.log_once, self.parses)
        for folder in params.get("workspaceFolders") or ():
            path = path_of(folder.get("uri", "")) if isinstance(folder, dict) else None
            if path is not None:
                self.projects.add_folder(path)
        root = path_of(params["rootUri"]) if isinstance(params.get("rootUri"), str) else params.get("rootPath")
        if not self.projects.served and isinstance(root, str) and root:
            self.projects.add_folder(root)

    def initialized(self) -> None:
        """Analyze every folder and publish: the first diagnostics. A folder
        that fails is said, and costs the others nothing."""
        for served in list(self.projects.served.values()):
            self.settle_or_say(served, "analyzing the workspace")

    def shutdown(self) -> None:
        for timer in [*self.timers.values(), *self.prefetches.values()]:
            timer.cancel()
        self.timers.clear()
        self.prefetches.clear()
        self.workers.__exit__(None, None, None)

    def folders_changed(self, event: types.WorkspaceFoldersChangeEvent) -> None:
        for folder in event.removed:
            path = path_of(folder.uri)
            gone = self.projects.owner(path) if path else None
            if gone is None:
                continue
            self.projects.remove_folder(path)
            self._cancel_prefetches(gone)
            timer = self.timers.pop(gone, None)
            if timer is not None:
                timer.cancel()
            # Its files' diagnostics go, unless another folder serves them.
            self.publisher.publish({}, lambda p: gone.contains(p) and self.projects.owner(p) is None, {})
        for folder in event.added:
            path = path_of(folder.uri)
            if path is not None:
                self.settle_or_say(self.projects.add_folder(path), "analyzing an added folder")

    def reconfigure(self, settings: Settings) -> None:
        """New editor settings (workspace/didChangeConfiguration): every
        folder is re-planned and re-published, without a restart."""
        if settings == self.settings:
            return
        self.settings = settings
        for served in self.projects.reconfigure(settings):
            self._cancel_prefetches(served)
            self.settle_or_say(served, "re-planning with new settings")

    # -- buffers and files --------------------------------------------------------

    def opened(self, params: types.DidOpenTextDocumentParams) -> None:
        document = self.documents.open(params.text_document)
        if document is None:
            return
        self.publisher.opened(document.path)
        served = self.projects.owner_or_new(document.path)
        if served.report is not None and document.data != _disk_bytes(document.path):
            served.pending.add(document.path)
        self.settle(served, always={document.path})

    def changed(self, params: types.DidChangeTextDocumentParams) -> None:
        document = self.documents.change(params, self.client.encoding)
        if document is not None:
            touched = self.projects.touch(document.path)
            self._later(touched)
            self._prefetch_later(touched, document.path)

    def closed(self, params: types.DidCloseTextDocumentParams) -> None:
        document = self.documents.close(params.text_document.uri)
        if document is None:
            return
        self.publisher.closed(document.path)
        if document.data != _disk_bytes(document.path):
            self._later(self.projects.touch(document.path))  # the disk's bytes count again

    def files_changed(self, params: types.DidChangeWatchedFilesParams) -> None:
        touched: set[Served] = set()
        for event in params.changes:
            path = path_of(event.uri)
            if path is None or path in self.documents.by_path:
                continue  # an open buffer wins over the disk until it is closed
            touched.update(self.projects.touch(path))
        self._later(touched)

    # -- planning and publishing ----------------------------------------------------

    def fixes(self, served: Served, report: Report, path: str) -> list[Fix]:
        fixes = quick_fixes(report, path)
        everything = fix_all(report, path, list(served.project.roots), self.settings.fix_all(served.settings))
        return fixes + ([everything] if everything else [])

    def _later(self, touched) -> None:
        """Re-plan `touched` after DEBOUNCE seconds without another change."""
        loop = _running_loop()
        for served in touched:
            if served in self.timers:
                self.timers[served].cancel()
            self.timers[served] = loop.call_later(DEBOUNCE, self._guarded_settle, served)

    def _prefetch_later(self, touched, path: str) -> None:
        """Start scanning `path` on a worker once it has been quiet for
        prefetch_delay: typing faster than that starts no scan at all."""
        loop = _running_loop()
        for served in touched:
            timer = self.prefetches.pop((served, path), None)
            if timer is not None:
                timer.cancel()
            delay = prefetch_delay(served.ahead.seconds.get(path))
            self.prefetches[(served, path)] = loop.call_later(delay, self._guarded_prefetch, served, path)

    def _guarded_prefetch(self, served: Served, path: str) -> None:
        self.prefetches.pop((served, path), None)
        try:
            served.ahead.start(served.project, path, self.workers)
        except Exception:
            self.log_exception("starting a scan of an edited file")

    def _cancel_prefetches(self, served: Served) -> None:
        for key in [key for key in self.prefetches if key[0] is served]:
            self.prefetches.pop(key).cancel()

    def _guarded_settle(self, served: Served) -> None:
        # A timer callback is outside every handler: nothing may escape it.
        self.settle_or_say(served, "re-planning after a change")

    def settle_or_say(self, served: Served, doing: str) -> None:
        """settle(), and when it fails, the traceback in the log and, once,
        a message the user sees: that folder has no diagnostics until the
        next change, which the editor must not keep quiet about."""
        try:
            self.settle(served)
        except Exception:
            self.log_exception(doing)
            self.show_once(f"napi-fix: could not analyze {served.folder} (an internal error; "
                           "the language server's log has the traceback)", ERROR)

    def settle(self, served: Served, always: set[str] = frozenset()) -> Report:
        timer = self.timers.pop(served, None)
        if timer is not None:
            timer.cancel()
        self._cancel_prefetches(served)  # the re-plan scans now: too late for a head start
        fresh = served.report is None or bool(served.pending)
        edited = {p for p in served.pending if p in self.documents.by_path}
        with self.progress.shown("napi-fix: analyzing " + served.folder):
            report = self.projects.settle(served, self.documents.versions())
        if fresh or always:
            self._publish(served, report, edited | set(always))
        return report

    def _publish(self, served: Served, report: Report, always: set[str]) -> None:
        found = report_diagnostics(report, self.indexes, self.client)
        for path in [p for p in found if not self.overlay.is_file(p)]:
            # Not a file an editor can show (a FIFO, a folder that could not
            # be listed): no diagnostic can carry it, so the user is told once.
            for item in found.pop(path):
                said = item["message"]
                self.show_once(escaped(f"napi-fix: {said if said.startswith(path) else f'{path}: {said}'}"), WARNING)
        for note in report.notes:
            self.log_once(f"napi-fix: {note}")
        if self.publisher.publish(found, lambda p: self.projects.owner(p) is served, served.versions, always):
            self.refresh_pulls()

    # -- the log --------------------------------------------------------------------

    def log(self, message: str, kind: int = INFO) -> None:
        self.out.notify("window/logMessage", {"type": kind, "message": message})

    def log_once(self, message: str) -> None:
        if message not in self.logged:
            self.logged.add(message)
            self.log(message)

    def show_once(self, message: str, kind: int = ERROR) -> None:
        """What the user must act on: shown (window/showMessage) and logged,
        once per server, however often it is found again."""
        if message not in self.shown:
            self.shown.add(message)
            self.out.notify("window/showMessage", {"type": kind, "message": message})
            self.log(message, kind)

    def log_exception(self, doing: str) -> None:
        self.log(f"napi-fix: internal error while {doing} (the server keeps running):\n{traceback.format_exc()}",
                 ERROR)


def prefetch_delay(scan_seconds: float | None) -> float:
    """Quiet time after a keystroke before a C/C++ buffer's scan starts: as
    late as lets a scan SLOWER_SCAN times as long as the last one finish
    PREFETCH_MARGIN before the debounce ends (a shared host's speed swings).
    A keystroke within it costs no scan: typing in a file that scans in 25 ms
    starts none until a pause of 105 ms. A file whose scan takes a third of
    the debounce or more is scanned at every keystroke."""
    if scan_seconds is None:
        return 0.0
    return max(0.0, DEBOUNCE - PREFETCH_MARGIN - SLOWER_SCAN * scan_seconds)


def _running_loop() -> asyncio.AbstractEventLoop:
    import asyncio  # not at the top: ~40 ms that pygls pays anyway, after the first diagnostics (start.py)

    return asyncio.get_running_loop()


def _disk_bytes(path: str) -> bytes | None:
    try:
        return DiskSources().read(path)
    except Unreadable:
        return None

