"""Bad plan files: one located, fixable message per problem, exit 2, nothing written."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from tests.cli import tracker
from tests.conftest import dump
from tests.plans import MINIMAL, with_change

# (what a user got wrong, the edit, the line it is on, words the message must have)
CASES = [
    (
        "yaml syntax",
        (
            "    title: Coordinate prevention across the city",
            "    title: Coordinate: prevention: x",
        ),
        37,
        ["YAML syntax error", "quote"],
    ),
    (
        "wrong type",
        ("near_term_months: 6", "near_term_months: six"),
        9,
        ["framework.near_term_months", "integer"],
    ),
    (
        "unknown enum",
        ("sector: faith}", "sector: church}"),
        14,
        ["stakeholders[2].sector", "'church' is not allowed", "faith"],
    ),
    (
        "ambiguous date",
        ("due: 2025-06-30", "due: 03/04/2025"),
        52,
        ["actions[0].due", "not an ISO date", "YYYY-MM-DD"],
    ),
    (
        "impossible date",
        ("due: 2025-06-30", "due: 2025-02-30"),
        52,
        ["actions[0].due", "not a real date"],
    ),
    (
        "negative amount",
        ("cost: 15000", "cost: -15000"),
        53,
        ["actions[0].cost", "too small", "greater than or equal to 0"],
    ),
    (
        "duplicate action key",
        ("          - key: reporting", "          - key: convene"),
        56,
        ["actions[1].key", "'convene' is used twice"],
    ),
    (
        "duplicate mapping key",
        (
            "            horizon: near_term\n",
            "            horizon: near_term\n            horizon: mid_term\n",
        ),
        48,
        ["'horizon' appears twice"],
    ),
    (
        "unknown stakeholder",
        ("            lead: union-church", "            lead: union-chruch"),
        58,
        ["actions[1].lead", "'union-chruch' is not a stakeholder", "stakeholders:"],
    ),
    (
        "unknown source",
        ("funding: [{source: dhs-cp3,", "funding: [{source: dhs-cp4,"),
        55,
        ["funding[0].source", "'dhs-cp4' is not a funding source"],
    ),
    (
        "unknown finding",
        ("    findings: [2024-12-09/f2]", "    findings: [2024-12-09/f9]"),
        38,
        ["goals[0].findings[0]", "names no finding"],
    ),
    (
        "unknown workshop",
        ("    findings: [2024-12-09/f2]", "    findings: [2023-01-01/f2]"),
        38,
        ["goals[0].findings[0]", "names no workshop"],
    ),
    (
        "allocation over the source",
        ("amount: 10000, fiscal_year", "amount: 60000, fiscal_year"),
        55,
        ["funding[0].amount", "more than its committed amount 50000"],
    ),
    (
        "due before start",
        ("starts: 2025-02\n", "starts: 2025-08\n"),
        52,
        ["actions[0].due", "before it starts"],
    ),
    (
        "unknown field",
        ("            cost: null", "            costs: null"),
        60,
        ["actions[1].costs", "not a known field", "cost"],
    ),
    ("bad key", ("  - key: g1\n", "  - key: Goal One\n"), 36, ["goals[0].key", "'goal-one'"]),
    (
        "missing field",
        ("  title: Stamford prevention framework\n", ""),
        2,
        ["framework.title", "missing"],
    ),
]


@pytest.mark.parametrize(("edit", "line", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_mistake_is_located_and_explained(
    tmp_path: Path, db_url: str, engine: Engine, edit: tuple[str, str], line: int, words: list[str]
) -> None:
    """A user who makes this mistake is told the file, line, field and fix; nothing changes."""
    tracker("--db", db_url, "seed", _write(tmp_path, MINIMAL, "good.yaml"))
    before = dump(engine)
    bad = _write(tmp_path, with_change(*edit), "plan.yaml")
    for command in ("validate", "seed"):
        result = tracker("--db", db_url, command, bad)
        assert result.code == 2, result
        first = result.err.splitlines()[0]
        assert first.startswith(f"{bad}:{line}:"), result.err
        for word in words:
            assert word in result.err, result.err
        assert "Traceback" not in result.err
        assert result.err.rstrip().endswith("nothing was written.")
    assert dump(engine) == before


def test_every_problem_of_a_file_is_reported_at_once(tmp_path: Path, db_url: str) -> None:
    """A user fixes all mistakes in one go instead of one run per mistake."""
    text = with_change("lead: union-church", "lead: nobody")
    text = with_change("amount: 10000, fiscal_year", "amount: 60000, fiscal_year", text)
    text = with_change("starts: 2025-02\n", "starts: 2025-08\n", text)
    result = tracker("--db", db_url, "validate", _write(tmp_path, text, "plan.yaml"))
    assert result.code == 2
    assert len([line for line in result.err.splitlines() if line.startswith(str(tmp_path))]) == 3
    assert "3 problems in 1 file" in result.err


def test_problems_of_several_files_are_all_reported(tmp_path: Path, db_url: str) -> None:
    one = _write(tmp_path, with_change("sector: faith}", "sector: church}"), "one.yaml")
    two = _write(tmp_path, "framework: [", "two.yaml")
    result = tracker("--db", db_url, "validate", one, two)
    assert result.code == 2
    assert f"{one}:14:" in result.err and f"{two}:" in result.err
    assert "2 problems in 2 files" in result.err


def test_json_syntax_error_names_line_and_column(tmp_path: Path, db_url: str) -> None:
    bad = _write(tmp_path, '{"framework": {"key": "x",\n  "city": "A" "state": "B"}}', "plan.json")
    result = tracker("--db", db_url, "validate", bad)
    assert result.code == 2
    assert result.err.startswith(f"{bad}:2:15: invalid JSON")


def test_duplicate_keys_in_json_are_refused(tmp_path: Path, db_url: str) -> None:
    """In JSON the last duplicate silently wins; a plan file must not lose data that way."""
    bad = _write(tmp_path, '{"framework": {"key": "x",\n "key": "y"}}', "plan.json")
    result = tracker("--db", db_url, "validate", bad)
    assert result.code == 2
    assert f"{bad}:2:2: the key 'key' appears twice" in result.err


def test_alias_bomb_fails_fast_with_a_message(tmp_path: Path, db_url: str) -> None:
    """A hostile 'billion laughs' file is refused in well under a second, without eating memory."""
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for n in range(1, 9):
        prev, cur = chr(ord("a") + n - 1), chr(ord("a") + n)
        lines.append(f"{cur}: &{cur} [{', '.join(['*' + prev] * 10)}]")
    bomb = _write(tmp_path, "\n".join(lines) + "\n", "bomb.yaml")
    start = time.perf_counter()
    result = tracker("--db", db_url, "seed", bomb)
    assert time.perf_counter() - start < 2
    assert result.code == 2
    assert "alias bomb" in result.err


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "is empty"),
        ("- just\n- a list\n", "is a list"),
        ("framework: {}\n---\nframework: {}\n", "one document"),
        ("a: &a [*a]\n", "refers to itself"),
        ("[" * 5000, "nested too deeply"),
        ("title: \x00", "NUL byte"),
    ],
    ids=["empty", "list", "two documents", "self alias", "deep nesting", "binary"],
)
def test_hostile_or_odd_files_get_a_sentence_not_a_traceback(
    tmp_path: Path, db_url: str, text: str, words: str
) -> None:
    bad = _write(tmp_path, text, "odd.yaml")
    result = tracker("--db", db_url, "validate", bad)
    assert result.code == 2
    assert words in result.err


def test_missing_and_unreadable_files(tmp_path: Path, db_url: str) -> None:
    result = tracker("--db", db_url, "seed", str(tmp_path / "nope.yaml"))
    assert result.code == 2 and "no such file" in result.err
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes("framework:\n  city: Bogot\xe1\n".encode("latin-1"))
    result = tracker("--db", db_url, "validate", str(latin1))
    assert result.code == 2 and f"{latin1}:2: is not UTF-8" in result.err


def _write(folder: Path, text: str, name: str) -> str:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_yaml_numbers_used_as_keys_keep_their_text(tmp_path: Path, db_url: str) -> None:
    """`key: 07` is the key "07" (not 7), so references to it resolve as written."""
    text = with_change("      - key: f3\n", "      - key: 07\n")
    text = with_change("    findings: [2024-12-09/f2]", "    findings: [2024-12-09/07]", text)
    result = tracker("--db", db_url, "validate", _write(tmp_path, text, "plan.yaml"))
    assert result.code == 0, result.err


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (("state: CT", "state: ON"), "put the text in quotes"),
        (("  city: Stamford\n", "\tcity: Stamford\n"), "indent with spaces, not tabs"),
    ],
    ids=["yes-no word", "tab"],
)
def test_yaml_traps_get_a_hint(tmp_path: Path, db_url: str, edit: tuple[str, str], words: str) -> None:
    result = tracker("--db", db_url, "validate", _write(tmp_path, with_change(*edit), "plan.yaml"))
    assert result.code == 2 and words in result.err


def test_many_problems_in_a_big_file_are_located_quickly(tmp_path: Path, db_url: str) -> None:
    """Line numbers for thousands of problems must not take minutes."""
    head, _actions = MINIMAL.split("        actions:\n")
    many = "".join(
        f"          - {{key: a{n}, title: Action {n}, lead: nobody, due: 2025-06-30}}\n" for n in range(2000)
    )
    start = time.perf_counter()
    result = tracker("--db", db_url, "validate", _write(tmp_path, head + "        actions:\n" + many, "big.yaml"))
    assert time.perf_counter() - start < 10
    assert result.code == 2 and "2000 problems in 1 file" in result.err
    assert f"{tmp_path / 'big.yaml'}:2044:52: goals[0].objectives[0].actions[1999].lead" in result.err


def test_stdin_that_is_not_utf8_is_a_sentence(db_url: str) -> None:
    from tests.cli import tracker_process

    result = tracker_process(
        "--db", db_url, "validate", "-", input=None, stdin_bytes=b"framework:\n  city: Bogot\xe1\n"
    )
    assert result.code == 2 and "<stdin>:2: is not UTF-8" in result.err and "Traceback" not in result.err
