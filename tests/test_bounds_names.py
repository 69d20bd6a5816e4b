"""Logins and names follow one rule wherever they come in, so a stored member never stops
an export: what the plan, JSON and calendar exports would refuse, the input refuses."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from tests.cli import tracker
from tests.conftest import dump
from tests.plans import MINIMAL, with_change

LOOK_ALIKE = "\u0430dmin"  # Cyrillic 'а', then 'dmin': looks like 'admin'


@pytest.fixture
def db(db_url: str, tmp_path: Path) -> str:
    plan = tmp_path / "plan.yaml"
    plan.write_text(MINIMAL)
    assert tracker("--db", db_url, "seed", str(plan)).code == 0
    assert tracker("--db", db_url, "member", "add", "ana", "--role", "coordinator", "-f", "stamford-ct").code == 0
    return db_url


@pytest.mark.parametrize(
    ("args", "says"),
    [
        ((LOOK_ALIKE,), "ASCII"),
        (("a" * 64,), "63 characters"),
        (("ana smith",), "not a usable login"),
        (("omar", "--name", "O" * 501), "500"),
        (("omar", "--name", "   "), "name is empty"),
    ],
)
def test_member_add_refuses_what_an_export_could_not_write(
    db: str, engine: Engine, args: tuple[str, ...], says: str
) -> None:
    """A coordinator who added a look-alike login or a 501-character name left a member that
    made every plan, JSON and calendar export fail, with no command to fix it."""
    before = dump(engine)
    result = tracker("--db", db, "--as", "ana", "member", "add", *args, "--role", "member", "-f", "stamford-ct")
    assert result.code == 2, result
    assert says in result.err and len(result.err.splitlines()) == 1
    assert dump(engine) == before


def test_members_at_the_limits_can_be_exported(db: str, tmp_path: Path) -> None:
    """A 63-character login and a 500-character name are kept, and every export still works."""
    login = "o" * 63
    added = tracker("--db", db, "--as", "ana", "member", "add", login, "--name", "N" * 500, "-f", "stamford-ct",
                    "--role", "member")  # fmt: skip
    assert added.code == 0, added.err
    for fmt in ("plan", "json", "ics"):
        result = tracker("--db", db, "export", "--format", fmt, "-f", "stamford-ct", "-o", str(tmp_path / f"x.{fmt}"))
        assert result.code == 0, (fmt, result.err)


@pytest.mark.parametrize("login", [LOOK_ALIKE, "a" * 64, "x\x00y"])
def test_as_refuses_a_login_that_cannot_exist(db: str, engine: Engine, login: str) -> None:
    """`--as` with a look-alike or over-long login is said to be unusable (exit 2), instead
    of being looked up as if it could name a member."""
    before = dump(engine)
    result = tracker("--db", db, "--as", login, "actions", "note", "stamford-ct/convene", "hello")
    assert result.code == 2, result
    assert "--as" in result.err and "login" in result.err
    assert dump(engine) == before


@pytest.mark.parametrize(
    ("member", "says"),
    [
        (f"{{login: {LOOK_ALIKE}, role: member}}", "ASCII"),
        (f"{{login: ana, name: {'N' * 501}}}", "500"),
    ],
)
def test_a_plan_file_member_follows_the_same_rule(
    tmp_path: Path, db_url: str, engine: Engine, member: str, says: str
) -> None:
    """The plan file refuses the same logins and names as `member add`, with the line."""
    plan = tmp_path / "plan.yaml"
    plan.write_text(with_change("funding_sources:\n", f"members:\n  - {member}\nfunding_sources:\n"))
    before = dump(engine)
    result = tracker("--db", db_url, "seed", str(plan))
    assert result.code == 2, result
    assert result.err.startswith(f"{plan}:") and "members[0]" in result.err and says in result.err
    assert dump(engine) == before
