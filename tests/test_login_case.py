"""How case is handled in logins: a login is its exact text, and no two differ only by case.

On PostgreSQL a login is the name of the member's role, which is case-sensitive (quoted),
so `Maria` and `maria` would be two roles; a person typing `--as Maria`, or a plan file
naming `Maria`, means the member `maria`, and must be told so, not be made a second person.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.cli import tracker
from tests.conftest import PG_URL, _empty_database, dump
from tests.plans import MINIMAL
from tests.test_rights import CONVENE, A, two_cities
from tracker.db import make_engine


def test_a_login_differing_only_by_case_is_not_a_second_person(engine: Engine, db_url: str) -> None:
    """`member add Member` beside `member` is refused (exit 2) naming the existing login; broken,
    the city would have two people who look the same in every list, each with their own rights."""
    two_cities(engine)
    before = dump(engine)
    added = tracker("--db", db_url, "--as", "coord", "member", "add", "Member", "--role", "viewer", "-f", A)
    assert added.code == 2, added
    assert "'Member' differs only by case from the member 'member'" in added.err
    assert "use 'member'" in added.err
    assert dump(engine) == before
    assert tracker("--db", db_url, "--as", "coord", "member", "add", "member", "--role", "member", "-f", A).code == 0


def test_acting_as_a_login_in_another_case_says_which_one_exists(engine: Engine, db_url: str) -> None:
    """`--as Member` is not the member `member` (exit 4, nothing written), and the refusal names
    the login to use instead of suggesting to add a new member."""
    two_cities(engine)
    before = dump(engine)
    result = tracker("--db", db_url, "--as", "Member", "actions", "note", CONVENE, "hello")
    assert result.code == 4, result
    assert "differs only by case from the member 'member'" in result.err
    assert "member add" not in result.err
    assert dump(engine) == before


@pytest.mark.parametrize("where", ["in the database", "in the same file"])
def test_a_plan_file_naming_a_login_in_another_case_is_refused(
    engine: Engine, db_url: str, tmp_path: Path, where: str
) -> None:
    """A plan file's `members` with `Member` beside an existing `member` (or both in one file)
    is refused with the file, line and field, and nothing of the file is applied."""
    two_cities(engine)
    twins = "  - {login: Member, role: viewer}\n"
    if where == "in the same file":
        twins = "  - {login: newbie, role: viewer}\n  - {login: NewBie, role: viewer}\n"
    plan = tmp_path / "plan.yaml"
    plan.write_text(MINIMAL.replace("title: Convene the working group", "title: Convene them") + "members:\n" + twins)
    before = dump(engine)
    result = tracker("--db", db_url, "--as", "coord", "seed", str(plan))
    assert result.code == 2, result
    assert "differs only by case" in result.err and "plan.yaml" in result.err and "login" in result.err
    assert dump(engine) == before
    if where == "in the same file":  # a fault of the file alone: `validate` says so without a database
        checked = tracker("validate", str(plan))
        assert checked.code == 2 and "differs only by case" in checked.err, checked


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL only: the unique index on lower(login)")
def test_the_database_refuses_a_case_twin_from_any_tool(engine: Engine) -> None:
    """psql or any other tool inserting `Member` beside `member` is refused by the database."""
    two_cities(engine)
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO member (login, created_at) VALUES ('Member', now())"))


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL only: migration 0014 makes its index there")
def test_the_upgrade_names_logins_that_differ_only_by_case(tmp_path: Path, pg_template: str | None) -> None:
    """A database that already has `ana` and `Ana` is not upgraded (one sentence naming them,
    exit 2); once one is renamed it is, and the downgrade takes the index away again."""
    from alembic import command

    from tracker.db.migrate import alembic_config

    with _empty_database(tmp_path, pg_template, "casetwins") as url:
        engine = make_engine(url)
        with engine.connect() as conn:
            command.downgrade(alembic_config(conn), "0009")
            conn.commit()
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO member (login, created_at) VALUES ('ana', now()), ('Ana', now())"))
        refused = tracker("--db", url, "db", "upgrade")
        assert refused.code == 2, refused
        assert "'Ana' and 'ana'" in refused.err and "tracker db upgrade" in refused.err
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE member SET login = 'ana.2', db_role = 'ana.2' WHERE login = 'Ana'"))
        assert tracker("--db", url, "db", "upgrade").code == 0
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT to_regclass('ix_member_login_folded')")).scalar() is not None
            command.downgrade(alembic_config(conn), "0009")
            conn.commit()
            assert conn.execute(sa.text("SELECT to_regclass('ix_member_login_folded')")).scalar() is None
        engine.dispose()
