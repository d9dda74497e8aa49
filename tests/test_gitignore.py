"""codemod/gitignore.py against git itself: `git check-ignore --no-index -v -n`
is the judge of what a .gitignore means.

Every verdict is compared as the walk uses it: a path inside an ignored
folder is ignored whatever its own rules say (git reports the folder's
pattern for it), and otherwise the deepest .gitignore whose last matching
pattern speaks decides: ignored, re-included (`!`), or no rule (None).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codemod.discover import _ignored, _load_spec
from codemod.gitignore import Rules
from codemod.sources.disk import DiskSources
from helpers import write_tree

# Nothing of the machine's own git configuration may speak: no global
# excludes file, no system config.
GIT_ENV = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def _git_env(home: Path) -> dict:
    return {**os.environ, **GIT_ENV, "HOME": str(home), "XDG_CONFIG_HOME": str(home / "xdg")}


class Git:
    """A scratch repository whose `.git` judges the work tree it is pointed at."""

    def __init__(self, scratch: Path):
        self.scratch = scratch
        self.env = _git_env(scratch)
        subprocess.run(["git", "init", "-q", str(scratch / "repo")], env=self.env, check=True)
        (scratch / "repo" / ".git" / "info" / "exclude").write_text("")
        self.git_dir = scratch / "repo" / ".git"

    def verdicts(self, tree: Path, paths: list[str]) -> dict[str, bool | None]:
        """path ("/"-separated, relative to `tree`) -> True ignored, False
        re-included by a `!` pattern, None: no pattern speaks."""
        result = subprocess.run(
            ["git", f"--git-dir={self.git_dir}", f"--work-tree={tree}", "check-ignore", "--no-index",
             "-v", "-n", "-z", "--stdin"],
            cwd=tree, input=b"".join(os.fsencode(p) + b"\0" for p in paths), capture_output=True, env=self.env)
        assert result.returncode in (0, 1), result.stderr
        fields = result.stdout.split(b"\0")
        out = {}
        for at in range(0, len(fields) - 1, 4):
            source, _line, pattern, path = fields[at:at + 4]
            out[os.fsdecode(path)] = None if not source else not pattern.startswith(b"!")
        assert len(out) == len(set(paths)), (len(out), len(paths))
        return out


@pytest.fixture(scope="module")
def git(tmp_path_factory) -> Git:
    return Git(tmp_path_factory.mktemp("git"))


def ours(rules: dict[str, Rules], path: str, is_dir: bool) -> bool | None:
    """The walk's verdict for `path` from `rules` (folder -> its .gitignore's
    rules, "" the top): a folder above it that is ignored, else the deepest
    rules that speak for the path itself."""
    parts = path.split("/")
    verdict = None
    for depth in range(1, len(parts) + 1):
        sub = "/".join(parts[:depth])
        verdict = None
        for folder in sorted(rules, key=len, reverse=True):
            if folder == "" or sub.startswith(folder + "/"):
                verdict = rules[folder].verdict(sub[len(folder) + 1:] if folder else sub, depth < len(parts) or is_dir)
                if verdict is not None:
                    break
        if depth < len(parts) and verdict:
            return True
    return verdict


def build(root: Path, gitignores: dict[str, bytes], nodes: dict[str, bool]) -> dict[str, bool]:
    """Writes the .gitignore files and the paths (True: a folder); a path
    that must also be a folder above another becomes one. Returns the kinds."""
    kinds: dict[str, bool] = {}
    for path, is_dir in nodes.items():
        parts = path.split("/")
        for depth in range(1, len(parts)):
            kinds["/".join(parts[:depth])] = True
        kinds.setdefault(path, is_dir)
    for folder in gitignores:
        if folder:
            kinds[folder] = True
    for path, is_dir in sorted(kinds.items()):
        if is_dir:
            (root / path).mkdir(parents=True, exist_ok=True)
        else:
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_bytes(b"")
    for folder, data in gitignores.items():
        (root / folder / ".gitignore").write_bytes(data)
    return kinds


# -- the table: the hard cases, each checked against git -------------------------------------------

# (the .gitignore's bytes, path, is a folder, what git says: True ignored, False re-included, None no rule)
TABLE = [
    pytest.param(b"build/\n!build/\n", "build", True, False, id="negation-after-a-folder-rule"),
    pytest.param(b"build/\n!build/keep.cc\n", "build/keep.cc", False, True, id="no-re-include-inside-an-ignored-folder"),
    pytest.param(b"*\n!*/\n", "src", True, False, id="whitelist-folders-re-included"),
    pytest.param(b"*\n!*/\n", "src/a.cc", False, True, id="whitelist-files-inside-still-ignored"),
    pytest.param(b"*\n!*/\n!*.cc\n", "src/a.cc", False, False, id="whitelist-cc-files"),
    pytest.param(b"*\n!/*/\n", "src", True, False, id="whitelist-anchored-folders"),
    pytest.param(b"bin/\n!/bin/\n", "bin/bin", True, True, id="anchored-negation-leaves-a-nested-folder"),
    pytest.param(b"a/**/b\n", "a/b", False, True, id="middle-double-star-no-folder"),
    pytest.param(b"a/**/b\n", "a/x/y/b", False, True, id="middle-double-star-folders"),
    pytest.param(b"a/**/b\n", "x/a/b", False, None, id="middle-double-star-anchored"),
    pytest.param(b"a/**\\/b\n", "a/x/y/b", False, True, id="double-star-before-an-escaped-slash"),
    pytest.param(b"**/x\n", "x", False, True, id="leading-double-star-top"),
    pytest.param(b"**/x\n", "q/r/x", True, True, id="leading-double-star-deep"),
    pytest.param(b"x/**\n", "x", True, None, id="trailing-double-star-not-the-folder"),
    pytest.param(b"x/**\n", "x/a/b", False, True, id="trailing-double-star-inside"),
    pytest.param(b"x/**\n!x/keep.cc\n", "x/keep.cc", False, False, id="trailing-double-star-then-negation"),
    pytest.param(b"a**b\n", "aXb", False, True, id="double-star-inside-a-name"),
    pytest.param(b"x/*a**/b\n", "x/qa/z/b", False, None, id="double-star-after-a-name-stays-in-a-folder"),
    pytest.param(b"a/b**\n", "a/b/c/d", False, True, id="double-star-after-the-literal-start"),
    pytest.param(b"a/b**\n!a/bx/\n", "a/bx/y", False, True, id="literal-start-star-crosses-folders"),
    pytest.param(b"a/x*y\n", "a/x/y", False, None, id="star-after-literal-start-stays-in-a-folder"),
    pytest.param(b"\\!important\n", "!important", False, True, id="escaped-bang"),
    pytest.param(b"\\#hash\n", "#hash", False, True, id="escaped-hash"),
    pytest.param(b"#hash\n", "#hash", False, None, id="comment"),
    pytest.param(b"trail\\ \n", "trail ", False, True, id="escaped-trailing-space"),
    pytest.param(b"trail  \n", "trail", False, True, id="trailing-spaces-dropped"),
    pytest.param(b"trail\t\n", "trail", False, None, id="a-trailing-tab-stays"),
    pytest.param(b"in side\n", "in side", False, True, id="inner-space"),
    pytest.param(b"[a-z]x\n", "qx", False, True, id="range"),
    pytest.param(b"[a-z]x\n", "Qx", False, None, id="range-is-case-sensitive"),
    pytest.param(b"[!x]y\n", "ay", False, True, id="negated-class"),
    pytest.param(b"[!x]y\n", "xy", False, None, id="negated-class-no"),
    pytest.param(b"[^x]y\n", "xy", False, None, id="caret-negates-too"),
    pytest.param(b"[]]\n", "]", False, True, id="bracket-first-in-class"),
    pytest.param(b"[!]]x\n", "ax", False, True, id="bracket-first-in-negated-class"),
    pytest.param(b"[z-a]\n", "m", False, None, id="reversed-range-is-empty"),
    pytest.param(b"[z-a]\n", "z", False, True, id="reversed-range-keeps-its-first-member"),
    pytest.param(b"[[:digit:]]x\n", "7x", False, True, id="posix-class"),
    pytest.param(b"[[:nope:]]x\n", "7x", False, None, id="unknown-posix-class-matches-nothing"),
    pytest.param(b"[[:]x\n", ":x", False, True, id="unclosed-posix-class-is-members"),
    pytest.param(b"[[:]x\n", "[x", False, True, id="unclosed-posix-class-keeps-its-bracket"),
    pytest.param(b"[a-c-e]\n", "d", False, None, id="a-dash-after-a-range-is-itself"),
    pytest.param(b"[a-\\c]x\n", "bx", False, True, id="an-escaped-range-end"),
    pytest.param(b"[[:alpha]x\n", "hx", False, True, id="no-colon-before-the-bracket-is-members"),
    pytest.param(b"[a-c-e]\n", "-", False, True, id="a-dash-after-a-range-is-a-member"),
    pytest.param(b"a[\n", "a[", False, None, id="unclosed-class-matches-nothing"),
    pytest.param(b"a[/]b\n", "a/b", False, None, id="class-never-matches-a-slash"),
    pytest.param(b"a[!x]b\n", "a/b", False, None, id="negated-class-never-matches-a-slash"),
    pytest.param(b"a[.-0]b\n", "a/b", False, None, id="range-never-matches-a-slash"),
    pytest.param(b"a[.-0]b\n", "a0b", False, True, id="range-around-a-slash"),
    pytest.param(b"foo\\\n", "foo\\", False, None, id="trailing-backslash-matches-nothing"),
    pytest.param(b"foo\\\n", "foo", False, None, id="trailing-backslash-is-not-dropped"),
    pytest.param(b"x \\\n", "x", False, None, id="spaces-before-a-trailing-backslash-stay"),
    pytest.param(b"!\n*.o\n", "a.o", False, True, id="a-lone-bang"),
    pytest.param(b"\\\n*.o\n", "a.o", False, True, id="a-lone-backslash"),
    pytest.param(b"/\n", "x", False, None, id="a-lone-slash"),
    pytest.param(b"//x\n", "x", False, None, id="two-leading-slashes"),
    pytest.param(b"x//\n", "x", True, None, id="two-trailing-slashes"),
    pytest.param(b"foo\r\nbar\r\n", "bar", False, True, id="crlf-lines"),
    pytest.param(b"a\rb\n", "b", False, None, id="a-lone-cr-does-not-split"),
    pytest.param(b"a\x0bb\n", "b", False, None, id="a-vertical-tab-does-not-split"),
    pytest.param(b"a\x0bb\n", "a\x0bb", False, True, id="a-vertical-tab-is-part-of-the-name"),
    pytest.param(b"\xef\xbb\xbfbuild\n", "build", True, True, id="a-byte-order-mark-is-skipped"),
    pytest.param(b"x\n\xef\xbb\xbfbuild\n", "\ufeffbuild", True, True, id="a-later-byte-order-mark-is-kept"),
    pytest.param(b"last", "last", False, True, id="no-final-newline"),
    pytest.param(b"?\n", "\u00e9", False, None, id="question-mark-is-one-byte"),
    pytest.param(b"??\n", "\u00e9", False, True, id="two-bytes-of-utf-8"),
    pytest.param(b"\xc3\xa9*\n", "\u00e9t\u00e9", False, True, id="utf-8-literal"),
    pytest.param(b"sub/x\n", "a/sub/x", False, None, id="middle-slash-anchors"),
    pytest.param(b"sub/x\n", "sub/x", False, True, id="middle-slash-from-the-top"),
    pytest.param(b"/x\n", "a/x", False, None, id="leading-slash-anchors"),
    pytest.param(b"x\n", "a/b/x", False, True, id="no-slash-matches-any-depth"),
    pytest.param(b"x/\n", "a/x", False, None, id="folder-rule-skips-a-file"),
    pytest.param(b"x/\n", "a/x", True, True, id="folder-rule-takes-a-folder"),
    pytest.param(b"*.h\n", "a/b.h", False, True, id="star-in-a-name"),
    pytest.param(b"a/*\n", "a/b/c", False, True, id="star-does-not-cross-a-slash-but-its-folder-is-ignored"),
    pytest.param(b"a/*\n!a/b/\n", "a/b/c", False, None, id="star-does-not-cross-a-slash"),
    pytest.param(b"a*\n!a\n", "a", False, False, id="last-pattern-wins"),
    pytest.param(b"*\n!a\n*\n", "a", False, True, id="last-pattern-wins-again"),
    pytest.param(b"x\0y\n", "x", False, True, id="a-nul-ends-the-line"),
    # a plain name, a plain ending and a pattern each compared their own way, still the last one wins
    pytest.param(b"a*\nab\n!a?\n", "ab", False, False, id="a-pattern-after-a-plain-name"),
    pytest.param(b"!a?\nab\n", "ab", False, True, id="a-plain-name-after-a-pattern"),
    pytest.param(b"!*b\na?\n", "ab", False, True, id="a-pattern-after-an-ending"),
    pytest.param(b"a?\n!*b\n", "ab", False, False, id="an-ending-after-a-pattern"),
    pytest.param(b"*b\n!ab\n", "ab", False, False, id="a-plain-name-after-an-ending"),
    pytest.param(b"!a/b\n*b\n", "a/b", False, True, id="an-ending-after-a-plain-path"),
]


@pytest.fixture(scope="module")
def table_verdicts(git, tmp_path_factory):
    """git's verdict for every row, in one call: each row in a folder of its own."""
    root = tmp_path_factory.mktemp("table")
    paths = []
    for index, row in enumerate(TABLE):
        data, path, is_dir, _ = row.values
        build(root / f"r{index}", {"": data}, {path: is_dir})
        paths.append(f"r{index}/{path}")
    return git.verdicts(root, paths)


ROW = {row.values: index for index, row in enumerate(TABLE)}


@pytest.mark.parametrize("data, path, is_dir, expected", TABLE)
def test_the_table_agrees_with_git(table_verdicts, data, path, is_dir, expected):
    index = ROW[data, path, is_dir, expected]
    assert table_verdicts[f"r{index}/{path}"] == expected  # the row says what git says
    assert ours({"": Rules.from_bytes(data)}, path, is_dir) == expected


# -- hypothesis: hostile patterns and names, ours == git ------------------------------------------

HOSTILE = "*?[]!/\\# .ab"
NAMES = st.text("?[]!\\# .ab*", min_size=1, max_size=4).filter(lambda n: n not in (".", "..", ".git", ".gitignore"))
# Patterns built from pieces that often match the names below, so that most
# examples exercise a rule that speaks rather than none.
PIECE = st.sampled_from(["*", "**", "***", "a", "b", "a*", "*b", "?", "[ab]", "[!a]", "[]a]", "ab", "b**", "**a", "\\a",
                         "[a-b]", "[[:alpha:]]"])
SHAPED = st.builds(lambda bang, lead, pieces, trail, space: (
    ("!" if bang else "") + ("/" if lead else "") + "/".join(pieces) + ("/" if trail else "") + space),
    st.booleans(), st.booleans(), st.lists(PIECE, min_size=1, max_size=3), st.booleans(), st.sampled_from(["", " ", "\\ "]))
PATTERNS = st.lists(st.one_of(st.text(HOSTILE, min_size=1, max_size=8), SHAPED), min_size=1, max_size=6)
PATHS = st.lists(st.tuples(st.lists(st.one_of(NAMES, st.sampled_from(["a", "b", "ab", "ba", "aa"])), min_size=1, max_size=3),
                           st.booleans()), min_size=1, max_size=10)


@pytest.fixture(scope="module")
def scratch_tree(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("hostile")


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(top=PATTERNS, nested=st.one_of(st.none(), PATTERNS), nodes=PATHS, line_end=st.sampled_from(["\n", "\r\n"]))
def test_hostile_patterns_and_names_agree_with_git(git, scratch_tree, top, nested, nodes, line_end):
    shutil.rmtree(scratch_tree)
    scratch_tree.mkdir()
    gitignores = {"": line_end.join(top).encode() + line_end.encode()}
    if nested is not None:
        gitignores["a"] = "\n".join(nested).encode()
    kinds = build(scratch_tree, gitignores, {"/".join(parts): is_dir for parts, is_dir in nodes})
    judged = git.verdicts(scratch_tree, sorted(kinds))
    rules = {folder: Rules.from_bytes(data) for folder, data in gitignores.items()}
    for path, is_dir in kinds.items():
        assert ours(rules, path, is_dir) == judged[path], (path, is_dir, gitignores)


def test_patterns_given_one_per_string_read_as_lines():
    """Settings' `exclude` and workspace globs: each string is one line of a .gitignore."""
    rules = Rules.from_patterns(["packages/*", "!packages/private", "# a comment", "gen/  ", "\u00e9*"])
    assert [rules.covers(p, True) for p in ("packages/a", "packages/a/deep", "packages/private", "gen", "\u00e9t\u00e9")] \
        == [True, True, False, True, True]


# -- real trees: every .gitignore against every path of its tree ------------------------------------

CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "napi-fix"
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _walk_and_compare(git: Git, top: Path) -> int:
    """Walks `top` as discover does (the same _load_spec and _ignored, not
    descending into ignored folders) but over every file and folder, and
    compares each verdict with git's. Returns how many paths were compared."""
    sources = DiskSources()
    ours_by_path: dict[str, bool] = {}
    stack = [(str(top), ())]
    while stack:
        folder, specs = stack.pop()
        local = _load_spec(sources, folder, {})
        if local is not None:
            specs = specs + ((os.path.abspath(folder), local),)
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            if entry.name == ".git" or entry.is_symlink():
                continue
            is_dir = entry.is_dir()
            ignored = _ignored(entry.path, is_dir, specs)
            ours_by_path[os.path.relpath(entry.path, top).replace(os.sep, "/")] = ignored
            if is_dir and not ignored:
                stack.append((entry.path, specs))
    judged = git.verdicts(top, sorted(ours_by_path))
    wrong = {path: (mine, judged[path]) for path, mine in ours_by_path.items() if mine != bool(judged[path])}
    assert not wrong, dict(list(wrong.items())[:20])
    return len(ours_by_path)


def _trees_with_gitignores(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.iterdir() if p.is_dir() and any(p.rglob(".gitignore")))


@pytest.mark.parametrize("example", [p.name for p in sorted(EXAMPLES.iterdir()) if any(p.rglob(".gitignore"))])
def test_the_examples_gitignore_files_agree_with_git(git, example):
    assert _walk_and_compare(git, EXAMPLES / example) > 0


@pytest.mark.slow
@pytest.mark.parametrize("corpus", ["checkouts/v1", "realworld/corpus-v1"])
def test_every_gitignore_of_the_real_corpora_agrees_with_git(git, corpus):
    """bench/checkouts.py's ten checkouts and bench/realworld.py's npm tarballs, when unpacked."""
    root = CACHE / corpus
    trees = _trees_with_gitignores(root) if root.is_dir() else []
    if not trees:
        pytest.skip(f"no unpacked corpus with a .gitignore at {root} (bench/checkouts.py, bench/realworld.py build them)")
    assert all(_walk_and_compare(git, tree) > 0 for tree in trees)


# -- a plain run never imports pathspec ------------------------------------------------------------

def test_a_dry_run_on_a_tree_with_gitignores_and_a_workspace_does_not_import_pathspec(tmp_path):
    write_tree(tmp_path, {
        ".git/HEAD": "ref: refs/heads/main\n",
        ".gitignore": "build/\n*.gen.h\n!keep.gen.h\n",
        "package.json": '{"name": "root", "workspaces": ["packages/*"], "napi-fix": {"exclude": ["vendor/"]}}\n',
        "package-lock.json": '{"name": "root", "lockfileVersion": 3, "packages": {}}\n',
        "packages/a/package.json": '{"name": "a", "dependencies": {"node-addon-api": "8.2.1"}}\n',
        "packages/a/.gitignore": "/local.h\n",
        "packages/a/src/addon.cc": "class A : public Napi::ObjectWrap<A> {};\n",
        "vendor/v.h": "class V : public Napi::ObjectWrap<V> {};\n",
    })
    probe = ("import sys; from codemod.cli import main; status = main(sys.argv[1:]); "
             "print(status, 'pathspec' in sys.modules)")
    for target in (tmp_path, tmp_path / "packages" / "a"):
        result = subprocess.run([sys.executable, "-c", probe, "--dry-run", str(target)],
                                capture_output=True, text=True, cwd=tmp_path)
        assert result.stdout.splitlines()[-1].split()[-1] == "False", result.stdout + result.stderr
