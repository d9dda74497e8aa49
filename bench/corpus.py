#!/usr/bin/env python3
"""Deterministic benchmark corpus: realistic C/C++ trees, a small share of
files (3%) mentioning ObjectWrap in every shape the finder handles, plus
package roots with package.json and package-lock.json.

    bench/corpus.py OUT --scale 4      # 1x = 500 files, ~10 MB

Same seed and scale, same bytes: runs are comparable across machines.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
from pathlib import Path

FILES_PER_SCALE = 500
TARGET_FILE_BYTES = 20_000  # ~10 MB per 500 files
OBJECTWRAP_SHARE = 0.03
FILES_PER_PACKAGE = 50

WORDS = ("buffer stream socket codec parser frame block cache index node tree graph queue "
         "matrix vector tensor image pixel audio sample packet record entry field column").split()

OBJECTWRAP_SHAPES = [
    "class {N} : public Napi::ObjectWrap<{N}> {{\n public:\n  explicit {N}(const Napi::CallbackInfo& info);\n"
    "  static Napi::Function Init(Napi::Env env);\n\n private:\n  int value_ = 0;\n}};\n",
    "using namespace Napi;\nstruct {N} : ObjectWrap<{N}> {{\n  {N}(const CallbackInfo& info);\n}};\n",
    "template <class T>\nclass {N}Base : public Napi::ObjectWrap<T> {{\n public:\n"
    "  using Napi::ObjectWrap<T>::ObjectWrap;\n}};\nclass {N} : public {N}Base<{N}> {{\n public:\n"
    "  using {N}Base<{N}>::{N}Base;\n}};\n",
    "class ADDON_EXPORT {N} final : public Napi /* ns */ :: ObjectWrap < {N} > {{\n  int n_;\n}};\n",
    "template <class T>\nusing {N}Wrap = Napi::ObjectWrap<T>;\nclass {N} : public {N}Wrap<{N}> {{\n public:\n"
    "  {N}(const Napi::CallbackInfo& info);\n  void Finalize(Napi::Env env) override;\n}};\n",
    "template <class T>\nclass {N} : public Napi::ObjectWrap<{N}<T>> {{\n public:\n  T value{{}};\n}};\n",
]


def _function(rng: random.Random, index: int) -> str:
    a, b = rng.choice(WORDS), rng.choice(WORDS)
    body = "\n".join(
        f"  if (input[{i}] > {rng.randint(0, 999)}) {{ total += input[{i}] * {rng.randint(1, 9)}; }}"
        for i in range(rng.randint(4, 12))
    )
    return (f"// {a} {b}: processes a {a} of {b}s.\nstatic int {a}_{b}_{index}(const int* input, int size) {{\n"
            f"  int total = 0;\n  (void)size;\n{body}\n  return total;\n}}\n\n")


def _class(rng: random.Random, index: int) -> str:
    name = f"{rng.choice(WORDS).title()}{rng.choice(WORDS).title()}{index}"
    members = "\n".join(f"  int {rng.choice(WORDS)}_{i}_ = {rng.randint(0, 99)};" for i in range(rng.randint(2, 6)))
    return (f"class {name} {{\n public:\n  {name}() = default;\n  int Get() const {{ return 0; }}\n\n"
            f" private:\n{members}\n}};\n\n")


def _file(rng: random.Random, number: int, objectwrap: bool) -> str:
    parts = [f"// Generated file {number}.\n#include <cstdint>\n#include <vector>\n"]
    if objectwrap:
        parts.append("#include <napi.h>\n\n")
    size = sum(map(len, parts))
    index = 0
    while size < TARGET_FILE_BYTES:
        piece = _class(rng, index) if rng.random() < 0.3 else _function(rng, index)
        parts.append(piece)
        size += len(piece)
        index += 1
    if objectwrap:
        shape = rng.choice(OBJECTWRAP_SHAPES)
        parts.insert(len(parts) // 2, "namespace addon {\n" + shape.format(N=f"Wrap{number}") + "}  // namespace addon\n\n")
    return "".join(parts)


def generate(out: Path, scale: float, seed: int = 1234) -> dict:
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    files = int(FILES_PER_SCALE * scale)
    total = 0
    wrapped = 0
    for number in range(files):
        package = out / f"pkg{number // FILES_PER_PACKAGE:04d}"
        if number % FILES_PER_PACKAGE == 0:
            _package_root(package, rng)
        objectwrap = rng.random() < OBJECTWRAP_SHARE
        wrapped += objectwrap
        suffix = rng.choice((".cc", ".cpp", ".h", ".hpp"))
        path = package / "src" / f"file{number:06d}{suffix}"
        path.parent.mkdir(parents=True, exist_ok=True)
        text = _file(rng, number, objectwrap)
        path.write_text(text)
        total += len(text)
    return {"files": files, "bytes": total, "objectwrap_files": wrapped}


def _package_root(folder: Path, rng: random.Random) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    spec = rng.choice(("^8.2.0", "~8.2.1", "8.2.1", "^8.3.0", "^7.1.1"))
    version = {"^8.2.0": "8.2.1", "~8.2.1": "8.2.1", "8.2.1": "8.2.1", "^8.3.0": "8.9.2", "^7.1.1": "7.1.1"}[spec]
    (folder / "package.json").write_text(json.dumps(
        {"name": folder.name, "version": "1.0.0", "dependencies": {"node-addon-api": spec}}, indent=2) + "\n")
    (folder / "package-lock.json").write_text(json.dumps({
        "name": folder.name, "version": "1.0.0", "lockfileVersion": 3, "requires": True,
        "packages": {"": {"name": folder.name, "version": "1.0.0", "dependencies": {"node-addon-api": spec}},
                     "node_modules/node-addon-api": {"version": version, "license": "MIT"}},
    }, indent=2) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1234)
    args = parser.parse_args()
    print(json.dumps(generate(args.out, args.scale, args.seed)))


if __name__ == "__main__":
    main()
