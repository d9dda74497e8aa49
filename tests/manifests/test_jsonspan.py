"""JSON edits: values replaced and members inserted byte-exactly."""

from __future__ import annotations

import json

import pytest

from codemod.edits import apply_edits
from codemod.manifests.jsonspan import BadInput, insert_member, loads


def insert(text: str, path: list[str], key: str, value, before: str | None = None) -> str:
    data = text.encode()
    obj = loads(data, "x.json")
    for step in path:
        obj = obj[step]
    out = apply_edits(data, [insert_member("x.json", data, obj, key, value, before)]).decode()
    json.loads(out)  # still valid JSON
    return out


@pytest.mark.parametrize(
    "before, path, key, value, at, after",
    [
        ('{\n  "name": "a"\n}\n', [], "overrides", {"dep": {"node-addon-api": "8.2.2"}}, None,
         '{\n  "name": "a",\n  "overrides": {\n    "dep": {\n      "node-addon-api": "8.2.2"\n    }\n  }\n}\n'),
        ('{\r\n\t"name": "a",\r\n\t"dependencies": {\r\n\t\t"x": "1"\r\n\t}\r\n}', ["dependencies"],
         "node-addon-api", "^8.2.2", None,
         '{\r\n\t"name": "a",\r\n\t"dependencies": {\r\n\t\t"x": "1",\r\n\t\t"node-addon-api": "^8.2.2"\r\n\t}\r\n}'),
        ('{\n    "dependencies": {}\n}\n', ["dependencies"], "node-addon-api", "^8.2.2", None,
         '{\n    "dependencies": {\n      "node-addon-api": "^8.2.2"\n    }\n}\n'),
        ('{\n  "a": 1,\n  "c": 3\n}\n', [], "b", 2, "c", '{\n  "a": 1,\n  "b": 2,\n  "c": 3\n}\n'),
    ],
    ids=["new-nested-object-last", "crlf-tabs", "empty-object", "sorted-before"],
)
def test_insert_member(before, path, key, value, at, after):
    assert insert(before, path, key, value, at) == after


def test_invalid_json_names_the_line():
    with pytest.raises(BadInput) as info:
        loads(b'{\n  "a": 1,\n  "b": \n}\n', "p.json")
    assert info.value.line == 4 and "invalid JSON" in str(info.value)
