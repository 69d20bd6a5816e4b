"""Owners in plan files: checked like every other reference (file, line, fix), written by
seeding, exported again, and never undone by seeding an older file."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.cli import tracker
from tests.conftest import dump
from tests.plans import MINIMAL, with_change
from tests.tracking import CONVENE, seeded

OWNED = "            partners: [domus-kids]\n            owner: city\n"
MEMBERS = (
    "funding_sources:",
    "members:\n  - {login: ana, role: member, stakeholders: [domus-kids]}\nfunding_sources:",
)


def _owner(engine: Engine, key: str = "convene") -> str | None:
    with engine.connect() as conn:
        return conn.execute(
            sa.text("SELECT m.login FROM action a LEFT JOIN member m ON m.id = a.owner_id WHERE a.key = :k"),
            {"k": key},
        ).scalar()


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_a_plan_file_names_owners(tmp_path: Path, db_url: str, engine: Engine) -> None:
    """`owner: LOGIN` on an action makes that member its owner, shown by the CLI."""
    seeded(engine)  # city works for city-of-stamford, convene's lead
    plan = tmp_path / "plan.yaml"
    plan.write_text(with_change("            partners: [domus-kids]\n", OWNED))
    result = tracker("--db", db_url, "seed", str(plan))
    assert result.code == 0, result.err
    assert _owner(engine) == "city"
    shown = json.loads(tracker("--db", db_url, "actions", "show", CONVENE, "--json").out)
    assert shown["row"]["owner"] == "city"
    # Taking the owner out of the file (nobody changed it in the tool) clears it.
    plan.write_text(MINIMAL)
    assert tracker("--db", db_url, "seed", str(plan)).code == 0
    assert _owner(engine) is None


def test_members_the_file_adds_may_own_its_actions(tmp_path: Path, db_url: str, engine: Engine) -> None:
    """A file that adds a member and names them owner in one go works: members are written first."""
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        with_change(*MEMBERS, with_change("            partners: [domus-kids]\n", OWNED.replace("city", "ana")))
    )
    result = tracker("--db", db_url, "seed", str(plan))
    assert result.code == 0, result.err
    assert _owner(engine) == "ana"


def test_an_owner_who_may_not_own_the_action_is_refused_at_its_line(
    tmp_path: Path, db_url: str, engine: Engine
) -> None:
    """An unknown login, or one who works for none of the action's organisations, is said
    with the file, the line and the fix; nothing of the file is written."""
    seeded(engine)
    before = dump(engine)
    plan = tmp_path / "plan.yaml"
    for login, words in (
        ("nobody", ["'nobody' is not a member yet", "tracker member add nobody --framework stamford-ct"]),
        ("church", ["'church' works for none of the action's organisations in stamford-ct"]),
    ):
        text = with_change("            partners: [domus-kids]\n", OWNED.replace("city", login))
        plan.write_text(text)
        result = tracker("--db", db_url, "seed", str(plan))
        assert result.code == 2, result
        first = result.err.splitlines()[0]
        assert first.startswith(f"{plan}:{_line_of(text, 'owner:')}:"), result.err
        assert all(w in result.err for w in words), result.err
        assert "Traceback" not in result.err
        assert dump(engine) == before


def test_seeding_an_older_file_never_undoes_owners_or_partners_set_in_the_tool(
    tmp_path: Path, db_url: str, engine: Engine
) -> None:
    """A coordinator hands an action to a person and adds a partner in the tool; the old
    plan file seeded again is refused with who changed what, and changes nothing, until
    the file says the same or --overwrite is given."""
    seeded(engine)
    plan = tmp_path / "plan.yaml"
    plan.write_text(MINIMAL)
    for args in (["--owner", "city"], ["--partner", "union-church"]):
        assert tracker("--db", db_url, "--as", "coord", "actions", "edit", CONVENE, *args).code == 0
    before = dump(engine)
    refused = tracker("--db", db_url, "seed", str(plan))
    assert refused.code == 2, refused
    assert "owner was changed in the tool by coord" in refused.err and "to 'city'" in refused.err
    assert "partners was changed in the tool by coord" in refused.err
    assert "'domus-kids, union-church'" in refused.err
    assert dump(engine) == before
    # The file brought up to date applies cleanly, and keeps both.
    plan.write_text(
        with_change("            partners: [domus-kids]\n", OWNED.replace("[domus-kids]", "[domus-kids, union-church]"))
    )
    result = tracker("--db", db_url, "seed", str(plan))
    assert result.code == 0, result.err
    assert _owner(engine) == "city"
    # --overwrite replaces the tool's edits on purpose.
    plan.write_text(MINIMAL)
    assert tracker("--db", db_url, "seed", "--overwrite", str(plan)).code == 0
    assert _owner(engine) is None
