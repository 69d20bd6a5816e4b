"""The committed JSON Schema of plan files is the one the models generate."""

from __future__ import annotations

from tracker.seeding.schema import REGENERATE, SCHEMA_PATH, plan_schema_text


def test_committed_schema_matches_the_models() -> None:
    """Scripts and editors validate plan files with this schema: it must not drift."""
    assert SCHEMA_PATH.read_text(encoding="utf-8") == plan_schema_text(), (
        f"schema/plan.schema.json is out of date; run `{REGENERATE}` and commit the result"
    )
