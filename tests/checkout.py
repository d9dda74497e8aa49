"""Where things are in the checkout, for tests in any folder under tests/
(a test's own `Path(__file__)` depends on how deep it sits)."""

from pathlib import Path

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
EXAMPLES = ROOT / "examples"
LOCKS = TESTS / "data" / "locks"  # real locks npm, yarn and pnpm wrote (regenerate.py)
