"""One warm engine.Project per workspace folder, and which one a file belongs to.

A folder's Project is analyzed once and then only updated: `settle` hands
the files changed since (open buffers, files changed on disk) to
`Project.update`, which re-plans what they touch. A file outside every
workspace folder is served by a Project of its nearest package root,
made when the file is first seen. A folder that is a workspace member
(its lock is in a folder above) is served from that workspace root. Nested folders: the deepest one owns a
file, so each file's diagnostics come from exactly one Project.

Each folder is planned with the editor's settings under its own package.json
`"napi-fix"` key (codemod/settings.py); a change of either makes a new
Project (`reconfigure`, and `settle` when that package.json changed).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from codemod import settings as project_settings
from codemod.discover import LOCKFILES, PROJECT_MARKERS, project_root, workspace_lock_above
from codemod.engine import Project
from codemod.lsp.prefetch import Prefetches
from codemod.lsp.settings import Settings
from codemod.manifests.jsonreparse import Parses
from codemod.parallel import Workers
from codemod.results import Report
from codemod.sources.base import Sources, normal, within


@dataclass(eq=False)
class Served:
    """A Project, its latest report and what has changed since."""

    folder: str
    project: Project
    settings: project_settings.Settings = project_settings.Settings()  # the folder's package.json "napi-fix"
    ad_hoc: bool = False  # made for a file outside every workspace folder
    report: Report | None = None
    versions: dict[str, int] = field(default_factory=dict)  # open buffers' versions the report was planned on
    pending: set[str] = field(default_factory=set)
    generation: int = 0  # bumped by every new report: the pull diagnostics' result id
    ahead: Prefetches = field(default_factory=Prefetches)  # edited C/C++ buffers scanned during the debounce

    def contains(self, path: str) -> bool:
        return within(path, self.folder)


class Projects:
    """`on_bad(message)`: hears of a package.json whose settings are wrong
    (the folder is then served with the editor's settings alone); `parses`:
    the session's memo of large lockfiles' last parses, which every Project plans through."""

    def __init__(self, sources: Sources, editor: Settings, workers: Workers, on_bad=lambda message: None,
                 parses: Parses | None = None):
        self.sources = sources
        self.editor = editor
        self.workers = workers
        self.on_bad = on_bad
        self.parses = parses
        self.served: dict[str, Served] = {}

    def add_folder(self, folder: str) -> Served:
        folder = self._lock_root(normal(folder))
        if folder not in self.served or self.served[folder].ad_hoc:
            found = self._read_settings(folder)
            project = Project(self.sources, [folder], self.editor.analysis(found), self.parses)
            self.served[folder] = Served(folder, project, found)
        return self.served[folder]

    def reconfigure(self, editor: Settings) -> list[Served]:
        """New editor settings: every folder is planned anew."""
        self.editor = editor
        for served in self.served.values():
            self._renew(served, self._read_settings(served.folder))
        return list(self.served.values())

    def _renew(self, served: Served, found: project_settings.Settings) -> None:
        served.ahead.drop()
        served.ahead = Prefetches()  # a new Project: timed afresh, as it is analysed afresh
        served.settings = found
        served.project = Project(self.sources, [served.folder], self.editor.analysis(found), self.parses)
        served.report = None
        served.pending.clear()

    def _read_settings(self, folder: str) -> project_settings.Settings:
        try:
            return project_settings.read(self.sources, folder)
        except project_settings.BadSettings as exc:
            self.on_bad(f"napi-fix: {exc}; serving {folder} without them")
            return project_settings.Settings()

    def remove_folder(self, folder: str) -> None:
        self.served.pop(self._lock_root(normal(folder)), None)

    def owner(self, path: str) -> Served | None:
        """The deepest Project whose folder holds `path`."""
        holders = self.holding(path)
        return max(holders, key=lambda s: len(s.folder)) if holders else None

    def owner_or_new(self, path: str) -> Served:
        served = self.owner(path)
        if served is None:
            folder = project_root(self.sources, path)
            marked = any(self.sources.exists(os.path.join(folder, m)) for m in PROJECT_MARKERS)
            # No package, build or checkout above it (a stray header in ~):
            # the file alone, not a walk of its whole folder.
            served = self.add_folder(folder if marked else path)
            served.ad_hoc = True
        return served

    def _lock_root(self, folder: str) -> str:
        """A workspace member without a lock of its own is served from the
        workspace root whose lock it shares: pinning the member alone would
        leave that lock out of sync."""
        if any(self.sources.is_file(os.path.join(folder, lock)) for lock in LOCKFILES):
            return folder
        lock = workspace_lock_above(self.sources, folder)
        return os.path.dirname(os.path.abspath(lock)) if lock else folder

    def holding(self, path: str) -> list[Served]:
        """Every Project whose folder holds `path` (a lockfile of nested folders)."""
        return [s for s in self.served.values() if s.contains(path)]

    def touch(self, path: str) -> list[Served]:
        """Note that `path` changed; the Projects that must re-plan."""
        touched = self.holding(path)
        for served in touched:
            served.pending.add(path)
        return touched

    def analyze(self, served: Served, versions: dict[str, int]) -> Report:
        served.pending.clear()
        served.ahead.drop()  # the whole folder is scanned again
        return self._reported(served, served.project.analyze(self.workers), versions)

    def settle(self, served: Served, versions: dict[str, int]) -> Report:
        """The report with every pending change planned in."""
        if any(os.path.basename(p) == "package.json" for p in served.pending):
            found = self._read_settings(served.folder)  # its "napi-fix" key may be what changed
            if found != served.settings:
                self._renew(served, found)
        if served.report is None:
            return self.analyze(served, versions)
        if not served.pending:
            served.versions = self._inside(served, versions)  # every open buffer is planned in
            return served.report
        changed = sorted(served.pending)
        served.pending.clear()
        report = served.project.update(changed, self.workers, served.ahead.scan)
        served.ahead.drop()  # every change is planned in: a scan not taken is of bytes no longer there
        return self._reported(served, report, versions)

    def _reported(self, served: Served, report: Report, versions: dict[str, int]) -> Report:
        served.report = report
        served.versions = self._inside(served, versions)
        served.generation += 1
        return report

    @staticmethod
    def _inside(served: Served, versions: dict[str, int]) -> dict[str, int]:
        return {p: v for p, v in versions.items() if served.contains(p)}
