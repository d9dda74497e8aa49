"""The JSON-RPC wire beside pygls: a message read, a notification written.

The server answers `initialize` and publishes its first diagnostics before
pygls and lsprotocol are imported (start.py): those imports take ~0.3 s,
longer than the analysis of a small package. That takes reading one
message and writing a few, framed as the base protocol says: a
Content-Length header, a blank line, the UTF-8 JSON body.

The Session's notifications (diagnostics, log messages) keep going out
through Outbox once pygls runs: whole frames, written from the event
loop's thread like pygls's own, so the two never interleave. pygls then
reads stdin through Replayed (the request start.py read comes first) and
writes through AnsweredOnce (its answer to that request is held back when
start.py has sent one).
"""

from __future__ import annotations

import io
import json
import re
import threading
from typing import Any, BinaryIO, Callable

# What pygls's reader accepts (pygls.io_.run_async): a message it would not
# read is not answered early either, but handed to pygls as it came.
CONTENT_LENGTH = re.compile(rb"^Content-Length: (\d+)\r\n$")
HEADER_END = b"\r\n\r\n"


def read_message(stream: BinaryIO) -> tuple[bytes, dict[str, Any] | None]:
    """The next message's bytes, headers included, and its JSON object;
    None for the object when the bytes are not a message pygls would read
    (or the input ended)."""
    raw = bytearray()
    length = 0
    while True:
        line = stream.readline()
        raw += line
        if not line:
            return bytes(raw), None
        if not length:
            match = CONTENT_LENGTH.fullmatch(line)
            if match:
                length = int(match.group(1))
        if length and not line.strip():
            break
    body = stream.read(length)
    raw += body
    try:
        message = json.loads(body)
    except ValueError:
        return bytes(raw), None
    return bytes(raw), message if isinstance(message, dict) else None


def frame(message: dict[str, Any]) -> bytes:
    body = json.dumps(message).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


class Outbox:
    """Messages to the client, each written and flushed as one frame. A
    frame is written whole under a lock: work-done progress is sent from a
    timer's thread while the event loop's is busy scanning (progress.py)."""

    def __init__(self, stream: BinaryIO):
        self.stream = stream
        self.lock = threading.Lock()

    def notify(self, method: str, params: Any) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, request_id: str, method: str, params: Any) -> None:
        """A request whose response is not waited for (pygls reads it: server.py)."""
        self.send({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})

    def answer(self, request_id: Any, result: Any) -> None:
        self.send({"jsonrpc": "2.0", "id": request_id, "result": result})

    def send(self, message: dict[str, Any]) -> None:
        data = frame(message)
        with self.lock:
            self.stream.write(data)
            self.stream.flush()


class Replayed:
    """stdin for pygls: the bytes start.py already read, then the rest."""

    def __init__(self, first: bytes, stream: BinaryIO):
        self.first = io.BytesIO(first)
        self.stream = stream

    def readline(self) -> bytes:
        line = self.first.readline()
        return line if line.endswith(b"\n") else line + self.stream.readline()

    def read(self, n: int) -> bytes:
        data = self.first.read(n)
        return data if len(data) == n else data + self.stream.read(n - len(data))


class AnsweredOnce:
    """stdout for pygls when start.py has answered `initialize` itself.

    pygls handles that request again, replayed (it sets up pygls's own
    state: the workspace, the client's capabilities), and its answer is
    held back here so the client gets one. `differs(theirs)` is called when
    pygls's result is not the one sent: a capability start.py does not know of."""

    def __init__(self, stream: BinaryIO, request_id: Any, sent: Any, differs: Callable[[Any], None]):
        self.stream = stream
        self.request_id = request_id
        self.sent = sent
        self.differs = differs
        self.waiting = True

    def write(self, data: bytes) -> None:
        if self.waiting:
            try:
                message = json.loads(data[data.find(HEADER_END) + len(HEADER_END):])
            except ValueError:
                message = None
            if isinstance(message, dict) and "method" not in message and message.get("id") == self.request_id:
                self.waiting = False
                if message.get("result") != self.sent:
                    self.differs(message.get("result", message.get("error")))
                return
        self.stream.write(data)

    def flush(self) -> None:
        self.stream.flush()

    def close(self) -> None:
        self.stream.close()
