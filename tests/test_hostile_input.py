"""Whatever bytes a script or a person feeds the importer, the answer is a sentence, not a crash."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from tests.cli import tracker, tracker_process
from tests.conftest import dump
from tests.plans import MINIMAL, with_change
from tracker.db import make_engine
from tracker.seeding import PlanProblems, load_data, load_text
from tracker.text import visible_controls

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


# -- hostile plan files through the command line --------------------------------------------------
#
# Each example is a plan file with at least one defect (so exit 2 is the only right
# answer), built from the minimal plan or from nothing: wrong types, unknown fields,
# duplicate keys, huge and odd strings, control characters, deep nesting, alias bombs,
# random structure. `tracker validate` and `tracker seed` must each answer within
# SECONDS with exit 2 and located problems (``file:line...`` or ``file: field...``),
# never a traceback, and the database must be left exactly as it was.

# Per command and file. The slowest examples take about 0.2 s on a quiet machine; the bound
# is what tells "bounded" from "hangs" (seconds, not minutes), with room for a loaded
# 2-core CI machine, where 2 s failed on a correct run.
SECONDS = 5.0

odd_text = st.lists(
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=10)
    | st.sampled_from(["\x1b[31m", "\u202e", "\ufeff", "[/]", "[link=http://x]"]),
    max_size=5,
).map("".join)
WRONG_TYPES = {
    "near_term_months: 6": ["near_term_months: [6]", "near_term_months: six", "near_term_months: {n: 6}"],
    "cost: 15000": ["cost: lots", "cost: [15000]", "cost: -1e400", "cost: .nan"],
    "due: 2025-06-30": ["due: true", "due: 2025-13-45", "due: [2025]"],
    "participants: [city-of-stamford, domus-kids, union-church]": ["participants: 5", "participants: {a: b}"],
    "stage: draft": ["stage: 7", "stage: [draft]", "stage: nonsense"],
    "lead: union-church": ["lead: 12", "lead: null", "lead: nobody-here"],
}


@st.composite
def hostile_yaml(draw: st.DrawFn) -> str:
    kind = draw(
        st.sampled_from(["wrong type", "unknown field", "duplicate key", "huge title", "control", "nesting", "bomb"])
    )
    text = MINIMAL
    if kind == "wrong type":
        old = draw(st.sampled_from(sorted(WRONG_TYPES)))
        text = with_change(old, draw(st.sampled_from(WRONG_TYPES[old])))
    elif kind == "unknown field":
        name = draw(st.from_regex(r"[a-z_]{1,12}", fullmatch=True).filter(lambda n: n not in MINIMAL))
        text = with_change(
            "  title: Stamford prevention framework", f"  title: Stamford prevention framework\n  {name}: 1"
        )
    elif kind == "duplicate key":
        text = with_change(
            "            horizon: near_term", "            horizon: near_term\n            horizon: long_term"
        )
    elif kind == "huge title":
        title = (draw(odd_text) + "x") * draw(st.integers(501, 20_000))
        text = with_change("title: Convene the working group", f"title: {json.dumps(title)}")
    elif kind == "control":
        char = draw(st.sampled_from([c for c in map(chr, range(32)) if c not in "\t\n\r"] + ["\x7f", "\x85"]))
        at = draw(st.integers(0, len(MINIMAL)))
        text = MINIMAL[:at] + char + MINIMAL[at:]
    elif kind == "nesting":
        depth = draw(st.integers(65, 20_000))
        text = with_change("cost: null", "cost: " + "[" * depth + "]" * depth)
    else:  # a billion laughs, scaled by the draw
        width = draw(st.integers(5, 10))
        lines = ["a: &a [" + ", ".join(["x"] * width) + "]"]
        for n in range(1, draw(st.integers(4, 9))):
            lines.append(f"{'a' * (n + 1)}: &{'a' * (n + 1)} [" + ", ".join([f"*{'a' * n}"] * width) + "]")
        text = "\n".join(lines) + "\n" + MINIMAL
    if draw(st.booleans()):  # odd, valid text in a free-text field on top of the defect
        text = text.replace("Leadership group workshop", json.dumps(draw(odd_text))[1:-1] or "x", 1)
    return text


random_structure = json_values.map(lambda v: json.dumps(v, ensure_ascii=False)) | st.text(max_size=200)


def _refused_quietly(path: Path, db_url: str, engine: Engine, before: object) -> None:
    """validate and seed each answer exit 2 with located problems, quickly; no data changes."""
    for command in ("validate", "seed"):
        started = time.perf_counter()
        result = tracker("--db", db_url, command, str(path))  # raises if a traceback would show
        took = time.perf_counter() - started
        assert took < SECONDS, f"{command} took {took:.2f}s on {path.read_text(errors='replace')[:200]!r}"
        assert result.code == 2, (command, result)
        lines = result.err.strip().split("\n")
        assert lines[-1].startswith("tracker: ") and lines[-1].endswith("; nothing was written."), result.err
        assert visible_controls(result.err.replace("\n", "")) == result.err.replace("\n", "")  # no raw controls
        assert lines[:-1] and all(line.startswith(f"{path}:") for line in lines[:-1]), result.err
    assert dump(engine) == before


@pytest.fixture
def seeded_db(db_url: str, engine: Engine) -> tuple[str, Engine]:
    assert tracker("--db", db_url, "seed", "-", input=MINIMAL).code == 0
    return db_url, engine


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=hostile_yaml())
def test_hostile_plan_files_get_located_problems_and_change_nothing(
    seeded_db: tuple[str, Engine], tmp_path: Path, text: str
) -> None:
    """Whatever defect a plan file has, validate and seed name it with its place, quickly."""
    db_url, engine = seeded_db
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    _refused_quietly(path, db_url, engine, dump(engine))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=random_structure, suffix=st.sampled_from([".yaml", ".json"]))
def test_random_structure_gets_located_problems_and_changes_nothing(
    seeded_db: tuple[str, Engine], tmp_path: Path, text: str, suffix: str
) -> None:
    """Any JSON value or text, as a plan file: a located answer, never a traceback."""
    db_url, engine = seeded_db
    path = tmp_path / f"random{suffix}"
    path.write_text(text, encoding="utf-8")
    _refused_quietly(path, db_url, engine, dump(engine))


@pytest.mark.parametrize(
    "name, data",
    [
        ("bytes.yaml", b"\xff\xfe\x00garbage\x00"),
        (
            "bomb.yaml",
            (
                "a: &a [x,x,x,x,x,x,x,x,x]\n"
                + "".join(
                    f"{'a' * (n + 1)}: &{'a' * (n + 1)} [" + ",".join([f"*{'a' * n}"] * 9) + "]\n" for n in range(1, 9)
                )
            ).encode(),
        ),
        ("deep.json", b"[" * 100_000 + b"]" * 100_000),
        ("huge.yaml", MINIMAL.replace("Convene the working group", "x" * 5_000_000).encode()),
    ],
    ids=["binary", "alias-bomb", "deep-nesting", "5-MB-title"],
)
def test_hostile_files_as_a_real_process(db_url: str, engine: Engine, tmp_path: Path, name: str, data: bytes) -> None:
    """The installed command, as a script runs it, on the classic attacks: exit 2, a located
    sentence, no traceback, no change, within SECONDS each."""
    assert tracker_process("--db", db_url, "seed", "-", input=MINIMAL).code == 0
    before = dump(engine)
    path = tmp_path / name
    path.write_bytes(data)
    for command in ("validate", "seed"):
        started = time.perf_counter()
        result = tracker_process("--db", db_url, command, str(path))
        took = time.perf_counter() - started
        assert took < SECONDS + 1.0, f"{command} took {took:.2f}s"  # + starting Python (about 0.3 s)
        assert result.code == 2, result
        assert result.err.startswith(f"{path}:") and "Traceback" not in result.err, result.err[:500]
    assert dump(engine) == before


@pytest.mark.parametrize(
    "text, line, column",
    [("\x85" + MINIMAL, 1, 1), (MINIMAL.replace("Convene the working group", "Convene\u2028the group"), None, None)],
    ids=["NEL-first", "line-separator-in-a-title"],
)
def test_a_line_break_no_editor_shows_is_located(
    db_url: str, engine: Engine, tmp_path: Path, text: str, line: int | None, column: int | None
) -> None:
    """U+0085 and U+2028 are line breaks to YAML that an editor does not show (NEL is mostly
    an ellipsis saved in the wrong encoding): the file is refused at the character, not read
    with lines its author never wrote."""
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    before = dump(engine)
    result = tracker("--db", db_url, "validate", str(path))
    assert result.code == 2, result
    if line is None:
        at = text.index("\u2028")
        line, column = text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at)
    assert f"{path}:{line}:{column}: holds U+" in result.err, result.err
    assert dump(engine) == before
