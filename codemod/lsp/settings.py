"""What the editor may ask for in `initializationOptions`.

    {"strategy": "pin" | "finalize" | "both",   # what source.fixAll applies (default pin)
     "pin": "upgrade" | "rollback",            # as the CLI's --pin
     "patchVendored": false,                   # as the CLI's --patch-vendored
     "finalizeHints": true}                    # NAPI004 hints even when fix-all only pins

No configuration file is read. Diagnostics always come from a run with both
strategies (unless the hints are turned off and only the pin is wanted), so
a pin user still sees where a Finalize override is missing; only the
fix-all action follows the configured strategy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from codemod.options import PIN_MODES, STRATEGIES, Options


@dataclass(frozen=True)
class Settings:
    strategy: str = "pin"
    pin_mode: str = "upgrade"
    patch_vendored: bool = False
    finalize_hints: bool = True

    @property
    def analysis(self) -> Options:
        """The options every diagnostic and quick fix is planned with."""
        strategy = "pin" if self.strategy == "pin" and not self.finalize_hints else "both"
        return Options(strategy, self.pin_mode, self.patch_vendored)

    @property
    def fix_all(self) -> Options:
        return Options(self.strategy, self.pin_mode, self.patch_vendored)


class BadSettings(ValueError):
    pass


def from_initialization_options(raw: Any) -> Settings:
    """Settings from the client's initializationOptions; BadSettings names the
    offending key (the server then logs it and keeps the defaults)."""
    if raw is None:
        return Settings()
    if not isinstance(raw, dict):
        raise BadSettings(f"initializationOptions must be an object, not {type(raw).__name__}")
    unknown = sorted(set(raw) - {"strategy", "pin", "patchVendored", "finalizeHints"})
    if unknown:
        raise BadSettings(f"unknown initializationOptions key(s): {', '.join(unknown)}")
    strategy = raw.get("strategy", "pin")
    pin_mode = raw.get("pin", "upgrade")
    if strategy not in STRATEGIES:
        raise BadSettings(f"strategy {strategy!r} is not one of {', '.join(STRATEGIES)}")
    if pin_mode not in PIN_MODES:
        raise BadSettings(f"pin {pin_mode!r} is not one of {', '.join(PIN_MODES)}")
    flags = {key: raw.get(key, default) for key, default in (("patchVendored", False), ("finalizeHints", True))}
    for key, value in flags.items():
        if not isinstance(value, bool):
            raise BadSettings(f"{key} must be true or false, not {value!r}")
    return Settings(strategy, pin_mode, flags["patchVendored"], flags["finalizeHints"])
