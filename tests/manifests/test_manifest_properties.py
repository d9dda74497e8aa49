"""Hostile manifests, generated: real package roots (the lockfiles real npm,
yarn and pnpm made, in tests/data/locks, plus a binding.gyp), valid or
corrupted by hypothesis, never crash napi-fix.

For any such tree: the exit status is 0, 1 or 2; no traceback; stdout under
`--format json` is one JSON document; exit 2 names the bad file on stderr;
a `<!(...)` command in binding.gyp never runs. When a dry run plans changes,
the real run writes them, its JSON files still parse, and a second run
changes nothing.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, event, given, settings, strategies as st

from helpers import run_cli
from test_lock_tables import CASES, write

GYP = b"""{
  'targets': [{
    'target_name': 'addon',
    'sources': ['src/addon.cc'],
    'include_dirs': ["<!(node -p \\"require('node-addon-api').include_dir\\")", '<!(touch PWNED)'],
    'defines': ['NAPI_DISABLE_CPP_EXCEPTIONS'],
  }]
}
"""

# What a careless edit, a merge conflict or a bad download leaves in a file.
NOISE = [b"{", b"}", b"[", b"]", b'"', b"'", b",", b":", b"- ", b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"\r\n",
         b"\t", b"  ", b"\n", b"null", b"8.2.1", b"^8.2.0", b"node-addon-api", b"<<<<<<< HEAD\n", b"=======\n",
         b">>>>>>> theirs\n", b"<!(touch PWNED)", b"\\u0000", b"1e999", b"-", b"#", b"&anchor", b"*anchor", b"!!python/object"]

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-2, 10**20) | st.floats(allow_nan=False)
    | st.sampled_from(["^8.2.0", "8.2.1", "8.2.2", "", "workspace:*", "file:..", "x" * 300, "\u00e9\U0001f600"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["node-addon-api", "dependencies", "version", "packages", "", "requires"]), inner, max_size=3),
    max_leaves=6,
)


@st.composite
def corruptions(draw, data: bytes) -> bytes:
    """`data` with one to three careless edits."""
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["truncate", "delete", "insert", "value"]))
        if kind == "truncate":
            data = data[:at]
        elif kind == "delete":
            data = data[:at] + data[at + draw(st.integers(1, 200)):]
        elif kind == "insert":
            data = data[:at] + draw(st.sampled_from(NOISE)) + data[at:]
        else:
            data = _replace_a_value(data, draw(JSON_VALUES), draw(st.integers(0, 10**6)))
    return data


def _replace_a_value(data: bytes, value, pick: int) -> bytes:
    """`data` as JSON with one node (chosen by `pick`) replaced by `value`;
    unchanged when `data` is no JSON."""
    try:
        document = json.loads(data)
    except ValueError:
        return data
    holders = []

    def walk(node):
        if isinstance(node, dict):
            holders.extend((node, key) for key in node)
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            holders.extend((node, index) for index in range(len(node)))
            for child in node:
                walk(child)

    walk(document)
    if not holders:
        return json.dumps(value).encode()
    holder, key = holders[pick % len(holders)]
    holder[key] = value
    return json.dumps(document, indent=2).encode() + b"\n"


@st.composite
def trees(draw) -> dict[str, bytes]:
    case = draw(st.sampled_from(CASES), label="case")
    tree = dict(case["before"])
    if draw(st.booleans()):
        tree["binding.gyp"] = GYP
    for name in sorted(tree):
        if draw(st.booleans()):
            tree[name] = draw(corruptions(tree[name]), label=f"corrupt {name}")
    return tree


def parses(name: str, data: bytes) -> bool:
    try:
        if name.endswith(".json"):
            json.loads(data)
        elif name.endswith(".yaml"):
            yaml.load(data, Loader=yaml.CSafeLoader)
        return True
    except (ValueError, yaml.YAMLError):
        return False


@settings(max_examples=400, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large])
@given(trees())
def test_hostile_manifests_never_crash_and_a_fix_holds(capfdbinary, tree):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "pkg"
        write(root, tree)
        capfdbinary.readouterr()

        code, out, _ = run_cli(capfdbinary, "--dry-run", "--strategy", "both", "--format", "json", str(root))
        assert code in (0, 1, 2, 3)
        event(f"exit {code}")
        payload = json.loads(out)
        text_code, _, err = run_cli(capfdbinary, "--dry-run", "--strategy", "both", str(root))
        assert text_code == code
        if code == 2:
            bad = [f["path"] for f in payload["files"] if f["error"]]
            assert bad and all(Path(path).name in err.decode("utf-8", "replace") for path in bad)

        if code in (1, 3) and payload["summary"]["files_changed"]:
            # The real run's status is what remains after it (a NAPI005 stays: 1), and
            # exactly what the next run finds.
            written = run_cli(capfdbinary, "--strategy", "both", str(root))[0]
            assert written in (0, 1)
            for name, before in tree.items():
                after = (root / name).read_bytes()
                if after != before and parses(name, before):
                    assert parses(name, after), name
            assert run_cli(capfdbinary, "--dry-run", "--strategy", "both", str(root))[0] == written

        assert not (root / "PWNED").exists() and not Path("PWNED").exists()
