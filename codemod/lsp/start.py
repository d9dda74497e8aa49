"""`napi-fix lsp`: from the process's start until pygls runs.

An editor judges a server by its first diagnostics, and importing pygls
and lsprotocol takes ~0.3 s (lsprotocol builds ~560 attrs classes): more
than analyzing a small package. So the server reads `initialize` itself
(wire.py), answers with the capabilities pygls would announce
(capabilities.py), analyzes the workspace and publishes the first
diagnostics, all before those imports. pygls then handles the same request
again, replayed, which sets up its own state; its answer is held back
(wire.AnsweredOnce). Every later message is pygls's to read.

A first message that is not an `initialize` request pygls would read, or a
failure while reading it, leaves everything to pygls: the message is
replayed and nothing was answered.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from codemod.lsp.capabilities import initialize_result
from codemod.lsp.session import ERROR, Session
from codemod.lsp.wire import AnsweredOnce, Outbox, Replayed, read_message


def serve() -> int:
    """The server, once the command line (`napi-fix lsp [--stdio]`) is read."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    session = Session(Outbox(stdout))
    # Fork the engine's workers now, while this process has one thread. pygls
    # reads stdin on a thread that blocks holding the stream's lock, and a
    # worker forked later hangs for ever when multiprocessing closes its copy
    # of stdin (seen on a workspace large enough for the pool: duckdb's 4,356
    # C/C++ files).
    session.workers.start()
    first, message = read_message(stdin)
    try:
        sent = answer_early(session, message)
    except BrokenPipeError:  # the editor went away before the answer: as pygls does then, stop quietly
        session.shutdown()
        return 0

    from codemod.codecache import install  # before lsprotocol: it halves that import

    code_cache = install()
    from codemod.lsp.server import build, run_pygls

    server = build(session, code_cache)
    if sent is not None:
        def differs(theirs: Any) -> None:  # pygls would have answered otherwise: a capability unknown here
            session.log(f"napi-fix: internal error: start.py answered initialize with {sent}, "
                        f"but pygls would have answered {theirs}", ERROR)

        stdout = AnsweredOnce(stdout, message["id"], sent, differs)
    run_pygls(server, Replayed(first, stdin), stdout, code_cache)
    return 0


def answer_early(session: Session, message: dict[str, Any] | None) -> Any:
    """Answer `message` when it is the `initialize` request, and publish the
    first diagnostics; the result sent (as its JSON reads back), else None."""
    if not (isinstance(message, dict) and message.get("jsonrpc") == "2.0" and message.get("method") == "initialize"
            and "id" in message and isinstance(message.get("params"), dict)):
        return None
    params = message["params"]
    try:
        session.initialize(params)
        capabilities = params.get("capabilities")
        result = initialize_result(capabilities if isinstance(capabilities, dict) else {}, session.client)
    except Exception:
        session.log_exception("reading initialize (pygls answers it instead)")
        return None
    session.out.answer(message["id"], result)
    session.initialized_early = True
    try:
        session.initialized()
    except Exception:  # pygls's `initialized` tries again
        session.log_exception("analyzing the workspace")
    return json.loads(json.dumps(result))
