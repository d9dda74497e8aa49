"""What analysis and planning are asked to do. Output settings (format,
color, dry run) belong to each front-end, not here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from codemod.settings import Exclusions

STRATEGIES = ("pin", "finalize", "both")
PINNING, FINALIZING = ("pin", "both"), ("finalize", "both")  # the strategies that pin, that insert overrides
PIN_MODES = ("upgrade", "rollback")
# What a run does when neither a flag nor the settings say (every front-end).
DEFAULT_STRATEGY, DEFAULT_PIN_MODE = "pin", "upgrade"


@dataclass(frozen=True)
class Options:
    strategy: str = DEFAULT_STRATEGY
    pin_mode: str = DEFAULT_PIN_MODE  # or "rollback": exactly 8.1.0
    patch_vendored: bool = False  # apply upstream's fix to leaky vendored copies instead of repointing
    ignore: frozenset[str] = frozenset()  # rules whose findings are suppressed (codemod/settings.py)
    exclude: Exclusions | None = None  # files discovery never takes (codemod/settings.py)

    def __post_init__(self) -> None:
        if self.strategy not in STRATEGIES:
            raise ValueError(f"strategy {self.strategy!r} is not one of {', '.join(STRATEGIES)}")
        if self.pin_mode not in PIN_MODES:
            raise ValueError(f"pin mode {self.pin_mode!r} is not one of {', '.join(PIN_MODES)}")

    @property
    def finalize(self) -> bool:
        return self.strategy in FINALIZING

    @property
    def pin(self) -> bool:
        return self.strategy in PINNING
