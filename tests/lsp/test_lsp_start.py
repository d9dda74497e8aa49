"""The server's start: `initialize` answered and the first diagnostics
published before pygls and lsprotocol are imported (codemod/lsp/start.py),
then pygls takes over the same stream.

The answer start.py sends must be the one pygls would have sent: pygls
answers the replayed request too, and a difference is logged as an
internal error (wire.AnsweredOnce). Each snapshot's start is checked over
a real server's stdio by comparing the two answers themselves (the log
alone would miss a difference once it is silenced)."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
from lsprotocol.converters import get_converter

from codemod.lsp.wire import AnsweredOnce, Replayed, frame, read_message
from lsp_harness import CLIENTS, EXAMPLES, capabilities, uri

# -- the wire, in memory ------------------------------------------------------------------------

HELLO = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}}
BODY = json.dumps(HELLO).encode()


@pytest.mark.parametrize("raw, message", [
    pytest.param(frame(HELLO), HELLO, id="a message"),
    pytest.param(b"Content-Length: %d\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n%s"
                 % (len(BODY), BODY), HELLO, id="with a content type"),
    pytest.param(b"content-length: %d\r\n\r\n%s" % (len(BODY), BODY), None, id="a header pygls does not read"),
    pytest.param(b"Content-Length: 5\r\n\r\n{nope", None, id="not JSON"),
    pytest.param(b"Content-Length: 2\r\n\r\n[]", None, id="not an object"),
    pytest.param(b"", None, id="no input"),
    pytest.param(b"Content-Length: 40\r\n", None, id="input ends in the headers"),
])
def test_a_message_is_read_as_pygls_reads_it(raw, message):
    assert read_message(io.BytesIO(raw)) == (raw, message)  # every byte read is kept, for pygls


def test_pygls_reads_the_replayed_message_and_then_the_stream():
    stream = io.BytesIO(frame(HELLO) + b"Content-Length: 2\r\n\r\n{}")
    first, _ = read_message(stream)
    assert first == frame(HELLO)  # one message's bytes: the next is left in the stream
    replayed = Replayed(first[:10], io.BytesIO(first[10:] + stream.read()))  # a line cut in two
    assert replayed.readline().startswith(b"Content-Length: ")
    assert replayed.readline() == b"\r\n"
    assert replayed.read(len(BODY)) == BODY
    assert [replayed.readline(), replayed.readline(), replayed.read(2), replayed.read(2)] == [
        b"Content-Length: 2\r\n", b"\r\n", b"{}", b""]


def test_pygls_answer_to_the_request_answered_early_is_held_back_once():
    out, differences = io.BytesIO(), []
    answered = AnsweredOnce(out, 1, {"capabilities": {}}, differences.append)
    log = frame({"jsonrpc": "2.0", "method": "window/logMessage", "params": {"type": 3, "message": "hi"}})
    answered.write(log)
    answered.write(frame({"jsonrpc": "2.0", "id": 1, "result": {"capabilities": {}}}))
    answered.write(frame({"jsonrpc": "2.0", "id": 1, "result": {"capabilities": {}}}))  # a later reply passes
    assert out.getvalue() == log + frame({"jsonrpc": "2.0", "id": 1, "result": {"capabilities": {}}})
    assert differences == []
    AnsweredOnce(io.BytesIO(), 1, {"capabilities": {}}, differences.append).write(
        frame({"jsonrpc": "2.0", "id": 1, "result": {"capabilities": {"hoverProvider": True}}}))
    assert differences == [{"capabilities": {"hoverProvider": True}}]


# -- a real server -----------------------------------------------------------------------------

def test_the_first_diagnostics_go_out_before_lsprotocol_is_imported():
    probe = f"""
import io, json, sys
from codemod.lsp.session import Session
from codemod.lsp.start import answer_early
from codemod.lsp.wire import Outbox, read_message
out = io.BytesIO()
session = Session(Outbox(out))
sent = answer_early(session, {{"jsonrpc": "2.0", "id": 7, "method": "initialize",
                              "params": {{"capabilities": {{}}, "rootUri": {uri(EXAMPLES / "leaky-addon")!r}}}}})
stream, methods = io.BytesIO(out.getvalue()), []
while (message := read_message(stream)[1]) is not None:
    methods.append(message.get("method", message.get("id")))
print(json.dumps([methods, sorted(m for m in sys.modules if m.split(".")[0] in ("lsprotocol", "cattrs", "asyncio"))]))
"""
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    methods, imported = json.loads(done.stdout.splitlines()[-1])
    assert methods[0] == 7  # the answer to initialize comes first
    assert "textDocument/publishDiagnostics" in methods[1:]
    assert imported == []


@pytest.mark.parametrize("client", [*CLIENTS, "pull", "no capabilities"])
def test_the_early_answer_to_initialize_is_the_one_pygls_gives(client):
    caps = {} if client == "no capabilities" else get_converter().unstructure(capabilities(client))
    messages = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize",
         "params": {"processId": None, "capabilities": caps, "rootUri": uri(EXAMPLES / "leaky-addon")}},
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "id": 2, "method": "shutdown"},  # answered once pygls has handled the two before
        {"jsonrpc": "2.0", "method": "exit"},
    ]
    done = subprocess.run([sys.executable, "-c", KEEPING_PYGLS_ANSWER], input=b"".join(map(frame, messages)),
                          capture_output=True, timeout=120)
    stream, replies = io.BytesIO(done.stdout), []
    while (message := read_message(stream)[1]) is not None:
        replies.append(message)
    errors = [m["params"]["message"] for m in replies
              if m.get("method") == "window/logMessage" and m["params"]["type"] == 1]
    assert errors == []
    assert [m["id"] for m in replies if "method" not in m] == [1, 2]  # initialize answered once
    assert any(m.get("method") == "textDocument/publishDiagnostics" for m in replies)
    # The two answers themselves, not only the log that says they differ:
    kept = [json.loads(line) for line in done.stderr.decode().splitlines() if line.startswith("{")]
    held_back = [m for m in kept if m.get("id") == 1 and "method" not in m]
    early = next(m for m in replies if m.get("id") == 1)
    assert len(held_back) == 1 and "result" in held_back[0]
    assert early["result"] == held_back[0]["result"]


# `napi-fix lsp`, with what pygls writes while its answer to initialize is
# still awaited copied to stderr, one JSON message a line.
KEEPING_PYGLS_ANSWER = """
import json, sys
from codemod.lsp import start, wire

class Kept(wire.AnsweredOnce):
    def write(self, data):
        if self.waiting:
            sys.stderr.write(json.dumps(json.loads(data[data.find(wire.HEADER_END) + 4:])) + "\\n")
        super().write(data)

start.AnsweredOnce = Kept
sys.exit(start.serve())
"""


@pytest.mark.parametrize("first, answered", [
    pytest.param({"jsonrpc": "2.0", "method": "initialized", "params": {}}, [2], id="not initialize"),
    pytest.param({"id": 1, "method": "initialize", "params": {}}, [2], id="no jsonrpc version"),  # pygls drops it
])
def test_a_first_message_that_is_not_initialize_is_left_to_pygls(first, answered):
    messages = [first, {"jsonrpc": "2.0", "id": 2, "method": "shutdown"}, {"jsonrpc": "2.0", "method": "exit"}]
    done = subprocess.run([sys.executable, "-m", "codemod", "lsp"], input=b"".join(map(frame, messages)),
                          capture_output=True, timeout=120)
    stream, replies = io.BytesIO(done.stdout), []
    while (message := read_message(stream)[1]) is not None:
        replies.append(message)
    assert done.returncode == 0
    assert [m["id"] for m in replies if "method" not in m] == answered
    assert not any(m.get("method") == "textDocument/publishDiagnostics" for m in replies)


def test_an_editor_gone_before_the_answer_ends_the_server_quietly():
    server = subprocess.Popen([sys.executable, "-m", "codemod", "lsp"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    server.stdout.close()  # the answer to initialize meets a closed pipe
    _, stderr = server.communicate(frame({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                                          "params": {"capabilities": {}, "rootUri": uri(EXAMPLES)}}), timeout=120)
    assert (server.returncode, stderr.decode()) == (0, "")
