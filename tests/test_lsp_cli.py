"""`napi-fix lsp` is a subcommand of the one CLI; the plain CLI never imports
the language server's libraries (its start-up time stays as it was)."""

from __future__ import annotations

import subprocess
import sys

from lsp_harness import EXAMPLES


def test_the_plain_cli_does_not_import_pygls(tmp_path):
    probe = ("import sys; from codemod.cli import main; code = main(['--dry-run', sys.argv[1]]); "
             "print(code, sorted(m for m in sys.modules if m.split('.')[0] in ('pygls', 'lsprotocol', 'cattrs')))")
    done = subprocess.run([sys.executable, "-c", probe, str(EXAMPLES / "leaky-addon")], capture_output=True,
                          text=True, timeout=120)
    assert done.stdout.splitlines()[-1] == "1 []"


def test_lsp_usage():
    for args, code in ((["lsp", "--help"], 0), (["lsp", "--port", "1"], 2)):
        done = subprocess.run([sys.executable, "-m", "codemod", *args], capture_output=True, text=True, timeout=60)
        assert done.returncode == code
        assert done.stderr.startswith("usage: napi-fix lsp")
