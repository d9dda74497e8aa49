"""Discovery: suffixes, .gitignore, skipped folders, node-addon-api's own headers."""

from __future__ import annotations

import json
import os

import pytest

from codemod.discover import discover
from codemod.settings import Exclusions
from codemod.sources.disk import DiskSources
from helpers import write_tree

CLS = "class A : public Napi::ObjectWrap<A> {};\n"


def _rel(paths, root):
    return sorted(os.path.relpath(p, root).replace(os.sep, "/") for p in paths)


def test_suffixes_and_skipped_folders(tmp_path):
    names = ["a.h", "b.hh", "c.hpp", "d.hxx", "e.h++", "f.c", "g.cc", "h.cpp", "i.cxx", "j.c++", "k.ipp",
             "l.inl", "m.tpp", "n.txt", "o.js", "P.CPP"]
    files = {n: CLS for n in names}
    files.update({"node_modules/x/y.h": CLS, "build/Release/obj.cc": CLS, ".git/z.h": CLS})
    write_tree(tmp_path, files)
    found = discover(DiskSources(), [str(tmp_path)])
    assert _rel(found.cpp_files, tmp_path) == sorted(n for n in names if not n.endswith((".txt", ".js")))


def test_gitignore_is_honoured_with_negation_and_nesting(tmp_path):
    write_tree(tmp_path, {
        ".gitignore": "generated/\n*.gen.h\n!keep.gen.h\n",
        "src/.gitignore": "/local.h\n",
        "generated/a.h": CLS, "src/x.gen.h": CLS, "src/keep.gen.h": CLS, "src/local.h": CLS,
        "src/deeper/local.h": CLS, "src/ok.cc": CLS,
    })
    found = discover(DiskSources(), [str(tmp_path)])
    assert _rel(found.cpp_files, tmp_path) == ["src/deeper/local.h", "src/keep.gen.h", "src/ok.cc"]


def test_the_same_gitignore_in_two_folders_applies_to_each_its_own(tmp_path):
    """One .gitignore's rules are compiled once per walk (by its bytes) and
    matched from each folder that holds a copy; a .gitignore that is a folder
    is not read, one that is a link is read through it (as before)."""
    same = "generated/\n/top.h\n"
    write_tree(tmp_path, {
        "a/.gitignore": same, "a/generated/x.h": CLS, "a/top.h": CLS, "a/sub/top.h": CLS,
        "b/.gitignore": same, "b/generated/x.h": CLS, "b/top.h": CLS, "b/ok.cc": CLS,
        "c/.gitignore/rules": "*.h\n", "c/generated/x.h": CLS,
        "d/real-ignore": "*.h\n", "d/d.h": CLS,
    })
    (tmp_path / "d" / ".gitignore").symlink_to("real-ignore")
    found = discover(DiskSources(), [str(tmp_path)])
    assert _rel(found.cpp_files, tmp_path) == ["a/sub/top.h", "b/ok.cc", "c/generated/x.h"]


def test_gitignore_above_the_given_folder_applies(tmp_path):
    (tmp_path / ".git").mkdir()
    write_tree(tmp_path, {".gitignore": "vendor/\n", "pkg/vendor/a.h": CLS, "pkg/src/b.h": CLS})
    found = discover(DiskSources(), [str(tmp_path / "pkg")])
    assert _rel(found.cpp_files, tmp_path) == ["pkg/src/b.h"]


def test_the_whitelist_idiom_walks_the_folders_it_re_includes(tmp_path):
    """`*`, `!*/`, `!*.cc`: git keeps every folder and, in each, only the
    .cc files (pathspec kept the folders ignored, so only top-level files)."""
    write_tree(tmp_path, {".gitignore": "*\n!*/\n!*.cc\n", "a.cc": CLS, "a.h": CLS, "src/b.cc": CLS, "src/b.h": CLS,
                          "src/deep/c.cc": CLS})
    found = discover(DiskSources(), [str(tmp_path)])
    assert _rel(found.cpp_files, tmp_path) == ["a.cc", "src/b.cc", "src/deep/c.cc"]


@pytest.mark.parametrize("files, exclude, walked, taken", [
    pytest.param({".gitignore": "vendor/\n!vendor/lib/keep.cc\n"}, None, "vendor/lib", [], id="gitignore-above"),
    pytest.param({".gitignore": "vendor/\n", "vendor/.gitignore": "!lib/\n"}, None, "vendor/lib", [],
                 id="rules-inside-an-ignored-folder-never-read"),
    pytest.param({".gitignore": "/vendor/*\n!/vendor/lib/\n"}, None, "vendor/lib",
                 ["vendor/lib/keep.cc", "vendor/lib/sub/a.h"], id="re-included-above"),
    pytest.param({}, ["vendor/", "!vendor/lib/keep.cc"], "vendor/lib", [], id="excluded-by-settings"),
    pytest.param({}, ["vendor/"], "vendor", [], id="the-walked-folder-itself-excluded"),
    pytest.param({}, ["vendor/*", "!vendor/lib/"], "vendor/lib", ["vendor/lib/keep.cc", "vendor/lib/sub/a.h"],
                 id="re-included-by-settings"),
    pytest.param({"vendor/.gitignore": "*\n!lib/\n!lib/**\n"}, None, "vendor/lib",
                 ["vendor/lib/keep.cc", "vendor/lib/sub/a.h"], id="a-gitignore-speaks-only-below-its-folder"),
])
def test_a_walk_that_starts_inside_a_folder_follows_the_rules_above_it(tmp_path, files, exclude, walked, taken):
    """Git never looks inside an ignored folder, whatever the rules below
    it say; the walk below the folder it was given never asks about the
    folders above, so it asks before it starts."""
    (tmp_path / ".git").mkdir()
    write_tree(tmp_path, {**files, "vendor/lib/keep.cc": CLS, "vendor/lib/sub/a.h": CLS})
    excluded = Exclusions(str(tmp_path), tuple(exclude)) if exclude else None
    found = discover(DiskSources(), [str(tmp_path / walked)], exclude=excluded)
    assert _rel(found.cpp_files, tmp_path) == taken


def test_lines_pathspec_refused_are_read_as_git_reads_them(tmp_path):
    """A lone `!`, a lone backslash, an unclosed `[`: git takes each as a
    rule that matches nothing (napi-fix stopped with an internal error)."""
    write_tree(tmp_path, {".gitignore": "!\n\\\na[\n*.h\n", "a.h": CLS, "b.cc": CLS})
    found = discover(DiskSources(), [str(tmp_path)])
    assert _rel(found.cpp_files, tmp_path) == ["b.cc"]


class _CountingReads(DiskSources):
    def __init__(self):
        super().__init__()
        self.reads: list[str] = []

    def read(self, path: str) -> bytes:
        self.reads.append(path)
        return super().read(path)


def test_each_workspace_root_is_read_once_per_walk(tmp_path):
    """Sixteen members found without their root's lock: each is refused
    with the root to run on, and the root's manifests are read once."""
    members = {f"packages/m{i:02}/package.json": f'{{"name": "m{i:02}"}}\n' for i in range(16)}
    write_tree(tmp_path, {
        "package.json": '{"name": "root", "workspaces": ["packages/*", "!packages/m15"]}\n',
        "package-lock.json": "{}\n", **members,
    })
    (tmp_path / ".git").mkdir()
    sources = _CountingReads()
    found = discover(sources, [str(tmp_path / "packages")])
    refused = sorted(os.path.relpath(path, tmp_path) for path, why in found.problems
                     if why.startswith("refused: a workspace member whose lock is"))
    assert refused == [f"packages/m{i:02}/package.json" for i in range(15)]
    assert sources.reads.count(str(tmp_path / "package.json")) == 1


@pytest.mark.parametrize("globs, member, refused", [
    pytest.param(["packages/*"], "packages/a", True, id="a-member"),
    pytest.param(["packages/*", "!packages/a"], "packages/a", False, id="negated"),
    pytest.param(["packages/*"], "packages/group/deep", True, id="below-a-member-as-before"),
    pytest.param(["apps/*"], "packages/a", False, id="not-a-member"),
])
def test_a_member_found_without_its_roots_lock_is_refused(tmp_path, globs, member, refused):
    write_tree(tmp_path, {
        "package.json": json.dumps({"name": "root", "workspaces": globs}), "package-lock.json": "{}\n",
        f"{member}/package.json": '{"name": "m"}\n',
    })
    (tmp_path / ".git").mkdir()
    found = discover(DiskSources(), [str(tmp_path / member)])
    assert [why.startswith("refused: a workspace member whose lock is") for _, why in found.problems] == \
        ([True] if refused else [])


def test_a_workspace_root_above_the_checkout_is_not_the_members(tmp_path):
    write_tree(tmp_path, {
        "package.json": '{"name": "outer", "workspaces": ["repo/packages/*"]}\n', "package-lock.json": "{}\n",
        "repo/packages/a/package.json": '{"name": "a"}\n',
    })
    (tmp_path / "repo" / ".git").mkdir()
    assert discover(DiskSources(), [str(tmp_path / "repo" / "packages" / "a")]).problems == ()


def test_a_file_named_explicitly_is_taken_even_if_ignored(tmp_path):
    write_tree(tmp_path, {".gitignore": "*.h\n", "a.h": CLS})
    assert _rel(discover(DiskSources(), [str(tmp_path / "a.h")]).cpp_files, tmp_path) == ["a.h"]


def test_node_addon_api_own_headers_are_skipped_wherever_they_sit(tmp_path):
    write_tree(tmp_path, {
        "deps/node-addon-api/napi.h": CLS, "deps/node-addon-api/napi-inl.h": CLS,
        "deps/node-addon-api/napi-inl.deprecated.h": CLS, "src/napi.h": CLS, "src/addon.cc": CLS,
    })
    found = discover(DiskSources(), [str(tmp_path)])
    # src/napi.h has no napi-inl.h beside it: it is the project's own file.
    assert _rel(found.cpp_files, tmp_path) == ["src/addon.cc", "src/napi.h"]


def test_missing_paths_are_reported(tmp_path):
    found = discover(DiskSources(), [str(tmp_path / "nope")])
    assert found.missing == ((str(tmp_path / "nope"), "no such file or directory"),)


def test_symlinks_are_not_followed(tmp_path):
    outside = tmp_path / "outside"
    write_tree(outside, {"a.h": CLS})
    (tmp_path / "tree").mkdir()
    os.symlink(outside, tmp_path / "tree" / "link")
    assert discover(DiskSources(), [str(tmp_path / "tree")]).cpp_files == ()


def test_the_walk_of_dot_spells_paths_as_a_build_file_names_them(tmp_path, monkeypatch):
    """batch plans a checkout as `.`: a copy the walk finds and binding.gyp
    names is one folder, planned once (not `./deps/...` and `deps/...`)."""
    from helpers import plan
    from napi_headers import headers

    write_tree(tmp_path, {"binding.gyp": "{'targets': [{'target_name': 'a', 'include_dirs': ['deps/napi']}]}\n",
                          "src/a.cc": CLS})
    for name in ("napi.h", "napi-inl.h"):
        write_tree(tmp_path, {f"deps/napi/{name}": (headers("8.2.1") / name).read_bytes()})
    monkeypatch.chdir(tmp_path)
    found = discover(DiskSources(), ["."])
    assert (found.napi_copies, found.build_files, found.cpp_files) == (("deps/napi",), ("binding.gyp",), ("src/a.cc",))
    report = plan(["."], patch_vendored=True)
    planned = [f.path for r in report.files for f in r.findings if f.edits]
    assert sorted(planned) == ["deps/napi/napi-inl.h", "deps/napi/napi.h"]


def test_every_spelling_of_a_path_argument_is_one_path(tmp_path, monkeypatch):
    from codemod.discover import entry_path

    (tmp_path / "real/name").mkdir(parents=True)
    os.symlink(tmp_path / "real", tmp_path / "link")
    os.symlink(tmp_path / "real/name", tmp_path / "real/alias")
    monkeypatch.chdir(tmp_path / "real/name")
    want = str(tmp_path / "real/name")
    for spelling in (".", "./", "../name", want, want + "/", str(tmp_path / "link/name"), "../../link/name/."):
        assert entry_path(spelling) == want, spelling
    # A link named explicitly stays a link (discover refuses it by name).
    assert entry_path("../alias") == str(tmp_path / "real/alias")
