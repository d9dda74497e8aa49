import sys
from pathlib import Path

import pytest_asyncio

sys.path.insert(0, str(Path(__file__).parent))

pytest_plugins = ["batch_repos"]  # the batch tests' fixture repositories

from lsp_harness import start_editor, stop_editor  # noqa: E402


@pytest_asyncio.fixture
async def editors():
    """start(name, folders, options=None, caps=None) -> Editor; every editor is shut down after the test."""
    started = []

    async def start(name, folders, options=None, caps=None):
        editor = await start_editor(name, folders, options, caps)
        started.append(editor)
        return editor

    yield start
    for editor in started:
        await stop_editor(editor)
