"""Members from the command line: who works on a framework, changing a role, taking it away;
never the last coordinator, never by someone without the right, never another city's list."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.engine import Engine

from tests.cli import tracker
from tests.conftest import admin_login, dump
from tests.plans import MINIMAL
from tests.tracking import seeded
from tracker.seeding import load_text, seed


@pytest.fixture
def db(engine: Engine, db_url: str) -> str:
    seeded(engine)
    return db_url


def test_list_shows_roles_and_organisations(db: str, engine: Engine) -> None:
    """A coordinator sees who works on the plan, in which role, for which organisation."""
    result = tracker("--db", db, "--as", "viewer", "member", "list", "-f", "stamford-ct", "--json")
    assert result.code == 0, result.err
    rows = {r["login"]: r for r in json.loads(result.out)}
    assert rows["coord"]["roles"] == {"stamford-ct": "coordinator"}
    assert rows["domus"]["organisations"] == {"stamford-ct": ["domus-kids"]}
    assert rows["viewer"]["roles"] == {"stamford-ct": "viewer"} and not rows["viewer"]["admin"]
    assert "domus-kids" in tracker("--db", db, "--as", "coord", "member", "list").out


def test_list_is_scoped_to_the_readers_frameworks(db: str, engine: Engine) -> None:
    """A member of one city never reads another city's member list."""
    other = MINIMAL.replace("key: stamford-ct", "key: riverton", 1)
    seed(engine, [load_text(other, source="other.yaml")], actor=admin_login(engine))
    assert tracker("--db", db, "member", "add", "rita", "--role", "coordinator", "-f", "riverton").code == 0
    mine = json.loads(tracker("--db", db, "--as", "coord", "member", "list", "--json").out)
    assert "rita" not in {r["login"] for r in mine}
    refused = tracker("--db", db, "--as", "coord", "member", "list", "-f", "riverton")
    assert refused.code == 4, refused
    every = json.loads(tracker("--db", db, "member", "list", "--json").out)  # the admin
    assert {"rita", "coord", admin_login(engine)} <= {r["login"] for r in every}


def test_set_role_and_remove(db: str, engine: Engine) -> None:
    """A coordinator promotes a member, then the old coordinator can step down; removing a
    member takes their role and organisations in that framework."""
    assert (
        tracker(
            "--db", db, "--as", "coord", "member", "set-role", "city", "--role", "coordinator", "-f", "stamford-ct"
        ).code
        == 0
    )
    assert (
        tracker("--db", db, "--as", "city", "member", "set-role", "coord", "--role", "viewer", "-f", "stamford-ct").code
        == 0
    )
    removed = tracker("--db", db, "--as", "city", "member", "remove", "domus", "-f", "stamford-ct")
    assert removed.code == 0, removed.err
    rows = {r["login"]: r for r in json.loads(tracker("--db", db, "member", "list", "--json").out)}
    assert rows["city"]["roles"] == {"stamford-ct": "coordinator"}
    assert rows["coord"]["roles"] == {"stamford-ct": "viewer"}
    assert "domus" not in rows


def test_refusals_change_nothing(db: str, engine: Engine) -> None:
    """Members and viewers cannot change roles; the last coordinator stays; unknown names exit 2."""
    before = dump(engine)
    fw = ["-f", "stamford-ct"]
    cases = [
        (4, ["--as", "city", "member", "set-role", "domus", "--role", "coordinator", *fw], "only a coordinator"),
        (4, ["--as", "viewer", "member", "remove", "domus", *fw], "only a coordinator"),
        (4, ["--as", "coord", "member", "set-role", "coord", "--role", "member", *fw], "last coordinator"),
        (4, ["--as", "coord", "member", "remove", "coord", *fw], "last coordinator"),
        (2, ["--as", "coord", "member", "remove", "nobody", *fw], "has no role in stamford-ct"),
        (2, ["--as", "coord", "member", "set-role", "city", "--role", "boss", *fw], "--role"),
    ]  # fmt: skip
    for code, args, says in cases:
        result = tracker("--db", db, *args)
        assert result.code == code, (args, result)
        assert says in result.err, (args, result.err)
    assert dump(engine) == before
