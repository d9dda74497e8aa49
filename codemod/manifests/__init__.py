"""package.json, lockfiles and binding.gyp: read versions, plan pins.

The pin planner is the actual fix for the 8.2.0/8.2.1 leak; until it lands,
`plan_pins` plans nothing and says so.
"""

from __future__ import annotations

from codemod.discover import Discovered
from codemod.results import FileResult

NOT_YET = "pin: no pin changes are planned (the version-pin planner is not implemented yet)"


def plan_pins(found: Discovered) -> tuple[list[FileResult], list[str]]:
    return [], [NOT_YET]
