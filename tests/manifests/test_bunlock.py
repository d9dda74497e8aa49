"""bun.lock and bun.lockb, which napi-fix never edits (codemod/manifests/bunlock.py),
as a table: when the root is refused, and the whole sentence and command it
gets. bun itself runs the command given in tests/manifests/test_pin_yarn_pnpm.py."""

from __future__ import annotations

import pytest

from codemod.manifests import bunlock
from codemod.manifests.lockplan import LockSource, Pins
from test_lock_formats import BUN_LOCK
from test_locks import BUN_LOCKB

RUN = ("{name}: napi-fix does not edit bun's lockfiles; nothing planned for this package. Run "
       "`bun update node-addon-api` in this lockfile's folder (for a copy only a dependency asks for: add "
       '"overrides": {{"node-addon-api": "^8.2.2"}} to package.json, then `bun install`)')
BINARY = (" (or `bun install --save-text-lockfile` first: a text bun.lock that resolves no leaky release is "
          "left alone)")
SAFE_TEXT = BUN_LOCK.replace("8.2.1", "8.2.3").encode()

# (lockfile name, its bytes, why it could not be read, does anything else in the root move, refused)
ROWS = [
    pytest.param("bun.lock", BUN_LOCK.encode(), None, False, True, id="text-resolves-8.2.1"),
    pytest.param("bun.lock", SAFE_TEXT, None, False, False, id="text-safe-nothing-moves"),
    pytest.param("bun.lock", SAFE_TEXT, None, True, True, id="text-safe-but-package-json-moves"),
    pytest.param("bun.lock", None, "permission denied", False, True, id="text-unreadable"),
    pytest.param("bun.lockb", BUN_LOCKB, None, False, True, id="binary-names-node-addon-api"),
    pytest.param("bun.lockb", b"bun-lockfile-format-v0\n\0left-pad", None, False, False, id="binary-without-it"),
    pytest.param("bun.lockb", b"bun-lockfile-format-v0\n\0left-pad", None, True, True, id="binary-and-a-move"),
]


@pytest.mark.parametrize("name, data, problem, moving, refused", ROWS)
def test_a_bun_lock_refuses_the_root_when_it_may_matter(name, data, problem, moving, refused):
    path = f"/app/{name}"
    got = bunlock.plan(LockSource(path, data, problem), Pins("/app", "upgrade", moving=moving))
    assert got.findings == () and got.overrides == ()
    reason = RUN.format(name=name) + ("" if name == "bun.lock" else BINARY)
    assert [(r.path, r.line, r.subject, r.reason, r.command, r.span) for r in got.refusals] == \
        ([(path, 1, name, reason, "bun update node-addon-api", None)] if refused else [])
