"""What the editor may set: in `initializationOptions`, and at any time in
the `napi-fix` section of its configuration (workspace/didChangeConfiguration
brings it, or workspace/configuration is asked for it).

    {"strategy": "pin" | "finalize" | "both",   # what source.fixAll applies (default pin)
     "pin": "upgrade" | "rollback",            # as the CLI's --pin
     "patchVendored": false,                   # as the CLI's --patch-vendored
     "finalizeHints": true}                    # NAPI004 hints even when fix-all only pins

A project's own settings (the `"napi-fix"` key of its package.json,
codemod/settings.py, the same the CLI and batch read) win over the editor's
strategy and pin mode, as a project's configuration wins over a user's:
everyone on the project gets the same fix. Its `ignore` and `exclude`
apply to every diagnostic and fix.

Diagnostics come from a run with both strategies (unless the hints are
turned off and only the pin is wanted), so a pin user still sees where a
Finalize override is missing; only the fix-all action follows the
strategy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from codemod import settings as project_settings
from codemod.options import DEFAULT_PIN_MODE, DEFAULT_STRATEGY, PIN_MODES, STRATEGIES, Options

KEYS = ("strategy", "pin", "patchVendored", "finalizeHints")
SECTION = "napi-fix"  # the configuration section workspace/configuration asks for


@dataclass(frozen=True)
class Settings:
    strategy: str = DEFAULT_STRATEGY
    pin_mode: str = DEFAULT_PIN_MODE
    patch_vendored: bool = False
    finalize_hints: bool = True

    def analysis(self, project: project_settings.Settings = project_settings.Settings()) -> Options:
        """The options every diagnostic and quick fix is planned with."""
        fix = self.fix_all(project)
        strategy = "pin" if fix.strategy == "pin" and not self.finalize_hints else "both"
        return Options(strategy, fix.pin_mode, fix.patch_vendored, fix.ignore, fix.exclude)

    def fix_all(self, project: project_settings.Settings = project_settings.Settings()) -> Options:
        return Options(project.strategy or self.strategy, project.pin_mode or self.pin_mode, self.patch_vendored,
                       project.ignore, project.exclude)


class BadSettings(ValueError):
    pass


def from_initialization_options(raw: Any) -> Settings:
    """Settings from the client's initializationOptions; BadSettings names the
    offending key (the server then logs it and keeps the defaults)."""
    return from_editor(raw, "initializationOptions")


def from_editor(raw: Any, where: str = "the napi-fix settings", base: Settings = Settings()) -> Settings:
    """Settings from an object of KEYS; absent ones keep `base`'s values."""
    if raw is None:
        return base
    if not isinstance(raw, dict):
        raise BadSettings(f"{where} must be an object, not {type(raw).__name__}")
    unknown = sorted(set(raw) - set(KEYS))
    if unknown:
        raise BadSettings(f"unknown {where} key(s): {', '.join(unknown)}")
    strategy = raw.get("strategy", base.strategy)
    pin_mode = raw.get("pin", base.pin_mode)
    if strategy not in STRATEGIES:
        raise BadSettings(f"strategy {strategy!r} is not one of {', '.join(STRATEGIES)}")
    if pin_mode not in PIN_MODES:
        raise BadSettings(f"pin {pin_mode!r} is not one of {', '.join(PIN_MODES)}")
    flags = {key: raw.get(key, default)
             for key, default in (("patchVendored", base.patch_vendored), ("finalizeHints", base.finalize_hints))}
    for key, value in flags.items():
        if not isinstance(value, bool):
            raise BadSettings(f"{key} must be true or false, not {value!r}")
    return Settings(strategy, pin_mode, flags["patchVendored"], flags["finalizeHints"])


def section_of(changed: Any) -> Any:
    """The napi-fix section of a didChangeConfiguration's `settings`: VS Code
    sends every section by name; some clients send the section alone. None:
    the notification does not say (the server asks, when the client can)."""
    if isinstance(changed, dict) and isinstance(changed.get(SECTION), dict):
        return changed[SECTION]
    if isinstance(changed, dict) and changed and set(changed) <= set(KEYS):
        return changed
    return None
