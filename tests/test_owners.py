"""Owners of actions from the command line: a coordinator names the person responsible,
members find their own actions first; every refusal leaves the database as it was."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.cli import tracker
from tests.conftest import dump
from tests.tracking import CONVENE, REPORTING, seeded


@pytest.fixture
def db(engine: Engine, db_url: str) -> str:
    seeded(engine)
    return db_url


def _show(db: str, ref: str) -> dict[str, object]:
    return json.loads(tracker("--db", db, "actions", "show", ref, "--json").out)["row"]


def _audit(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                sa.text(
                    "SELECT pc.field, pc.old, pc.new, m.login FROM plan_change pc "
                    "LEFT JOIN member m ON m.id = pc.member_id ORDER BY pc.id"
                )
            )
        ]


def test_set_change_and_clear_the_owner(db: str, engine: Engine) -> None:
    """A coordinator names who is responsible, hands over, and clears it; each step is a
    new version, shown in `show` and JSON, and audited with logins as people name them."""
    version = int(_show(db, CONVENE)["version"])  # type: ignore[call-overload]
    result = tracker("--db", db, "--as", "coord", "actions", "edit", CONVENE, "--owner", "city", "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["owner"] == "city"
    assert _show(db, CONVENE)["owner"] == "city" and _show(db, CONVENE)["version"] == version + 1
    shown = tracker("--db", db, "actions", "show", CONVENE)
    assert "owner  city" in shown.out
    # A partner's person may own it too (domus works for domus-kids, a partner).
    args = ["--db", db, "--as", "coord", "actions", "edit", CONVENE, "--owner", "domus"]
    assert tracker(*args, "--expect-version", str(version + 1)).code == 0
    assert tracker("--db", db, "--as", "coord", "actions", "edit", CONVENE, "--no-owner").code == 0
    assert _show(db, CONVENE)["owner"] is None
    assert _audit(engine) == [
        ("owner", None, "city", "coord"),
        ("owner", "city", "domus", "coord"),
        ("owner", "domus", None, "coord"),
    ]
    history = json.loads(tracker("--db", db, "actions", "history", CONVENE, "--json").out)
    assert [(c["field"], c["old"], c["new"]) for c in history["plan_changes"]][-1] == ("owner", "domus", None)


def test_add_with_an_owner(db: str, engine: Engine) -> None:
    """An action added in the CLI may name its owner at once."""
    result = tracker(
        "--db", db, "--as", "coord", "actions", "add", "stamford-ct/g1-o1", "--key", "youth-survey",
        "--title", "Survey young people", "--lead", "city-of-stamford", "--due", "2025-09-30",
        "--owner", "city", "--json",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert json.loads(result.out)["owner"] == "city"


def test_owner_refusals_change_nothing(db: str, engine: Engine) -> None:
    """Only a coordinator names owners (exit 4); an owner who is not a member, or who works
    for none of the action's organisations, is bad input naming --owner and the fix (exit 2)."""
    before = dump(engine)
    edit = ["actions", "edit", CONVENE]
    cases = [
        (4, ["--as", "city", *edit, "--owner", "city"], "only a coordinator of stamford-ct"),
        (4, ["--as", "viewer", *edit, "--owner", "city"], "only a coordinator of stamford-ct"),
        (2, ["--as", "coord", *edit, "--owner", "nobody"], "--owner: 'nobody' is not a member yet"),
        (2, ["--as", "coord", *edit, "--owner", "church"], "--owner: 'church' works for none of the action's"),
        (2, ["--as", "coord", *edit, "--owner", "bad login!"], "--owner"),
        (2, ["--as", "coord", *edit, "--owner", "city", "--no-owner"], "not both"),
        (2, ["--as", "coord", "actions", "add", "stamford-ct/g1-o1", "--key", "k", "--title", "T",
             "--lead", "union-church", "--due", "2025-06", "--owner", "city"], "--owner: 'city' works for none"),
    ]  # fmt: skip
    for code, args, says in cases:
        result = tracker("--db", db, *args)
        assert result.code == code, (args, result)
        assert says in result.err, (args, result.err)
        assert "Traceback" not in result.err
    assert dump(engine) == before


def test_a_lead_change_that_leaves_the_owner_out_is_refused(db: str, engine: Engine) -> None:
    """Handing the lead to an organisation the owner does not work for must not leave an
    owner who has nothing to do with the action: it says to name another owner too."""
    assert tracker("--db", db, "--as", "coord", "actions", "edit", CONVENE, "--owner", "city").code == 0
    before = dump(engine)
    result = tracker("--db", db, "--as", "coord", "actions", "edit", CONVENE, "--lead", "union-church")
    assert result.code == 2 and "--owner: 'city' works for none" in result.err
    assert dump(engine) == before
    args = ["--db", db, "--as", "coord", "actions", "edit", CONVENE, "--lead", "union-church", "--owner", "church"]
    assert tracker(*args).code == 0


def test_list_by_owner_and_mine(db: str, engine: Engine) -> None:
    """`--owner` lists what one person owns; `--mine` lists my own actions first, then my
    organisations' (in the frameworks where I work for them), each with its owner."""
    # church owns nothing yet: their organisation's action only.
    mine = json.loads(tracker("--db", db, "--as", "church", "actions", "list", "--mine", "--json").out)
    assert [a["ref"] for a in mine["actions"]] == [REPORTING]
    # Give church CONVENE through a partner, and own it: it comes first though due later or not.
    for args in (
        ["actions", "edit", CONVENE, "--partner", "union-church"],
        ["actions", "edit", CONVENE, "--owner", "church"],
    ):
        assert tracker("--db", db, "--as", "coord", *args).code == 0
    mine = json.loads(tracker("--db", db, "--as", "church", "actions", "list", "--mine", "--json").out)
    assert [(a["ref"], a["owner"]) for a in mine["actions"]] == [(CONVENE, "church"), (REPORTING, None)]
    for desc in ([], ["--desc"]):  # owned first whichever way the rest is sorted
        rows = json.loads(tracker("--db", db, "--as", "church", "actions", "list", "--mine", *desc, "--json").out)
        assert rows["actions"][0]["ref"] == CONVENE
    owned = json.loads(tracker("--db", db, "actions", "list", "--owner", "church", "--json").out)
    assert [a["ref"] for a in owned["actions"]] == [CONVENE] and owned["total"] == 1
    table = tracker("--db", db, "--as", "church", "actions", "list", "--mine")
    assert "owner" in table.out and "church" in table.out and "church's (owned first" in table.out
    unknown = tracker("--db", db, "actions", "list", "--owner", "nobody")
    assert unknown.code == 2 and "owner: there is no member 'nobody'" in unknown.err
    csv = tracker("--db", db, "actions", "list", "--owner", "church", "--csv")
    assert csv.out.splitlines()[0].endswith(",owner") and csv.out.splitlines()[1].endswith(",church")
