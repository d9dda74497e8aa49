"""The files the server asks the editor to watch: every package and build
file the walk plans, so a change on disk behind the editor's back (a `git
checkout`, `npm install`) re-plans its folder whether or not it is open."""

from __future__ import annotations

from fnmatch import fnmatch

import pytest

from codemod.discover import is_cpp, is_wanted
from codemod.lsp.watch import watch_registration

# Names of files the engine reads, as real addons spell them.
NAMES = ["package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml",
         "pnpm-workspace.yaml", "bun.lock", "bun.lockb", "binding.gyp", "CMakeLists.txt", "BUILD", "BUILD.bazel",
         "build.zig", "meson.build"]


def globs() -> list[str]:
    [registration] = watch_registration().registrations
    return [watcher.glob_pattern for watcher in registration.register_options.watchers]


@pytest.mark.parametrize("name", NAMES)
def test_every_manifest_the_walk_plans_is_watched(name):
    assert is_wanted(name) and not is_cpp(name)
    assert any(fnmatch(f"some/folder/{name}", glob) for glob in globs())


@pytest.mark.parametrize("name", ["README.md", "index.js", "tsconfig.json"])
def test_files_no_plan_reads_are_not_watched(name):
    assert not any(fnmatch(f"some/folder/{name}", glob) for glob in globs())
