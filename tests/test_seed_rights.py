"""Who may seed what, through the real `tracker seed`: every refusal exits 4 and writes nothing.

The database holds two frameworks that share their stakeholders and funding
source: stamford-ct (coordinated by `coord` alone, with `member` and `viewer`)
and other-ct (coordinated by `coord-else`, with `elsewhere`). `nobody` is no
member at all; ADMIN (whoever runs the tests) is the database's admin.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.cli import Result, tracker, tracker_process
from tests.conftest import ADMIN, PG_URL, admin_login, dump
from tests.plans import MINIMAL, with_change
from tests.tracking import admin
from tracker.db import write_session
from tracker.models.enums import Role
from tracker.seeding import load_text, seed
from tracker.services.access.members import add_member

OTHER = with_change("key: stamford-ct", "key: other-ct")
PEOPLE = (
    ("coord", Role.coordinator, "stamford-ct", []),
    ("member", Role.member, "stamford-ct", ["domus-kids"]),
    ("viewer", Role.viewer, "stamford-ct", []),
    ("elsewhere", Role.member, "other-ct", ["domus-kids"]),
    ("coord-else", Role.coordinator, "other-ct", []),
)
LOGINS = ("nobody", "viewer", "member", "elsewhere", "coord-else", "coord", ADMIN)
OUTSIDERS = ("nobody", "elsewhere", "coord-else")  # no role in stamford-ct


@pytest.fixture
def db(engine: Engine, db_url: str) -> str:
    seed(engine, [load_text(MINIMAL, source="stamford.yaml"), load_text(OTHER, source="other.yaml")], actor=ADMIN)
    with write_session(engine) as session:
        me = admin(session)
        for login, role, framework, orgs in PEOPLE:
            add_member(session, actor=me, login=login, role=role, framework=framework, stakeholders=orgs)
    return db_url


@dataclass(frozen=True)
class Outcome:
    code: int
    changes: bool = False  # the real run changes the database
    kept: int = 0  # notices about shared items that kept the database's description


REFUSED = Outcome(4)


def _seed_as(login: str, text: str, db: str, engine: Engine, tmp_path: Path, expected: Outcome) -> Result:
    """Seed ``text`` as ``login``, first with --dry-run, then for real; check both runs."""
    path = tmp_path / "plan.yaml"
    path.write_text(text)
    before = dump(engine)
    dry = tracker("--db", db, "--as", login, "seed", "--dry-run", "--json", str(path))
    assert (dry.code, dump(engine) == before) == (expected.code, True), dry.err
    result = tracker("--db", db, "--as", login, "seed", "--json", str(path))
    assert result.code == expected.code, result.err
    assert (dump(engine) != before) is expected.changes
    assert "Traceback" not in result.err
    if expected.code == 0:
        assert dry.out == result.out.replace('"dry_run": false', '"dry_run": true')
        [report] = json.loads(result.out)["files"]
        assert len(report["kept"]) == expected.kept, report["kept"]
    else:
        if login == "nobody":  # the sentence every command says for an unknown login
            assert result.err.startswith("tracker: there is no member with the login 'nobody'; act as")
        else:  # each refusal names the file (and its tests the item and who could do it)
            assert str(path) in result.err and "nothing was written" in result.err
        if login in OUTSIDERS:  # who coordinates a framework is for its members to know
            assert "coord," not in result.err and "coordinators: coord" not in result.err
    return result


@pytest.mark.parametrize("login", LOGINS)
def test_only_an_admin_creates_a_framework(login: str, db: str, engine: Engine, tmp_path: Path) -> None:
    """Anyone with a plan file could otherwise open a framework of their own in the team's
    database (and coordinate it), which only admins may do."""
    text = with_change("key: stamford-ct", "key: new-ct")
    result = _seed_as(login, text, db, engine, tmp_path, Outcome(0, changes=True) if login == ADMIN else REFUSED)
    if login not in (ADMIN, "nobody"):
        assert "only an admin can create the framework new-ct" in result.err


@pytest.mark.parametrize("login", LOGINS)
def test_only_a_coordinator_changes_a_plan(login: str, db: str, engine: Engine, tmp_path: Path) -> None:
    """A viewer, a member, or someone from another framework could rewrite stamford-ct's
    actions by seeding an edited export of it."""
    text = with_change("title: Convene the working group", "title: Convene a new group")
    allowed = login in ("coord", ADMIN)
    result = _seed_as(login, text, db, engine, tmp_path, Outcome(0, changes=True) if allowed else REFUSED)
    if login in ("viewer", "member"):
        assert "only a coordinator of stamford-ct or an admin can change its plan" in result.err
        assert "actions (1 changed)" in result.err and "Its coordinators: coord." in result.err


@pytest.mark.parametrize("login", LOGINS)
def test_a_file_raises_a_role_only_as_far_as_the_login_may_grant(
    login: str, db: str, engine: Engine, tmp_path: Path
) -> None:
    """A viewer could flip its own `role:` in an exported plan file to coordinator and
    seed it, and then do everything in the framework."""
    text = MINIMAL + f"members:\n  - {{login: {login}, role: coordinator}}\n"
    expected = {"coord": Outcome(0), ADMIN: Outcome(0, changes=True)}.get(login, REFUSED)  # coord: already one
    result = _seed_as(login, text, db, engine, tmp_path, expected)
    if login in ("viewer", "member"):
        assert f"members[0].role: only a coordinator of stamford-ct or an admin can make {login} a coordinator" in (
            result.err
        )


@pytest.mark.parametrize("login", LOGINS)
def test_the_last_coordinator_is_never_demoted_by_a_seed(login: str, db: str, engine: Engine, tmp_path: Path) -> None:
    """A framework could be left with nobody to run it: a stranger, or even its own
    coordinator or an admin by mistake, seeding a file that makes it a viewer."""
    text = MINIMAL + "members:\n  - {login: coord, role: viewer}\n"
    result = _seed_as(login, text, db, engine, tmp_path, REFUSED)
    if login in ("coord", ADMIN):
        assert "coord is the last coordinator of stamford-ct" in result.err


SHARED = MINIMAL.replace("name: Domus Kids", "name: Domus Kids Inc").replace("amount: 50000", "amount: 60000")


@pytest.mark.parametrize("login", LOGINS)
def test_a_shared_stakeholder_and_source_keep_their_description(
    login: str, db: str, engine: Engine, tmp_path: Path
) -> None:
    """A file for one framework could rename an organisation that other frameworks share,
    or cut a shared grant's committed amount, behind their coordinators' backs."""
    expected = {ADMIN: Outcome(0, changes=True)}.get(login, REFUSED if login in OUTSIDERS else Outcome(0, kept=2))
    result = _seed_as(login, SHARED, db, engine, tmp_path, expected)
    if expected.kept:
        [report] = json.loads(result.out)["files"]
        assert report["kept"][0].startswith("stakeholder domus-kids: kept the database's name;")
        assert report["kept"][1].startswith("funding source dhs-cp3: kept the database's amount;")
        assert "other-ct" not in " ".join(report["kept"])  # not one of their frameworks: only counted
        text = tracker("--db", db, "--as", login, "seed", str(tmp_path / "plan.yaml"))
        assert "  kept: stakeholder domus-kids: kept the database's name;" in text.out


def test_a_coordinator_of_every_framework_that_shares_it_may_rename_it(db: str, engine: Engine, tmp_path: Path) -> None:
    """Whoever coordinates every framework that uses an organisation must still be able
    to correct its name from a plan file."""
    assert (
        tracker(
            "--db", db, "--as", ADMIN, "member", "add", "coord", "--role", "coordinator", "--framework", "other-ct"
        ).code
        == 0
    )
    _seed_as("coord", SHARED, db, engine, tmp_path, Outcome(0, changes=True))


@pytest.mark.parametrize("login", ["elsewhere", ADMIN])
def test_a_coordinator_renames_only_its_own_people(login: str, db: str, engine: Engine, tmp_path: Path) -> None:
    """A coordinator could rename someone who also works in another framework, or an admin,
    and so make their changes show under another name there."""
    text = MINIMAL + f"members:\n  - {{login: {login}, name: Someone Else, role: viewer}}\n"
    result = _seed_as("coord", text, db, engine, tmp_path, Outcome(0, changes=True, kept=1))
    [report] = json.loads(result.out)["files"]
    assert report["kept"][0].startswith(f"member {login}: kept the database's name;")
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT name FROM member WHERE login = :l"), {"l": login}).scalar() is None


def test_a_kept_amount_must_still_cover_the_files_allocations(db: str, engine: Engine, tmp_path: Path) -> None:
    """Keeping a shared source's amount must not leave more allocated from it than it holds."""
    text = SHARED.replace("amount: 10000, fiscal_year", "amount: 55000, fiscal_year")
    result = _seed_as("coord", text, db, engine, tmp_path, REFUSED)
    assert "funding_sources[0].amount: this file allocates 55000 from dhs-cp3" in result.err


def _swap_actions(login: str) -> str:
    """The plan with its two actions in the other order: only their positions change."""
    first = MINIMAL.index("          - key: convene")
    second = MINIMAL.index("          - key: reporting")
    return MINIMAL[:first] + MINIMAL[second:] + MINIMAL[first:second]


def _another_organisation(login: str) -> str:
    role = "member" if login == "member" else "viewer"  # the role it has: only its organisations change
    return MINIMAL + f"members:\n  - {{login: {login}, role: {role}, stakeholders: [union-church]}}\n"


@pytest.mark.parametrize("login", ["viewer", "member"])
@pytest.mark.parametrize("edit", [_swap_actions, _another_organisation], ids=["reordered", "organisation"])
def test_quieter_writes_need_a_coordinator_too(login: str, edit, db: str, engine: Engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A member could reorder the plan, or give itself another organisation (and so the
    right to track that organisation's actions), with a file that changes no title."""
    result = _seed_as(login, edit(login), db, engine, tmp_path, REFUSED)
    assert "only a coordinator of stamford-ct or an admin can change its plan" in result.err


# -- concurrent seeds of new frameworks -----------------------------------------------------

SAME = [MINIMAL] * 4  # four people seeding the same new plan
SHARING = [with_change("key: stamford-ct", f"key: city-{n}") for n in range(4)]  # same new stakeholders


def _four_at_once(url: str, texts: list[str], login: str = ADMIN) -> list[Result]:
    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(lambda t: tracker_process("--db", url, "--as", login, "seed", "-", input=t), texts))


def _all_end_well(texts: list[str], results: list[Result], engine: Engine) -> None:
    assert [r.code for r in results] == [0] * 4, [r.err for r in results]
    created = sorted(int(r.out.split(": ")[2].split()[0]) for r in results)
    with engine.connect() as conn:
        frameworks = conn.execute(sa.text("SELECT count(*) FROM framework")).scalar_one()
        stakeholders = conn.execute(sa.text("SELECT count(*) FROM stakeholder")).scalar_one()
    assert stakeholders == 3
    if texts is SAME:  # one creates it; the others find it unchanged
        assert (frameworks, created) == (1, [0, 0, 0, 13])
    else:  # each creates its framework; the first also the shared stakeholders and source
        assert (frameworks, created) == (4, [9, 9, 9, 13])


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL only (set TRACKER_TEST_PG): SQLite's BEGIN IMMEDIATE queues seeds")
@pytest.mark.parametrize("texts", [SAME, SHARING], ids=["same", "sharing"])
def test_four_concurrent_seeds_of_new_frameworks_on_postgresql(texts: list[str], db_url: str, engine: Engine) -> None:
    """Four people seeding the same new plan, or new plans that bring the same new
    organisations, at once: all but one got a raw server error about a duplicate key."""
    _all_end_well(texts, _four_at_once(db_url, texts), engine)


@pytest.mark.parametrize("texts", [SAME, SHARING], ids=["same", "sharing"])
def test_four_concurrent_seeds_of_new_frameworks_on_sqlite(
    texts: list[str], sqlite_path: Path, sqlite_engine: Engine
) -> None:
    """The same on a SQLite file: no 'database is locked', every seed ends well."""
    # The file's admin is the OS login, also in the PostgreSQL pass (where ADMIN is the role).
    _all_end_well(texts, _four_at_once(str(sqlite_path), texts, admin_login(sqlite_engine)), sqlite_engine)
