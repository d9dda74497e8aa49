"""Helix (Debian 13's, scripts/setup-helix) in a pseudo-terminal: open a
package.json, wait for napi-fix's NAPI001, go to it (`]d`), open the
code-action menu (`space a`), take its first entry, write every buffer and
quit (`:wqa`). Helix has no headless mode, so it is driven by keystrokes,
and what it does is read from its own log (`-v` logs every LSP message).

Env: HELIX (the hx to run), FIXTURE (the folder), EDITOR_LOG (where to
write what happened), HOME (holding .config/helix/languages.toml: the
snippet of docs/editors.md) and PATH (where `napi-fix` is). Exit 0 when
the quick fix was applied and saved; 3-7 name the step that failed.

With HELIX_FIX_KEYS set (docs/editors.md's save-and-fix key, bound in
.config/helix/config.toml), those keys are typed once NAPI001 is shown
instead, and Helix quits once package.json changed on disk (exit 8 when
it did not).
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import signal
import struct
import sys
import termios
import threading
import time
from pathlib import Path

STEP_SECONDS = 30.0
FROM_SERVER, TO_SERVER = " napi-fix <- ", " napi-fix -> "  # helix_lsp::transport's log lines


class Helix:
    def __init__(self, root: str, log: str):
        self.log = log
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: Helix, on the pseudo-terminal
            os.chdir(root)
            os.execvpe(os.environ["HELIX"], ["hx", "-v", "--log", log, "package.json"],
                       {**os.environ, "TERM": "xterm-256color"})
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        threading.Thread(target=self._drain, daemon=True).start()  # a terminal that is never read blocks Helix

    def _drain(self) -> None:
        while True:
            try:
                if select.select([self.fd], [], [], 0.1)[0] and not os.read(self.fd, 65536):
                    return
            except OSError:
                return

    def type(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def received(self, marker: str = FROM_SERVER) -> list[dict]:
        """Every message from the server (or to it) so far, as Helix logged it."""
        try:
            lines = open(self.log, encoding="utf-8", errors="replace").read().splitlines()
        except OSError:
            return []
        found = []
        for line in lines:
            if marker in line:
                try:
                    message = json.loads(line.split(marker, 1)[1])
                except ValueError:
                    continue
                if isinstance(message, dict) and "jsonrpc" in message:  # the wire's, not Helix's parsed copy
                    found.append(message)
        return found

    def wait_for(self, pick, marker: str = FROM_SERVER):
        deadline = time.monotonic() + STEP_SECONDS
        while time.monotonic() < deadline:
            got = pick(self.received(marker))
            if got is not None:
                return got
            time.sleep(0.05)
        return None

    def wait_exit(self) -> int | None:
        deadline = time.monotonic() + STEP_SECONDS
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status)
            time.sleep(0.05)
        os.kill(self.pid, signal.SIGKILL)
        return None


def main() -> int:
    root, log_path = os.environ["FIXTURE"], os.environ["EDITOR_LOG"]
    spec_uri = Path(root, "package.json").as_uri()
    with open(log_path, "w") as log:
        def say(*words) -> None:
            log.write(" ".join(map(str, words)) + "\n")
            log.flush()

        helix = Helix(root, log_path + ".helix")

        def napi001(messages):
            for m in messages:
                # The server publishes before Helix opens the file (~2 s after its start, with any
                # server); `]d` moves among the diagnostics of the open document, so wait for those:
                # the publish that answers the didOpen carries its version.
                if (m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == spec_uri
                        and m["params"].get("version") is not None):
                    for d in m["params"]["diagnostics"]:
                        if d.get("code") == "NAPI001":
                            return d
            return None

        found = helix.wait_for(napi001)
        if found is None:
            say("no NAPI001 diagnostic")
            helix.type("\x1b:qa!\r")
            return 3
        start = found["range"]["start"]
        say("diagnostic", start["line"], start["character"], found["message"])
        time.sleep(0.5)  # Helix shows it once its next frame is drawn
        if os.environ.get("HELIX_FIX_KEYS"):
            return fix_with_keys(helix, Path(root, "package.json"), os.environ["HELIX_FIX_KEYS"], say)
        helix.type("]d")  # goto_next_diag: the cursor is at the top, NAPI001 is the first
        time.sleep(0.3)
        asked = len(helix.received())
        helix.type(" a")  # code_action

        def offered(messages):
            for m in messages[asked:]:
                if isinstance(m.get("result"), list):
                    return m["result"]
            return None

        actions = helix.wait_for(offered)
        if not actions:
            say("no code actions")
            helix.type("\x1b:qa!\r")
            return 4
        for action in actions:
            say("offered", action["title"], action.get("kind"), action.get("isPreferred"))
        time.sleep(0.5)  # the menu is drawn
        helix.type("\r")  # its first entry

        def resolved(messages):
            for m in messages[asked:]:
                if isinstance(m.get("result"), dict) and "edit" in m["result"]:
                    return m["result"]
            return None

        chosen = helix.wait_for(resolved)
        if chosen is None or chosen.get("kind") != "quickfix":
            say("chosen", chosen and chosen.get("title"), chosen and chosen.get("kind"))
            helix.type("\x1b:qa!\r")
            return 5
        say("chosen", chosen["title"])
        edited = {change["textDocument"]["uri"] for change in chosen["edit"]["documentChanges"]}

        def applied(messages):
            changed = {m["params"]["textDocument"]["uri"] for m in messages
                       if m.get("method") == "textDocument/didChange"}
            return True if edited <= changed else None

        if helix.wait_for(applied, TO_SERVER) is None:
            say("the quick fix changed nothing")
            helix.type("\x1b:qa!\r")
            return 6
        helix.type(":wqa\r")  # write every buffer (the lockfile's too), quit
        code = helix.wait_exit()
        say("exit", code)
        return 0 if code == 0 else 7


def fix_with_keys(helix: Helix, spec: Path, keys: str, say) -> int:
    before = spec.read_bytes()
    helix.type(keys)
    deadline = time.monotonic() + STEP_SECONDS
    while spec.read_bytes() == before and time.monotonic() < deadline:
        time.sleep(0.05)
    changed = spec.read_bytes() != before
    say("changed on disk" if changed else "nothing changed on disk")
    time.sleep(0.5)  # :reload-all
    helix.type("\x1b")  # the shell command's output popup; apart from ':', or the two read as Alt-:
    time.sleep(0.3)
    helix.type(":qa!\r")
    code = helix.wait_exit()
    say("exit", code)
    return 0 if changed and code == 0 else 8


if __name__ == "__main__":
    sys.exit(main())
