"""The installed console script: checks that `codemod` is napi-fix's own
(codemod/ownership.py) before importing anything else of it, then hands over
to the command line. A stand-in `codemod/__init__.py` from another
distribution would otherwise break the CLI's imports with a traceback."""

from __future__ import annotations

import sys


def run() -> None:
    from codemod.cli_options import wants_json
    from codemod.ownership import foreign_codemod

    problem = foreign_codemod()
    if problem is not None:
        sys.stderr.write(f"napi-fix: {problem}\n")
        if wants_json(sys.argv[1:]):
            import json

            sys.stdout.write(json.dumps({"tool": "napi-fix", "error": problem}, indent=2) + "\n")
        sys.exit(2)
    from codemod.cli import run as cli_run

    cli_run()

