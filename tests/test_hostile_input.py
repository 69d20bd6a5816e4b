"""Whatever bytes a script or a person feeds the importer, the answer is a sentence, not a crash."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cli import tracker
from tests.plans import MINIMAL, with_change
from tracker.db import make_engine
from tracker.seeding import PlanProblems, load_data, load_text

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["key", "framework", "goals", "title", "x"]) | st.text(max_size=8),
            children,
            max_size=4,
        )
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_any_text_is_a_plan_or_located_problems(text: str) -> None:
    try:
        load_text(text, source="fuzz.yaml")
    except PlanProblems as problems:
        assert problems.problems
        assert all(str(p).startswith("fuzz.yaml") for p in problems.problems)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_any_data_is_a_plan_or_located_problems(data: object) -> None:
    try:
        load_data(data, source="fuzz")
    except PlanProblems as problems:
        assert problems.problems


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(["framework", "stakeholders", "goals", "members", "workshops"]), json_values))
def test_plan_shaped_json_text_is_handled(data: dict[str, object]) -> None:
    text = json.dumps(data)
    try:
        load_text(text, source="fuzz.json")
    except PlanProblems as problems:
        assert problems.problems


def test_failed_seed_leaves_the_sqlite_file_byte_for_byte(tmp_path: Path, sqlite_path: Path) -> None:
    """After any error the database file is exactly what it was, down to the bytes."""
    good = tmp_path / "good.yaml"
    good.write_text(MINIMAL)
    assert tracker("--db", str(sqlite_path), "seed", str(good)).code == 0
    make_engine(str(sqlite_path)).dispose()  # the last connection checkpoints the WAL
    before = hashlib.sha256(sqlite_path.read_bytes()).hexdigest()
    # The first file is written before the second one fails against the database.
    edited = tmp_path / "norwalk.yaml"
    edited.write_text(with_change("key: stamford-ct", "key: norwalk-ct").replace("city: Stamford", "city: Norwalk"))
    conflict = tmp_path / "conflict.yaml"
    conflict.write_text(with_change("key: stamford-ct", "key: stamford-ny").replace("state: CT", "state: NY"))
    result = tracker("--db", str(sqlite_path), "seed", str(edited), str(conflict))
    assert result.code == 2
    assert "already holds Stamford in CT" in result.err
    assert hashlib.sha256(sqlite_path.read_bytes()).hexdigest() == before
