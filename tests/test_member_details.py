"""Members' details: an optional email (`member add --email`, plan files, `member list`)
and `tracker member edit` (name, email, login), on SQLite and PostgreSQL.

If these failed, a coordinator could not reach the people they chase for updates, a
member's address would be shown to people who have no business writing to them, a
coordinator of one city could rename (and so unsettle) someone working in another, and a
member could take another's login.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.cli import Result, tracker
from tests.conftest import PG_URL, admin_login, dump
from tests.test_member_keys import keygen, needs_keygen, openssh_fingerprint
from tests.test_pg_role_writes import World, world  # noqa: F401  (the cities under their roles)
from tests.test_read_scope import PLAN_A, PLAN_B, A, B
from tests.test_ssh_session import FP, KEY, session
from tests.test_team_server import lookup
from tests.tracking import seeded

# login -> (framework, role, organisations); "both" works in the two cities.
PEOPLE = [
    ("coord-a", A, "coordinator", []),
    ("member-a", A, "member", ["city-of-stamford"]),
    ("viewer-a", A, "viewer", []),
    ("coord-b", B, "coordinator", []),
    ("both", A, "member", ["city-of-stamford"]),
    ("both", B, "member", []),
]


@pytest.fixture
def db(db_url: str, tmp_path: Path) -> str:
    (tmp_path / "a.yaml").write_text(PLAN_A)
    (tmp_path / "b.yaml").write_text(PLAN_B)
    assert tracker("--db", db_url, "seed", str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml")).code == 0
    for login, framework, role, orgs in PEOPLE:
        added = tracker(
            "--db", db_url, "member", "add", login, "--role", role, "-f", framework,
            *[f"-s{o}" for o in orgs], "--email", f"{login}@example.org",
        )  # fmt: skip
        assert added.code == 0, added.err
    return db_url


def run(db: str, login: str | None, *args: str) -> Result:
    return tracker("--db", db, *(["--as", login] if login else []), *args)


def emails(db: str, login: str | None) -> dict[str, str | None]:
    listed = run(db, login, "member", "list", "--json")
    assert listed.code == 0, listed.err
    return {m["login"]: m["email"] for m in json.loads(listed.out)}


def audit(engine: Engine) -> list[tuple[str, str, str | None, str | None]]:
    """The member edits in the audit: (who, field, old, new)."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT m.login, p.field, p.old, p.new FROM plan_change p JOIN member m ON m.id = p.member_id "
                "WHERE p.item_kind = 'member' ORDER BY p.id"
            )
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def test_an_email_is_shown_to_its_member_admins_and_coordinators_of_their_frameworks(db: str) -> None:
    """The coordinator of Stamford sees the addresses of Stamford's people (to chase updates);
    a fellow member or a viewer sees who is there, not how to write to them; each member
    sees their own; another city's coordinator sees only the one who works there too."""
    everyone = {login: f"{login}@example.org" for login, *_ in PEOPLE}
    assert {k: v for k, v in emails(db, None).items() if k in everyone} == everyone  # the admin
    as_coord = emails(db, "coord-a")
    assert as_coord == {k: everyone[k] for k in ("both", "coord-a", "member-a", "viewer-a")}
    as_member = emails(db, "member-a")
    assert as_member["member-a"] == "member-a@example.org"
    assert {k: v for k, v in as_member.items() if k != "member-a"} == dict.fromkeys(as_coord.keys() - {"member-a"})
    assert emails(db, "viewer-a")["member-a"] is None
    assert emails(db, "coord-b") == {"both": "both@example.org", "coord-b": "coord-b@example.org"}
    table = run(db, "coord-a", "member", "list", "-f", A)
    assert "member-a@example.org" in table.out
    assert "member-a@example.org" not in run(db, "viewer-a", "member", "list", "-f", A).out


@pytest.mark.parametrize(
    "email", ["Maria <maria@example.org>", "maria@", "maria.example.org", "a b@example.org", "m@ex\nample.org", ""]
)
def test_an_address_that_is_not_one_is_refused_with_a_sentence(db: str, engine: Engine, email: str) -> None:
    """A bad address is exit 2 with one sentence saying what an address looks like, at add
    and at edit, and nothing is stored."""
    before = dump(engine)
    for args in (
        ("member", "add", "newcomer", "--role", "viewer", "-f", A, "--email", email),
        ("member", "edit", "member-a", "--email", email),
    ):
        result = run(db, None, *args)
        assert result.code == 2, result
        assert result.err.startswith("tracker: the email ") and result.err.count("\n") == 1, result.err
        assert "example.org" in result.err and "Traceback" not in result.err
    assert dump(engine) == before


def test_a_plan_file_gives_emails_and_leaving_one_out_keeps_it(db: str, engine: Engine, tmp_path: Path) -> None:
    """A plan file may give a member's email (new or existing member); a file that leaves it
    out (as exported files do) keeps the address the database has; a bad one is refused
    with the file's place."""
    members = (
        "members:\n  - login: member-a\n    role: member\n    stakeholders: [city-of-stamford]\n"
        "    email: ma@stamford.gov\n  - login: fresh\n    role: viewer\n    email: fresh@stamford.gov\n"
    )
    plan = tmp_path / "a2.yaml"
    plan.write_text(PLAN_A.rstrip("\n") + "\n" + members)
    seeded = run(db, "coord-a", "seed", str(plan))
    assert seeded.code == 0, seeded.err
    assert {k: v for k, v in emails(db, None).items() if k in ("member-a", "fresh", "viewer-a")} == {
        "member-a": "ma@stamford.gov",
        "fresh": "fresh@stamford.gov",
        "viewer-a": "viewer-a@example.org",
    }
    plan.write_text(PLAN_A.rstrip("\n") + "\n" + members.replace("    email: ma@stamford.gov\n", ""))
    assert run(db, "coord-a", "seed", str(plan)).code == 0
    assert emails(db, None)["member-a"] == "ma@stamford.gov"
    before = dump(engine)
    plan.write_text(PLAN_A.rstrip("\n") + "\n" + members.replace("ma@stamford.gov", "ma at stamford"))
    bad = run(db, "coord-a", "seed", str(plan))
    assert bad.code == 2 and "a2.yaml" in bad.err and "email" in bad.err, bad
    assert dump(engine) == before


def test_a_member_fixes_their_own_name_and_email_but_not_their_login(db: str, engine: Engine) -> None:
    """member-a corrects their name and address (recorded in their name); renaming themself
    is refused with who could do it, exit 4, nothing changed."""
    fixed = run(db, "member-a", "member", "edit", "member-a", "--name", "Maria Alves", "--email", "maria@city.gov")
    assert fixed.code == 0, fixed.err
    assert "maria@city.gov" in fixed.out
    assert emails(db, "member-a")["member-a"] == "maria@city.gov"
    assert audit(engine) == [
        ("member-a", "name", None, "Maria Alves"),
        ("member-a", "email", "member-a@example.org", "maria@city.gov"),
    ]
    before = dump(engine)
    refused = run(db, "member-a", "member", "edit", "member-a", "--login", "maria")
    assert refused.code == 4, refused
    assert "not their own login" in refused.err and "coordinator" in refused.err
    assert run(db, "member-a", "member", "edit", "viewer-a", "--name", "Someone").code == 4
    assert dump(engine) == before


def test_a_coordinator_renames_a_member_of_their_city_only(db: str, engine: Engine) -> None:
    """coord-a renames member-a (who then acts under the new login, with their role and
    history); someone who also works in the other city, an admin, and coord-a's own login
    stay theirs to change: exit 4 naming who could, nothing changed."""
    renamed = run(db, "coord-a", "member", "edit", "member-a", "--login", "maria.alves", "--clear", "email")
    assert renamed.code == 0, renamed.err
    listed = {m["login"]: m for m in json.loads(run(db, None, "member", "list", "--json").out)}
    assert "member-a" not in listed and listed["maria.alves"]["roles"] == {A: "member"}
    assert listed["maria.alves"]["email"] is None
    assert audit(engine) == [
        ("coord-a", "email", "member-a@example.org", None),
        ("coord-a", "login", "member-a", "maria.alves"),
    ]
    moved = run(db, "maria.alves", "actions", "set-status", f"{A}/convene", "in_progress", "-m", "booked")
    assert moved.code == 0, moved.err
    assert run(db, "member-a", "actions", "list").code == 4  # the old login is no one now
    before = dump(engine)
    for target, says in [("both", "does not coordinate 1 other framework"), (admin_login(engine), "an admin")]:
        refused = run(db, "coord-a", "member", "edit", target, "--email", "x@example.org")
        assert refused.code == 4 and says in refused.err, refused
    own = run(db, "coord-a", "member", "edit", "coord-a", "--login", "boss")
    assert own.code == 4 and "not their own login" in own.err, own
    assert dump(engine) == before
    assert run(db, None, "member", "edit", "both", "--login", "both.cities").code == 0  # an admin may


def test_undo_skips_a_members_own_details(db: str) -> None:
    """Fixing one's address is no plan edit: `tracker undo` afterwards takes back the status
    change made before it, not the address (which is corrected by editing it again)."""
    moved = run(db, "member-a", "actions", "set-status", f"{A}/convene", "in_progress", "-m", "booked")
    assert moved.code == 0, moved.err
    assert run(db, "member-a", "member", "edit", "member-a", "--email", "maria@city.gov").code == 0
    undone = run(db, "member-a", "undo")
    assert undone.code == 0, undone.err
    shown = json.loads(run(db, "member-a", "actions", "show", f"{A}/convene", "--json").out)
    assert shown["row"]["status"] == "planned"
    assert emails(db, "member-a")["member-a"] == "maria@city.gov"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--login", "coord-b"), "is taken"),
        (("--login", "COORD-B"), "differs only by case"),
        (("--login", "-x"), "not a usable login"),
        (("--login", "маria"), "not plain ASCII"),
        (("--clear", "login"), "--clear takes name or email"),
        (("--email", "a@example.org", "--clear", "email"), "opposite"),
        ((), "nothing to change"),
    ],
)
def test_a_login_or_detail_that_cannot_be_is_refused(db: str, engine: Engine, args: tuple[str, ...], says: str) -> None:
    """A new login follows `member add`'s rules and is never another's, in any case; bad
    options say what to give: exit 2, one sentence, nothing changed."""
    before = dump(engine)
    result = run(db, None, "member", "edit", "member-a", *args)
    assert result.code == 2, result
    assert says in result.err and result.err.count("\n") == 1, result.err
    assert dump(engine) == before


def test_editing_someone_unknown_says_so(db: str) -> None:
    result = run(db, None, "member", "edit", "nobody", "--name", "X")
    assert result.code == 2 and "no member with the login 'nobody'" in result.err, result


# -- PostgreSQL: under the members' own roles ---------------------------------------------------


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL only: set TRACKER_TEST_PG (SQLite has no roles)")
def test_a_renamed_member_acts_through_the_same_database_role(world: World, tmp_path: Path) -> None:  # noqa: F811
    """On PostgreSQL a coordinator, connected as their own role, renames a member of their
    city; the member's database role stays theirs, so they connect as before and act under
    the new login; they fix their own email under their role, and are refused their own
    login (exit 4, nothing changed). Their roles read addresses as the rules say, and
    never through the column itself."""
    for login in ("member-a", "viewer-a", "coord-b"):
        assert world.owner("member", "edit", login, "--email", f"{login}@example.org").code == 0
    seen = {
        role: {m["login"]: m["email"] for m in json.loads(world.run(role, "member", "list", "--json").out)}
        for role in ("coord-a", "member-a", "viewer-a", "coord-b")
    }
    assert seen["coord-a"]["member-a"] == "member-a@example.org" == seen["member-a"]["member-a"]
    assert seen["coord-a"]["viewer-a"] == "viewer-a@example.org" and seen["member-a"]["viewer-a"] is None
    assert seen["viewer-a"]["member-a"] is None and seen["coord-b"]["coord-b"] == "coord-b@example.org"
    with world.connect("viewer-a") as conn:
        emails = conn.execute("SELECT m.login, e.email FROM member m JOIN tracker_private.member_emails e USING (id)")
        assert emails.fetchall() == [("viewer-a", "viewer-a@example.org")]
    renamed = world.run("coord-a", "member", "edit", "member-a", "--login", "maria")
    assert renamed.code == 0, renamed.err
    listed = json.loads(world.run("coord-a", "member", "list", "-f", A, "--json").out)
    assert {m["login"]: m["database_role"] for m in listed}["maria"] == "member-a"
    moved = world.run("member-a", "actions", "set-status", f"{A}/convene", "in_progress", "-m", "booked")
    assert moved.code == 0, moved.err
    assert (
        world.sql("SELECT m.login FROM status_change s JOIN member m ON m.id = s.member_id ORDER BY s.id DESC LIMIT 1")[
            0
        ][0]
        == "maria"
    )
    own = world.run("member-a", "member", "edit", "maria", "--email", "maria@city.gov", "--name", "Maria")
    assert own.code == 0, own.err
    assert world.sql("SELECT email, name FROM member WHERE login = 'maria'")[0] == ("maria@city.gov", "Maria")
    audit = world.sql(
        "SELECT m.login, p.field, p.new FROM plan_change p JOIN member m ON m.id = p.member_id "
        "WHERE p.item_kind = 'member' ORDER BY p.id"
    )
    assert [tuple(r) for r in audit[-3:]] == [
        ("coord-a", "login", "maria"),
        ("maria", "name", "Maria"),
        ("maria", "email", "maria@city.gov"),
    ]
    assert world.owner("member", "add", "twin", "--role", "member", "-f", B).code == 0
    assert world.owner("member", "add", "twin", "--role", "member", "-f", A).code == 0
    before = world.dump()
    for role, args in [
        ("coord-a", ("twin", "--email", "t@example.org")),  # works in B too, which coord-a cannot see
        ("member-a", ("maria", "--login", "maria2")),
        ("member-a", ("viewer-a", "--email", "v@example.org")),
        ("coord-b", ("maria", "--email", "m@example.org")),
    ]:
        refused = world.run(role, "member", "edit", *args)
        assert refused.code == 4, (role, args, refused)
        assert refused.err.startswith("tracker: ") and "psycopg" not in refused.err
    # Keys follow the same rule: twin's frameworks include B, which coord-a cannot see.
    pub = keygen(tmp_path, "twin").with_suffix(".pub")
    refused = world.run("coord-a", "member", "key", "add", "twin", str(pub))
    assert refused.code == 4 and "other framework" in refused.err, refused
    assert world.dump() == before
    assert world.owner("member", "key", "add", "twin", str(pub)).code == 0
    assert "twin" not in {k["login"] for k in json.loads(world.run("coord-a", "member", "key", "list", "--json").out)}


# -- over ssh -------------------------------------------------------------------------------------


@needs_keygen
def test_over_ssh_a_coordinator_renames_a_member_whose_key_then_names_the_new_login(
    sqlite_engine: Engine, sqlite_path: Path, tmp_path: Path
) -> None:
    """Through the team server (`ssh-session`, as sshd runs it): domus may not rename
    themself; the coordinator may rename domus; sshd's lookup then finds domus's key under
    the new login, and a session started with the old login (a forced command written
    before) is refused with a sentence, not a traceback."""
    db = str(sqlite_path)
    seeded(sqlite_engine)
    coord_pub = keygen(tmp_path, "coord").with_suffix(".pub")
    assert tracker("--db", db, "member", "key", "add", "domus", "-", input=KEY).code == 0
    assert tracker("--db", db, "member", "key", "add", "coord", str(coord_pub)).code == 0
    coord_fp = openssh_fingerprint(coord_pub)
    before = dump(sqlite_engine)
    own = session(db, "member edit domus --login dom")
    assert own.code == 4 and "not their own login" in own.err, own
    after = dump(sqlite_engine)
    after.pop("member_key"), before.pop("member_key")  # the key's last use is recorded at login
    assert after == before
    assert session(db, "member edit domus --email domus@kids.org").code == 0  # their own email
    renamed = session(db, "member edit domus --login dom", login="coord", key=coord_fp)
    assert renamed.code == 0, renamed.err
    code, out, _ = lookup(db, key_type=KEY.split()[0], key=KEY.split()[1])
    assert code == 0 and f"ssh-session --member dom --key {FP}" in out
    stale = session(db, "actions list")  # --member domus, as the old forced command said
    assert stale.code == 4 and stale.err.startswith("tracker: ") and "Traceback" not in stale.err, stale
    assert session(db, "actions list", login="dom").code == 0
