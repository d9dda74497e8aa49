"""What the server sends besides diagnostics' content: work-done progress
around a slow scan, and no push older than the editor's document.

The Session runs in this process on a real tree, writing through the real
Outbox; its frames are read back as a client would read them. The last
test runs the real server, pygls included, with pytest-lsp's client."""

from __future__ import annotations

import io
import sys
import threading
import time

import pytest

from codemod.lsp.progress import Progress
from codemod.lsp.publish import Publisher
from codemod.lsp.session import Session
from codemod.lsp.wire import Outbox, read_message
from lsp_harness import EXAMPLES, uri


def messages(out: io.BytesIO) -> list[dict]:
    stream, found = io.BytesIO(out.getvalue()), []
    while (message := read_message(stream)[1]) is not None:
        found.append(message)
    return found


def first_analysis(after: float, capabilities: dict) -> list[dict]:
    out = io.BytesIO()
    session = Session(Outbox(out))
    session.progress.after = after
    session.initialize({"capabilities": capabilities, "rootUri": uri(EXAMPLES / "leaky-addon")})
    session.initialized()
    session.shutdown()
    return messages(out)


def test_a_scan_over_the_threshold_shows_progress_created_first_and_ended_after():
    sent = first_analysis(0.0, {"window": {"workDoneProgress": True}})
    create, begin, *rest = [m for m in sent if m.get("method") in ("window/workDoneProgress/create", "$/progress")]
    token = create["params"]["token"]
    assert create["id"] == token  # a request, answered by the client
    assert begin == {"jsonrpc": "2.0", "method": "$/progress",
                     "params": {"token": token, "value": {"kind": "begin", "title": "napi-fix: analyzing "
                                                          + str(EXAMPLES / "leaky-addon")}}}
    assert rest == [{"jsonrpc": "2.0", "method": "$/progress", "params": {"token": token, "value": {"kind": "end"}}}]
    methods = [m.get("method") for m in sent]
    end = len(methods) - 1 - methods[::-1].index("$/progress")
    assert "textDocument/publishDiagnostics" in methods[end:]  # the diagnostics come after the scan's end


@pytest.mark.parametrize("after, capabilities", [
    pytest.param(60.0, {"window": {"workDoneProgress": True}}, id="a-fast-scan"),
    pytest.param(0.0, {}, id="a-client-without-progress"),
    pytest.param(0.0, {"window": {"workDoneProgress": False}}, id="a-client-that-says-no"),
])
def test_no_progress(after, capabilities):
    sent = first_analysis(after, capabilities)
    assert [m for m in sent if m.get("method") in ("window/workDoneProgress/create", "$/progress")] == []
    assert any(m.get("method") == "textDocument/publishDiagnostics" for m in sent)


def test_a_scan_near_the_threshold_shows_begin_and_end_or_nothing():
    """The timer's thread and the scan's end race: whatever wins, the client
    reads whole frames, and a begin always has its end."""
    for after in (0.0, 0.001, 0.002, 0.005):
        for _ in range(20):
            out = io.BytesIO()
            progress = Progress(Outbox(out), after)
            progress.supported = True
            with progress.shown("t"):
                time.sleep(0.002)
            kinds = [m["params"].get("value", {}).get("kind", "create") for m in messages(out)]
            assert kinds in ([], ["create", "begin", "end"])
    assert threading.active_count() < 5  # timers do not pile up


# -- a push never older than the editor's document ------------------------------------------

PATH = "/w/package.json"
ITEMS = [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}}, "message": "m"}]


@pytest.mark.parametrize("open_version, earlier, planned, pushed", [
    pytest.param(None, [], None, True, id="a-file-not-open"),
    pytest.param(3, [], 3, True, id="planned-on-the-current-version"),
    pytest.param(4, [], 3, False, id="planned-on-an-older-version"),
    pytest.param(5, [5], 4, False, id="after-a-push-for-a-newer-version"),
    pytest.param(5, [4], 5, True, id="after-a-push-for-an-older-version"),
])
def test_a_stale_push_is_never_sent(open_version, earlier, planned, pushed):
    sent = []
    publisher = Publisher(sent.append, version=lambda path: open_version)
    for version in earlier:
        publisher.publish({}, lambda p: True, {PATH: version}, always=[PATH])
    sent.clear()
    publisher.publish({PATH: ITEMS}, lambda p: True, {PATH: planned} if planned else {}, always=[PATH])
    assert bool(sent) == pushed
    if pushed:
        assert sent[0].get("version") == planned


def test_a_held_push_goes_out_once_the_newer_version_is_planned():
    sent, current = [], {"v": 2}
    publisher = Publisher(sent.append, version=lambda path: current["v"])
    publisher.publish({PATH: ITEMS}, lambda p: True, {PATH: 1})
    assert sent == []
    publisher.publish({PATH: ITEMS}, lambda p: True, {PATH: 2})
    assert [s["version"] for s in sent] == [2]


def test_a_reopened_document_counts_its_versions_again():
    sent, current = [], {"v": 9}
    publisher = Publisher(sent.append, version=lambda path: current["v"])
    publisher.publish({PATH: ITEMS}, lambda p: True, {PATH: 9})
    publisher.closed(PATH)
    current["v"] = 0
    publisher.opened(PATH)
    sent.clear()
    publisher.publish({PATH: []}, lambda p: True, {PATH: 0})
    assert [s["version"] for s in sent] == [0]


# -- through the real server, with pygls ---------------------------------------------------------

# The server as `napi-fix lsp` runs it, with progress shown for any scan
# (AFTER 0): the first analysis (before pygls runs) and an opened file's
# re-plan (after) both show it.
LAUNCHER = """import sys
import codemod.lsp.progress
codemod.lsp.progress.AFTER = 0.0
from codemod.cli import main
sys.exit(main(["lsp"]))
"""


@pytest.mark.asyncio
async def test_the_client_gets_created_tokens_with_begin_and_end_and_pygls_takes_the_responses(tmp_path, capfd):
    from lsp_harness import copy_example, start_editor, stop_editor

    launcher = tmp_path / "launcher.py"
    launcher.write_text(LAUNCHER)
    root = copy_example("leaky-addon", tmp_path / "addon")
    # pytest-lsp's client fails on a $/progress for a token it was not asked to create.
    editor = await start_editor("vscode", [root], wrapper=(sys.executable, str(launcher), "--"))
    try:
        await editor.codes(root / "package.json", {"NAPI001"})
        editor.open(root / "src" / "counter.h")
        editor.type(root / "src" / "counter.h", (root / "src" / "counter.h").read_text() + "\n")
        await editor.wait_for(lambda: len(editor.client.progress_reports) >= 2)
        for token, reports in list(editor.client.progress_reports.items()):  # more may begin meanwhile
            await editor.wait_for(lambda: len(reports) == 2)
            assert [r.kind for r in reports] == ["begin", "end"]
            assert reports[0].title.startswith("napi-fix: analyzing ")
        assert not [m for m in editor.client.log_messages if "internal error" in m.message]
    finally:
        await stop_editor(editor)
    _, err = capfd.readouterr()
    assert "unknown message id" not in err  # pygls was told to expect each create's response
