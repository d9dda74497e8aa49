"""What one run is asked to do: options -> Config, with nothing else attached."""

from __future__ import annotations

from dataclasses import dataclass

STRATEGIES = ("pin", "finalize", "both")
FORMATS = ("text", "json")
PIN_MODES = ("upgrade", "rollback")


@dataclass(frozen=True)
class Config:
    paths: tuple[str, ...] = (".",)
    strategy: str = "pin"
    dry_run: bool = False
    output: str = "text"
    color: bool = False
    pin_mode: str = "upgrade"
    patch_vendored: bool = False
    jobs: int = 1  # worker processes for per-file analysis (the CLI defaults to every core)

    @property
    def finalize(self) -> bool:
        return self.strategy in ("finalize", "both")

    @property
    def pin(self) -> bool:
        return self.strategy in ("pin", "both")
