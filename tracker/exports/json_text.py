"""JSON as every command writes it for scripts: one layout, loading nothing but the json module."""

from __future__ import annotations

import json
from typing import Any

_ENCODER = json.JSONEncoder(ensure_ascii=False)


def json_text(data: Any) -> str:
    """JSON laid out for reading and grepping: a document's fields one per line, and
    the items of a list field one per line, each on a single line.

    ``json.dumps(indent=2)`` switches to the pure-Python encoder, which took a
    third of `actions list --json` at 10,000 actions; every line here comes from
    the C encoder (the layout is whitespace only: the data are the same).
    Characters a terminal would act on are escaped (`escape_invisible`), so that
    ``--json | cat`` is inert.
    """
    from tracker.text import escape_invisible

    return escape_invisible(_layout(data))


def _layout(data: Any) -> str:
    encode = _ENCODER.encode
    if isinstance(data, list) and data:
        return "[\n" + ",\n".join(f"  {encode(item)}" for item in data) + "\n]"
    if not isinstance(data, dict) or not data:
        return encode(data)
    fields = []
    for key, value in data.items():
        name = encode({key: 0})[1:-4]  # the key as json writes it: '{"key": 0}' -> '"key"'
        if isinstance(value, list) and value:
            items = ",\n".join(f"    {encode(item)}" for item in value)
            fields.append(f"  {name}: [\n{items}\n  ]")
        else:
            fields.append(f"  {name}: {encode(value)}")
    return "{\n" + ",\n".join(fields) + "\n}"
