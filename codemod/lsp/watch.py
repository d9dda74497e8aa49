"""The files whose change on disk changes a plan, watched through the editor.

Every package file and build file the walk plans (discover.py's own
lists: package.json, the lockfiles, pnpm-workspace.yaml, binding.gyp,
CMakeLists.txt, ...): `npm install`, a `git checkout` or another tool
rewrites them behind the editor's back. Registered with
`client/registerCapability` when the client allows dynamic registration.
"""

from __future__ import annotations

from lsprotocol import types

from codemod.discover import BUILD_FILES, PACKAGE_FILES

WATCHED_NAMES = tuple(sorted(PACKAGE_FILES | BUILD_FILES))


def watch_registration() -> types.RegistrationParams:
    return types.RegistrationParams(registrations=[types.Registration(
        id="napi-fix-watched-files",
        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
        register_options=types.DidChangeWatchedFilesRegistrationOptions(
            watchers=[types.FileSystemWatcher(glob_pattern=f"**/{name}") for name in WATCHED_NAMES]),
    )])
