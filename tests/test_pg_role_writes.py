"""The plan's and the people's commands, run as the members' own database roles.

A superuser (and the schema owner) bypasses row-level security, so a policy stricter
than `tracker.services.access.rules` goes unnoticed while the tests connect as them.
Here the CLI connects as a coordinator's, a member's and a viewer's login role (no
--as: on PostgreSQL the role is the identity): what the rules allow must succeed (a
write the services allowed and the database refused is a bug), what they refuse is
exit 4 with the database unchanged. Then the groups a login holds must follow its
roles down as well as up, and a demotion must not let a write already judged apply.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa

from tests.cli import Result, tracker
from tests.conftest import PG_URL, _empty_database, dump
from tests.test_pg_security import _dsn, _role_url, _stable
from tests.test_read_scope import PLAN_A, PLAN_B, A, B
from tracker.db import make_engine

pytestmark = pytest.mark.skipif(not PG_URL, reason="PostgreSQL only: set TRACKER_TEST_PG (SQLite has no roles)")

# A second objective in the first city, to move an action under.
PLAN_A2 = PLAN_A.replace(
    "          - key: reporting\n",
    "  - key: g2\n    title: Listen to young people\n    objectives:\n"
    "      - key: g2-o1\n        title: A youth panel\n        actions:\n"
    "          - key: youth-panel\n            title: Seat a youth panel\n"
    "            lead: domus-kids\n            due: 2026-03\n"
    "          - key: reporting\n",
    1,
)
assert PLAN_A2 != PLAN_A

# login -> (framework, role, organisations)
PEOPLE = {
    "coord-a": (A, "coordinator", ["city-of-stamford"]),
    "member-a": (A, "member", ["city-of-stamford"]),
    "viewer-a": (A, "viewer", []),
    "coord-b": (B, "coordinator", []),
}


@dataclass(frozen=True)
class World:
    url: str

    def run(self, role: str, *args: str) -> Result:
        """``tracker`` connected as ``role``'s own login role (no --as)."""
        return tracker("--db", _role_url(self.url, role), *args)

    def owner(self, *args: str) -> Result:
        return tracker("--db", self.url, *args)

    def sql(self, query: str, **params: Any) -> list[Any]:
        engine = make_engine(self.url)
        try:
            with engine.connect() as conn:
                return list(conn.execute(sa.text(query), params).all())
        finally:
            engine.dispose()

    def dump(self) -> dict[str, list[tuple[object, ...]]]:
        engine = make_engine(self.url)
        try:
            return dump(engine)
        finally:
            engine.dispose()

    def connect(self, role: str) -> psycopg.Connection[Any]:
        return psycopg.connect(_dsn(self.url, role), autocommit=True)


def _ok(result: Result) -> Result:
    assert result.code == 0, result.err
    return result


@pytest.fixture
def world(tmp_path: Path, pg_template: str | None) -> Iterator[World]:
    """Two cities, a coordinator, member and viewer of the first and a coordinator of the
    second, each with their login role; one action of the first added in the tool."""
    with _empty_database(tmp_path, pg_template, "rolewrites") as url:
        (tmp_path / "a.yaml").write_text(PLAN_A2)
        (tmp_path / "b.yaml").write_text(PLAN_B)
        w = World(url)
        _ok(w.owner("seed", str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml")))
        for login, (framework, role, orgs) in PEOPLE.items():
            _ok(w.owner("member", "add", login, "--role", role, "-f", framework, *[f"-s{o}" for o in orgs]))
        _ok(w.owner("actions", "add", f"{A}/g1-o1", "--key", "typo", "--title", "Added by mistake",
                    "--lead", "city-of-stamford", "--due", "2026-03"))  # fmt: skip
        yield w


# -- the plan's commands ------------------------------------------------------------------------

PLAN_WRITES = {
    "add": ["actions", "add", f"{A}/g1-o1", "--key", "youth-survey", "--title", "Survey young people",
            "--lead", "city-of-stamford", "--partner", "union-church", "--due", "2026-03", "--cost", "1200"],
    "edit": ["actions", "edit", f"{A}/convene", "--title", "Convene the group", "--due", "2026-06",
             "--cost", "16000", "--lead", "domus-kids", "--partner", "union-church", "--no-partner", "domus-kids"],
    "move": ["actions", "move", f"{A}/convene", "--objective", "g2-o1"],
    "cancel": ["actions", "cancel", f"{A}/convene", "-m", "merged into the youth panel"],
    "delete": ["actions", "delete", f"{A}/typo"],
    "set-role": ["member", "set-role", "member-a", "--role", "viewer", "-f", A],
    "promote": ["member", "set-role", "viewer-a", "--role", "coordinator", "-f", A],
    "remove": ["member", "remove", "viewer-a", "-f", A],
}  # fmt: skip


@pytest.mark.parametrize("write", sorted(PLAN_WRITES))
def test_a_coordinator_changes_the_plan_and_people_under_their_own_role(world: World, write: str) -> None:
    """Each plan edit and membership change a coordinator may make succeeds connected as
    the coordinator's role, and is recorded in their name; broken, a coordinator on the
    team server could not do their job (the delete's audit row, which outlives the action,
    was refused by a policy that wanted the action to exist)."""
    before = world.sql("SELECT count(*) FROM plan_change")[0][0]
    _ok(world.run("coord-a", *PLAN_WRITES[write]))
    if write in ("add", "edit", "move", "delete"):
        rows = world.sql(
            "SELECT m.login, p.item_kind, p.field FROM plan_change p JOIN member m ON m.id = p.member_id "
            "ORDER BY p.id OFFSET :n",
            n=before,
        )
        assert rows and {r.login for r in rows} == {"coord-a"}, rows
    if write == "delete":
        assert world.sql("SELECT count(*) FROM action WHERE key = 'typo'")[0][0] == 0
        assert [tuple(r) for r in world.sql("SELECT field, action_id FROM plan_change ORDER BY id DESC LIMIT 1")] == [
            ("deleted", None)
        ]
    if write == "cancel":
        assert world.sql("SELECT status FROM action WHERE key = 'convene'")[0][0] == "cancelled"
    if write in ("set-role", "promote", "remove"):
        roles = dict(
            world.sql(
                "SELECT m.login, ms.role FROM membership ms JOIN member m ON m.id = ms.member_id "
                "JOIN framework f ON f.id = ms.framework_id WHERE f.key = :a",
                a=A,
            )
        )
        expected = {"set-role": ("member-a", "viewer"), "promote": ("viewer-a", "coordinator")}.get(write)
        if expected:
            assert roles[expected[0]] == expected[1]
        else:
            assert "viewer-a" not in roles


@pytest.mark.parametrize("login", ["member-a", "viewer-a", "coord-b"])
@pytest.mark.parametrize("write", sorted(PLAN_WRITES))
def test_others_are_refused_with_the_rule_and_nothing_changes(world: World, write: str, login: str) -> None:
    """A member, a viewer or another city's coordinator connected as their own role: the
    service refuses with exit 4 and one sentence (or, for a city the login cannot see, says
    there is no such framework, exit 2), never a database error, and nothing changes."""
    before = world.dump()
    result = world.run(login, *PLAN_WRITES[write])
    # Another city's coordinator: refused by the rules (4), or told there is no such framework
    # (2) where the database hides the city from their role before the rules are asked.
    expected = (2, 4) if login == "coord-b" else (4,)
    assert result.code in expected, (result.code, result.err)
    assert result.err.startswith("tracker: ") and len(result.err.strip().splitlines()) == 1, result.err
    assert "Traceback" not in result.err and "psycopg" not in result.err
    assert world.dump() == before


def test_member_list_as_a_coordinator_names_each_database_role(world: World) -> None:
    """A coordinator reading the roster under their own role sees their city's people and the
    role each connects as; a policy hiding members would leave them out."""
    listed = json.loads(_ok(world.run("coord-a", "member", "list", "-f", A, "--json")).out)
    assert {m["login"]: m["database_role"] for m in listed} == {
        "coord-a": "coord-a",
        "member-a": "member-a",
        "viewer-a": "viewer-a",
    }
    as_viewer = json.loads(_ok(world.run("viewer-a", "member", "list", "--json")).out)
    assert sorted(m["login"] for m in as_viewer) == ["coord-a", "member-a", "viewer-a"]


FUNDING_READS = [
    ("funding", "gaps", "--json"),
    ("funding", "gaps", "--by", "framework", "--json"),
    ("funding", "sources", "--json"),
    ("funding", "risks", "--months", "600", "--json"),
    ("coverage", "--json"),
    ("report", "-f", A, "--since", "2020-01-01"),
    ("export", "-F", "json"),
]


@pytest.mark.parametrize("command", FUNDING_READS, ids=" ".join)
def test_a_coordinator_reads_funding_under_their_role(world: World, command: tuple[str, ...]) -> None:
    """The funding figures (a shared source's remaining amount included) read as the
    coordinator's role equal what the tool shows that coordinator as the owner; a policy
    hiding an allocation of the other city would change the remaining amount."""
    as_role = world.run("coord-a", *command)
    as_owner = tracker("--db", world.url, "--as", "coord-a", *command)
    assert as_role.code == as_owner.code == 0, as_role.err
    assert _stable(as_role.out) == _stable(as_owner.out)


# -- groups follow a role down ------------------------------------------------------------------


def _groups(world: World, login: str) -> list[str]:
    """The tracker groups of this database that ``login``'s role belongs to, without prefix."""
    return [
        name.removeprefix(prefix)
        for name, prefix in world.sql(
            "SELECT g.rolname, tracker_private.role_prefix() FROM pg_auth_members m "
            "JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles r ON r.oid = m.member "
            "WHERE r.rolname = :r AND starts_with(g.rolname, tracker_private.role_prefix()) ORDER BY 1",
            r=login,
        )
    ]


def _seen_by(world: World, login: str) -> dict[str, int | None]:
    """Rows of a few tables that ``login``'s role reads with plain SQL (None: refused)."""
    seen: dict[str, int | None] = {}
    with world.connect(login) as conn:
        for table in ("framework", "action", "membership", "status_change"):
            try:
                seen[table] = conn.execute(f"SELECT count(*) FROM {table}".encode()).fetchone()[0]  # type: ignore[index]
            except psycopg.errors.InsufficientPrivilege:
                seen[table] = None
    return seen


def test_a_demoted_or_removed_member_loses_the_group_they_no_longer_have(world: World, tmp_path: Path) -> None:
    """Demoted by `member set-role`, lowered by a re-seeded plan file, or taken out by `member
    remove`: the login's database role keeps only the group of the role it still has, and
    with no role anywhere it reads no framework's rows. Broken, a coordinator demoted on
    Monday could still write the plan with psql on Tuesday."""
    assert _groups(world, "viewer-a") == ["viewer"]
    _ok(world.run("coord-a", "member", "set-role", "viewer-a", "--role", "coordinator", "-f", A))
    assert _groups(world, "viewer-a") == ["coordinator"]
    _ok(world.run("coord-a", "member", "set-role", "viewer-a", "--role", "member", "-f", A))
    assert _groups(world, "viewer-a") == ["member"]
    with world.connect("viewer-a") as conn:  # the coordinator's rights are gone with the group
        before = world.dump()
        with pytest.raises(psycopg.Error):
            conn.execute(b"INSERT INTO stakeholder (key, name, sector) VALUES ('x', 'x', 'other')")
        assert world.dump() == before

    # A plan file that lists a coordinator as a viewer lowers them, groups and all.
    _ok(world.run("coord-a", "member", "set-role", "member-a", "--role", "coordinator", "-f", A))
    assert _groups(world, "member-a") == ["coordinator"]
    plan = tmp_path / "lowered.yaml"
    plan.write_text(PLAN_A2 + "members:\n  - {login: member-a, role: viewer}\n")
    _ok(world.run("coord-a", "seed", str(plan)))
    assert _groups(world, "member-a") == ["viewer"]

    # Out of the only framework they were in: no group, and nothing to read.
    assert _seen_by(world, "member-a")["framework"] == 1  # what the check below would miss
    _ok(world.run("coord-a", "member", "remove", "member-a", "-f", A))
    assert _groups(world, "member-a") == []
    assert set(_seen_by(world, "member-a").values()) <= {0, None}
    refused = world.run("member-a", "actions", "list")  # said as a refusal, not as a missing schema
    assert refused.code == 4 and "member-a has no role in any framework" in refused.err, refused
