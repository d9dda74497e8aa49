import sys
from pathlib import Path

import pytest_asyncio
from hypothesis import settings

sys.path.insert(0, str(Path(__file__).parent))

# Property tests draw the same examples on every run, so CI never fails on a
# draw no one can reproduce: `pytest --hypothesis-profile explore` draws new
# ones (and `--hypothesis-seed N` replays a run). What exploring finds is kept
# as an @example in the test.
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile("repeatable")

pytest_plugins = ["batch_repos"]  # the batch tests' fixture repositories

from lsp_harness import start_editor, stop_editor  # noqa: E402


@pytest_asyncio.fixture
async def editors():
    """start(name, folders, options=None, caps=None) -> Editor; every editor is shut down after the test."""
    started = []

    async def start(name, folders, options=None, caps=None, **more):
        editor = await start_editor(name, folders, options, caps, **more)
        started.append(editor)
        return editor

    yield start
    for editor in started:
        await stop_editor(editor)
