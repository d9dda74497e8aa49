"""Paths (files or directories) -> the files napi-fix looks at, through Sources.

Honours .gitignore files (those in the walked tree and those above it up to
the enclosing git checkout), skips .git/, node_modules/, build/ and
node-addon-api's own headers wherever they sit (a vendored copy included).
A file named explicitly is taken even when ignored.

Every path is spelled one way: `entry_path` makes a PATH argument absolute
(`.`, no PATH, `$PWD`, `../name` and an absolute path name the same files,
so they plan the same), and the walk joins names without a leading `./`
(a copy found by the walk and the same copy named by a build file are one
folder, planned once). Symbolic links are never followed or edited: the walk steps over them, and
a link named explicitly is refused. A manifest named explicitly brings the
other manifests of its folder (the lock follows its package.json); one
whose lock lives in a workspace root above it is refused, since pinning it
alone would leave that lock out of sync.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from codemod.gitignore import Rules
from codemod.manifests.locks import NAMES as LOCK_NAMES
from codemod.rules import unreadable
from codemod.sources.base import DIR, FILE, LINK, Sources, Unreadable, within

CPP_SUFFIXES = frozenset(
    (".h", ".hh", ".hpp", ".hxx", ".h++", ".c", ".cc", ".cpp", ".cxx", ".c++", ".ipp", ".inl", ".tpp")
)
SKIP_DIRS = frozenset((".git", "node_modules", "build"))
BUILD_FILES = frozenset(("binding.gyp", "CMakeLists.txt", "BUILD", "BUILD.bazel", "build.zig", "meson.build"))
LOCKFILES = LOCK_NAMES  # every lockfile format's name (manifests/locks.py, the one table)
ROOT_MARKERS = LOCKFILES + ("pnpm-workspace.yaml",)  # what makes a folder a package root (roots.py)
PACKAGE_FILES = frozenset(("package.json",) + ROOT_MARKERS)
# node-addon-api's own headers: never ours to edit, wherever a copy sits.
NAPI_OWN_HEADERS = frozenset(("napi.h", "napi-inl.h", "napi-inl.deprecated.h"))
PROJECT_MARKERS = ("package.json", "binding.gyp", "CMakeLists.txt", ".git")


@dataclass(frozen=True)
class Discovered:
    cpp_files: tuple[str, ...] = ()
    build_files: tuple[str, ...] = ()
    package_files: tuple[str, ...] = ()
    napi_copies: tuple[str, ...] = ()  # folders holding a copy of node-addon-api's headers
    missing: tuple[tuple[str, str], ...] = ()  # (PATH argument, why it cannot be reached)
    problems: tuple[tuple[str, str], ...] = ()  # (path, reason): refused or unreadable
    brought: tuple[str, ...] = field(default=())  # manifests added beside an explicitly named one


def is_cpp(path: str) -> bool:
    return os.path.splitext(path)[1].lower() in CPP_SUFFIXES


def is_wanted(name: str) -> bool:
    """Whether the walk takes a file of this name (when no rule ignores it)."""
    return name in BUILD_FILES or name in PACKAGE_FILES or name == "napi-inl.h" or is_cpp(name)


def is_napi_own_header(sources: Sources, path: str) -> bool:
    name = os.path.basename(path)
    return name in NAPI_OWN_HEADERS and sources.is_file(os.path.join(os.path.dirname(path), "napi-inl.h"))


def entry_path(raw: str) -> str:
    """A PATH argument as the engine sees it: absolute, normalized, with the
    folders above it resolved (a working directory reached through a link is
    the same folder), the last component kept as given (a link named
    explicitly is still refused as one)."""
    absolute = os.path.abspath(raw)
    parent, name = os.path.split(absolute)
    return os.path.join(os.path.realpath(parent), name) if name else absolute


def child(folder: str, name: str) -> str:
    """`name` inside `folder`, spelled as discover spells every path: the
    walk of `.` yields `src/a.cc`, never `./src/a.cc`. (os.path.join's
    result for a listed name, which is never absolute, without its cost:
    the walk spells every entry it takes or enters.)"""
    if folder in (".", ""):
        return name
    return folder + name if folder.endswith(os.sep) else folder + os.sep + name


def discover(sources: Sources, paths: list[str], on_cpp=None, exclude=None, on_package=None,
             on_subtree=None) -> Discovered:
    """`on_cpp(path)`, when given, hears of each C/C++ file as the walk finds
    it, so the caller can start reading them before the walk is over;
    `on_package(path)` of each package file (package.json, a lockfile) the
    walk takes, so it can start its workers early; `on_subtree(folder, so_far)`
    of each subfolder of a walked folder whose whole tree has been walked, with
    the build and package files and copies found so far (a Discovered).
    `exclude` (settings.Exclusions): what the walk never takes, whatever a
    .gitignore says; like an ignored file, one named explicitly is taken."""
    found = _Found(sources, on_cpp, exclude, on_package, on_subtree)
    for raw in paths:
        path = os.path.normpath(raw)
        kind = sources.kind(path, follow=False)
        if kind is None:
            found.missing.append((raw, sources.why_missing(path)))
        elif kind == LINK:
            found.problems.append((path, "refused: a symbolic link (napi-fix never edits through links; "
                                         "name the file it points to)"))
        elif kind == FILE:
            found.explicit_file(path)
        elif kind == DIR:
            found.walk(path)
        else:
            found.problems.append((path, "refused: not a regular file or directory"))
    return found.result()


class _Found:
    def __init__(self, sources: Sources, on_cpp=None, exclude=None, on_package=None, on_subtree=None):
        self.sources = sources
        self.on_cpp = on_cpp
        self.on_package = on_package
        self.on_subtree = on_subtree
        self.excluded = exclude.matches if exclude is not None else lambda path, is_dir: False
        self.cpp: list[str] = []
        self.cpp_seen: set[str] = set()
        self.build: list[str] = []
        self.package: list[str] = []
        self.copies: list[str] = []
        self.missing: list[tuple[str, str]] = []
        self.problems: list[tuple[str, str]] = []
        self.brought: list[str] = []
        self.refused_members: set[str] = set()
        # .gitignore rules by content, compiled once per walk: a monorepo's
        # packages and vendored copies often carry the same file, and turning
        # its patterns into regexes is most of what reading one costs.
        self.specs: dict[bytes, Rules] = {}
        self.workspaces = Workspaces()

    def result(self) -> Discovered:
        self._refuse_lone_members()
        return Discovered(
            cpp_files=tuple(dict.fromkeys(self.cpp)),
            build_files=tuple(dict.fromkeys(self.build)),
            package_files=tuple(dict.fromkeys(self.package)),
            napi_copies=tuple(dict.fromkeys(self.copies)),
            missing=tuple(self.missing),
            problems=tuple(dict.fromkeys(self.problems)),
            brought=tuple(dict.fromkeys(self.brought)),
        )

    def explicit_file(self, path: str) -> None:
        name = os.path.basename(path)
        if is_cpp(path) and not is_napi_own_header(self.sources, path):
            self._cpp(path)
        elif name in BUILD_FILES:
            self.build.append(path)
        elif name in PACKAGE_FILES:
            self.package.append(path)
            self._bring_siblings(path)

    def _refuse_lone_members(self) -> None:
        """A workspace member found without the lock of its workspace root
        (the run was given the member's folder): pinning it alone would leave
        that lock out of sync, so it is refused with the folder to run on."""
        have = set(self.package)
        lock_folders = {os.path.dirname(p) for p in have if os.path.basename(p) in LOCKFILES}
        taken = None  # the package files as workspace_lock_above spells a lock, once a member needs them
        for path in list(self.package):
            folder = os.path.dirname(path)
            if os.path.basename(path) != "package.json" or path in self.refused_members:
                continue
            if any(within(folder, f) for f in lock_folders):
                continue
            outer = workspace_lock_above(self.sources, folder, self.problems, self.workspaces)
            if outer is None:
                continue
            if taken is None:
                taken = {os.path.normpath(os.path.relpath(p)) for p in have}
            if os.path.normpath(outer) not in taken:
                self._refuse_member(path, outer)

    def _refuse_member(self, path: str, outer: str) -> None:
        self.refused_members.add(path)
        self.problems.append((path, f"refused: a workspace member whose lock is {outer}; pinning it alone would "
                                    f"leave that lock out of sync: run napi-fix on {os.path.dirname(outer) or '.'}"))

    def _bring_siblings(self, path: str) -> None:
        folder = os.path.dirname(path)
        for name in ("package.json", "pnpm-workspace.yaml") + LOCKFILES:
            sibling = os.path.join(folder, name)
            if sibling != path and self.sources.kind(sibling, follow=False) == FILE:
                self.package.append(sibling)
                self.brought.append(sibling)
        if not any(self.sources.is_file(os.path.join(folder, lock)) for lock in LOCKFILES):
            outer = workspace_lock_above(self.sources, folder, self.problems, self.workspaces)
            if outer is not None:
                self._refuse_member(os.path.join(folder, "package.json"), outer)

    def walk(self, top: str) -> None:
        specs = _ancestor_specs(self.sources, top, self.specs)
        if self._inside_skipped(top, specs):
            # Git never looks inside an ignored folder, whatever the rules
            # below it say: nothing in `top` is taken (its listing still
            # reports a folder that cannot be read, as for any walk).
            try:
                self.sources.list_dir(top)
            except Unreadable as exc:
                self.problems.append((top, exc.reason))
            return
        # Each folder also spelled absolute: the rules see paths relative to
        # their own folder, cut from it without an abspath per entry.
        stack = [(top, os.path.abspath(top), specs)]
        walking = None  # the subfolder of `top` being walked: depth first, it is done when the next one starts
        while stack:
            folder, absolute, specs = stack.pop()
            if self.on_subtree is not None and folder != top and (os.path.dirname(folder) or ".") == top:
                if walking is not None:
                    self._subtree_done(walking)
                walking = folder
            try:
                entries = self.sources.list_dir(folder)
            except Unreadable as exc:
                self.problems.append((folder, exc.reason))
                continue
            # The listing says whether there is a .gitignore: no stat per folder.
            local = _load_spec(self.sources, folder, self.specs) if any(e.name == ".gitignore" for e in entries) \
                else None
            if local is not None:
                specs = specs + ((absolute, local),)
            inside = _prefix(absolute)
            subdirs = []
            for entry in entries:
                if entry.kind == LINK:
                    continue  # never follow links out of the given tree
                # A file napi-fix would not take anyway is never matched
                # against the .gitignore rules: most files of a checkout
                # are neither C/C++ nor build or package files.
                if entry.kind == DIR:
                    if entry.name not in SKIP_DIRS and not self._skipped(inside + entry.name, True, specs):
                        subdirs.append((child(folder, entry.name), inside + entry.name))
                elif is_wanted(entry.name) and not self._skipped(inside + entry.name, False, specs):
                    self._take(entry.name, child(folder, entry.name))
            stack.extend((path, at, specs) for path, at in reversed(subdirs))

    def _subtree_done(self, folder: str) -> None:
        self.on_subtree(folder, Discovered(build_files=tuple(self.build), package_files=tuple(self.package),
                                           napi_copies=tuple(self.copies)))

    def _skipped(self, absolute: str, is_dir: bool, specs) -> bool:
        return _ignored(absolute, is_dir, specs) or self.excluded(absolute, is_dir)

    def _inside_skipped(self, top: str, specs) -> bool:
        """Whether `top` or a folder above it is ignored by the .gitignore
        files above `top` or excluded by the settings: the walk below `top`
        never asks about those folders, and what is inside an ignored
        folder stays ignored."""
        absolute = os.path.abspath(top)
        folders = [absolute]
        while os.path.dirname(folders[-1]) != folders[-1]:
            folders.append(os.path.dirname(folders[-1]))
        for folder in reversed(folders[:-1]):  # outermost first; the file system's root is never ignored
            above = tuple((base, spec) for base, spec in specs if folder.startswith(_prefix(base)))
            if self._skipped(folder, True, above):
                return True
        return False

    def _take(self, name: str, path: str) -> None:
        # A FIFO or device under a wanted name is kept: the guarded read
        # refuses it and names what it is, without ever blocking on it.
        if name in BUILD_FILES:
            self.build.append(path)
        elif name in PACKAGE_FILES:
            self.package.append(path)
            if self.on_package is not None:
                self.on_package(path)
        elif name == "napi-inl.h":
            self.copies.append(os.path.dirname(path))
        elif not is_napi_own_header(self.sources, path):
            self._cpp(path)

    def _cpp(self, path: str) -> None:
        if path not in self.cpp_seen:
            self.cpp_seen.add(path)
            self.cpp.append(path)
            if self.on_cpp is not None:
                self.on_cpp(path)


class Workspaces:
    """What workspace_lock_above learns, kept for one walk: each folder's
    member globs read once, each list of globs compiled once, each root's
    lock and each folder's `.git` looked for once (a monorepo's members all
    look up the same roots)."""

    def __init__(self):
        self.patterns: dict[str, list[str]] = {}
        self.rules: dict[tuple[str, ...], Rules] = {}
        self.locks: dict[str, str | None] = {}
        self.checkouts: dict[str, bool] = {}


def workspace_lock_above(sources: Sources, folder: str, problems: list | None = None,
                         memo: Workspaces | None = None) -> str | None:
    """The lockfile of the workspace root above `folder` whose workspaces
    (package.json `workspaces`, pnpm-workspace.yaml `packages`) include it;
    None when no such root stands between it and the checkout's root. A
    workspace manifest nested too deeply to read is added to `problems` and
    taken to include `folder` (pinning it alone could leave that lock behind).
    The member globs are gitignore-style patterns: a folder is a member when
    it, or a folder above it, matches."""
    memo = memo if memo is not None else Workspaces()
    current = os.path.abspath(folder or ".")
    member = current
    while True:
        parent = os.path.dirname(current)
        if parent == current:
            return None
        checkout = memo.checkouts.get(current)
        if checkout is None:
            checkout = memo.checkouts[current] = sources.exists(os.path.join(current, ".git"))
        if checkout:
            return None
        current = parent
        patterns = memo.patterns.get(current)
        if patterns is None:
            patterns = memo.patterns[current] = _workspace_patterns(sources, current, problems)
        if not patterns:
            continue
        if patterns != [_ANY]:
            rules = memo.rules.get(tuple(patterns))
            if rules is None:
                rules = memo.rules[tuple(patterns)] = Rules.from_patterns(patterns)
            if not rules.covers(os.path.relpath(member, current).replace(os.sep, "/"), True):
                return None
        if current not in memo.locks:
            memo.locks[current] = next((lock for lock in LOCKFILES if sources.is_file(os.path.join(current, lock))), None)
        lock = memo.locks[current]
        return None if lock is None else os.path.relpath(os.path.join(current, lock))


_ANY = "**"  # the members of a workspace root whose manifest could not be read: any folder may be one
TOO_DEEP = unreadable(1, "nested too deeply to read")


def _workspace_patterns(sources: Sources, folder: str, problems: list | None = None) -> list[str]:
    """The member globs a workspace root declares (npm and yarn `workspaces`,
    pnpm-workspace.yaml `packages`); none when it is no workspace root."""
    patterns: list[str] = []
    for name in ("package.json", "pnpm-workspace.yaml"):
        path = os.path.join(folder, name)
        try:
            listed = _loads(name, sources.read(path))
        except (Unreadable, ValueError):
            continue
        except RecursionError:
            if problems is not None:
                problems.append((path, TOO_DEEP))
            return [_ANY]
        found = listed.get("workspaces" if name == "package.json" else "packages") if isinstance(listed, dict) else None
        if isinstance(found, dict) and name == "package.json":
            found = found.get("packages")
        if isinstance(found, list):
            patterns += [p for p in found if isinstance(p, str)]
    return patterns


def _loads(name: str, data: bytes):
    """package.json as JSON, pnpm-workspace.yaml as YAML (ValueError when
    it is none); the YAML parser is imported only once such a file is read."""
    import json

    if name == "package.json":
        return json.loads(data)
    import yaml

    try:
        return yaml.safe_load(data)
    except yaml.YAMLError as exc:
        raise ValueError(str(exc)) from None


def _load_spec(sources: Sources, folder: str, known: dict[bytes, Rules] | None = None) -> Rules | None:
    """`folder`'s .gitignore rules; `known`: the rules already compiled, by the file's bytes."""
    path = os.path.join(folder, ".gitignore")
    if not sources.is_file(path):
        return None
    try:
        data = sources.read(path)
    except Unreadable:
        return None
    spec = known.get(data) if known is not None else None
    if spec is None:
        spec = Rules.from_bytes(data)
        if known is not None:
            known[data] = spec
    return spec


def _ancestor_specs(sources: Sources, top: str, known: dict[bytes, Rules] | None = None) -> tuple:
    """The .gitignore files above `top`, up to the enclosing checkout's root."""
    found = []
    folder = os.path.abspath(top)
    while True:
        parent = os.path.dirname(folder)
        if sources.exists(os.path.join(folder, ".git")) or parent == folder:
            break
        folder = parent
        spec = _load_spec(sources, folder, known)
        if spec is not None:
            found.append((folder, spec))
        if sources.exists(os.path.join(folder, ".git")):
            break
    return tuple(reversed(found))


def _ignored(absolute: str, is_dir: bool, specs) -> bool:
    """`specs`: (absolute folder, its .gitignore), outermost first;
    `absolute`: an absolute, normalized path below them."""
    for base, spec in reversed(specs):
        verdict = spec.verdict(_below(absolute, base).replace(os.sep, "/"), is_dir)
        if verdict is not None:
            return verdict  # the deepest .gitignore that speaks wins
    return False


def _below(absolute: str, base: str) -> str:
    """os.path.relpath(absolute, base) for two absolute, normalized paths,
    by slicing where `absolute` lies inside `base` (always, in the walk):
    relpath splits and rejoins both paths on every call."""
    prefix = _prefix(base)
    return absolute[len(prefix):] if absolute.startswith(prefix) else os.path.relpath(absolute, base)


def _prefix(base: str) -> str:
    """How every path strictly inside the absolute folder `base` starts."""
    return base if base.endswith(os.sep) else base + os.sep


def project_root(sources: Sources, path: str) -> str:
    """Nearest folder above `path` that is a package, a build or a checkout."""
    folder = os.path.dirname(os.path.abspath(path))
    while True:
        if any(sources.exists(os.path.join(folder, m)) for m in PROJECT_MARKERS):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return os.path.dirname(os.path.abspath(path))
        folder = parent
