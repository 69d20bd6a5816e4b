"""`tracker ssh-session`, the forced command of a member's key, run as sshd runs it (with
``SSH_ORIGINAL_COMMAND``), on SQLite and PostgreSQL; tests/test_team_server.py runs it
through a real sshd.

If it failed, a member on the team server could act as someone else, reach another
database or the server's files, or run a shell.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tests.cli import Result, tracker
from tests.conftest import admin_login, dump
from tests.plans import MINIMAL
from tests.tracking import seeded
from tracker.seeding import load_text, seed
from tracker.services.access.members import provide_login_role

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBaslWOCtpVIGMj7PAmzDZygmnUKzCPiP1CCI+R5cvsV domus@laptop"
FP = "SHA256:56yaAzOhwbbLC8FmN+I/TF/zWV3ep8HT/Y6/MMNmOjU"  # ssh-keygen -lf of KEY


@pytest.fixture
def db(engine: Engine, db_url: str) -> str:
    """Stamford with its members, another city domus does not belong to, and domus's key."""
    seeded(engine)
    other = MINIMAL.replace("key: stamford-ct", "key: riverton", 1)
    seed(engine, [load_text(other, source="other.yaml")], actor=admin_login(engine))
    assert tracker("--db", db_url, "member", "key", "add", "domus", "-", input=KEY).code == 0
    if db_url.startswith("postgresql"):
        # Seeding records members without database roles; the session acts as domus's role,
        # which must exist even when no earlier test on this server has made it.
        with Session(engine) as session:
            for login in session.execute(sa.text("SELECT login FROM member WHERE login <> current_user")).scalars():
                assert provide_login_role(session, login) is None
            session.commit()
    return db_url


def server_environment(command: str | None) -> dict[str, str | None]:
    """The environment sshd gives the session: none of the test run's TRACKER_* settings."""
    environ: dict[str, str | None] = {name: None for name in os.environ if name.startswith("TRACKER_")}
    environ["SSH_ORIGINAL_COMMAND"] = command
    return environ


def session(db: str, command: str | None, *, login: str = "domus", key: str = FP, **env: str) -> Result:
    """What sshd runs for the key: the client's command in SSH_ORIGINAL_COMMAND, nothing of
    the test's own environment that the server would not have."""
    environ = server_environment(command)
    return tracker("--db", db, "ssh-session", "--member", login, "--key", key, env={**environ, **env})  # type: ignore[arg-type]


def test_a_command_runs_as_the_keys_member_and_reads_only_their_frameworks(db: str) -> None:
    """`ssh server actions list --json` lists what domus may read, and nothing of riverton."""
    result = session(db, "actions list --json")
    assert result.code == 0, result.err
    frameworks = {a["framework"] for a in json.loads(result.out)["actions"]}
    assert frameworks == {"stamford-ct"}
    refused = session(db, "actions list -f riverton")
    if db.startswith("postgresql"):
        # The session is domus's own database role there, to whom row-level security shows
        # no riverton at all, exactly as when domus connects with psql: no such framework.
        assert refused.code == 2 and "no framework 'riverton'" in refused.err, refused
    else:
        assert refused.code == 4, refused
    assert refused.out == ""


def test_a_status_change_is_recorded_as_the_member_and_the_key_as_used(db: str) -> None:
    """A member moves their action on over ssh; the history names them; a lead that is not
    theirs is refused as it is locally; the key's last use is recorded."""
    changed = session(db, "actions set-status stamford-ct/convene in_progress --note 'met; all agreed'")
    assert changed.code == 0, changed.err
    history = json.loads(tracker("--db", db, "actions", "history", "stamford-ct/convene", "--json").out)
    assert [(c["by"], c["to_status"], c["note"]) for c in history["changes"]] == [
        ("domus", "in_progress", "met; all agreed")
    ]
    assert session(db, "actions set-status stamford-ct/reporting done").code == 4
    (row,) = json.loads(tracker("--db", db, "member", "key", "list", "--json").out)
    assert row["last_used_at"] is not None


def test_a_plan_comes_from_the_clients_standard_input(db: str, engine: Engine) -> None:
    """`seed -` reads the plan the member pipes in (domus may not change the plan: exit 4,
    nothing written); `validate -` checks one."""
    result = tracker(
        "--db", db, "ssh-session", "--member", "domus", "--key", FP, input=MINIMAL,
        env=server_environment("validate -"),  # type: ignore[arg-type]
    )  # fmt: skip
    assert result.code == 0 and "ok: framework stamford-ct" in result.out, result
    before = dump(engine)
    result = tracker(
        "--db", db, "ssh-session", "--member", "domus", "--key", FP, input=MINIMAL.replace("Convene", "Gather"),
        env=server_environment("seed -"),  # type: ignore[arg-type]
    )  # fmt: skip
    assert result.code == 4, result
    after = dump(engine)
    assert after.pop("member_key") != before.pop("member_key")  # the key's last use, only
    assert after == before


def test_publish_over_ssh_is_dispatched_and_judged_by_the_rules(db: str) -> None:
    """`publish -o -` reaches the command (a zip for the client's own computer), where a
    member is refused as locally: only coordinators and admins publish."""
    refused = session(db, "publish -f stamford-ct -o -")
    assert refused.code == 4 and "only a coordinator of stamford-ct or an admin can publish" in refused.err
    assert refused.out == ""


REFUSED = [
    ("actions list --as coord", 4, "--as"),
    ("actions list --as=coord", 4, "--as"),
    ("--as coord actions list", 4, "--as"),
    ("actions list; actions set-status stamford-ct/convene done", 2, "';'"),
    ("actions set-status stamford-ct/convene done && actions list", 2, "'&&'"),
    ("actions list | actions set-status stamford-ct/convene done", 2, "'|'"),
    ("actions note stamford-ct/convene $(id)", 2, "$("),
    ("actions note stamford-ct/convene `id`", 2, "`"),
    ('actions note stamford-ct/convene "we ran $(id)"', 2, "$("),  # a shell runs it inside double quotes
    ('actions note stamford-ct/convene "we ran `id`"', 2, "`"),
    ("actions note stamford-ct/convene 'x'; id", 2, "';'"),
    ("actions note stamford-ct/convene \\'x; id", 2, "';'"),  # an escaped quote opens nothing
    ("actions list\nactions set-status stamford-ct/convene done", 2, "more than one line"),
    ("actions note stamford-ct/convene 'x' > /tmp/x", 2, "'>'"),
    ("--db other.db actions set-status stamford-ct/convene done", 2, "--db"),
    ("actions set-status stamford-ct/convene done --db=other.db", 2, "--db"),
    ("demo --file /tmp/demo.db", 2, "`demo`"),
    ("db upgrade", 2, "`db`"),
    ("server setup --print", 2, "`server`"),
    ("ssh-session --member coord --key x", 2, "`ssh-session`"),
    ("sh -c id", 2, "`sh`"),
    ("seed /etc/passwd", 2, "/etc/passwd names a file on the server"),
    ("seed - /etc/passwd", 2, "/etc/passwd names a file on the server"),
    ("validate /etc/passwd", 2, "names a file on the server"),
    ("actions set-status --from /etc/passwd", 2, "--from /etc/passwd names a file on the server"),
    ("actions set-status --from=/etc/passwd --json", 2, "names a file on the server"),
    ("import-updates /etc/passwd", 2, "`import-updates`"),
    ("export -F json -o /tmp/x", 2, "-o /tmp/x would write a file"),
    ("export -F json -o/tmp/x", 2, "would write a file"),
    ("report -f stamford-ct --output=/tmp/x", 2, "would write a file"),
    ("report -f stamford-ct -o -", 2, "a file named -"),
    ("publish -f stamford-ct -o /tmp/site", 2, "-o /tmp/site would write a file"),
    ("member key add domus /etc/ssh/ssh_host_ed25519_key.pub", 2, "names a file on the server"),
    ("actions note stamford-ct/convene 'unclosed", 2, "quotes"),
    # A -- right after an option is that option's value to Click, and the words after it options.
    ("actions set-status stamford-ct/convene in_progress -m -- --as coord", 4, "--as"),
    ("actions set-status -m -- --from /etc/passwd", 2, "--from /etc/passwd names a file on the server"),
    ("report -f stamford-ct -F -- -o /tmp/x", 2, "-o /tmp/x would write a file"),
]


@pytest.mark.parametrize(("command", "code", "says"), REFUSED, ids=[c for c, _, _ in REFUSED])
def test_what_a_remote_command_may_not_do_is_refused_and_changes_nothing(
    db: str, engine: Engine, command: str, code: int, says: str
) -> None:
    """Acting as someone else is exit 4; a shell's operators, another database, commands
    for the server's administrator and files on the server are exit 2; nothing changes,
    not even the key's last use."""
    before = dump(engine)
    result = session(db, command)
    assert result.code == code, result
    assert says in result.err and result.err.count("\n") == 1, result.err
    assert dump(engine) == before


QUOTED = [
    ("'we discussed the --as option; all agreed (see $(notes) and `x`) | next < 5 & > 2'",
     "we discussed the --as option; all agreed (see $(notes) and `x`) | next < 5 & > 2"),
    ('"the --db flag; a & b (c) | d > e"', "the --db flag; a & b (c) | d > e"),
    ("-- --as", "--as"),
    ("-- --db=other.db", "--db=other.db"),
    ("-- '-o /tmp/x'", "-o /tmp/x"),
    ("costs\\;\\ \\$\\(more\\)", "costs; $(more)"),
]  # fmt: skip


@pytest.mark.parametrize(("quoted", "stored"), QUOTED, ids=[q for q, _ in QUOTED])
def test_quoted_text_is_a_notes_text_and_stored_as_typed(db: str, quoted: str, stored: str) -> None:
    """A shell's operators, substitutions in single quotes, and --as or --db as the text of
    a note (after --) are words of text, not refused: the note holds them verbatim."""
    result = session(db, f"actions note stamford-ct/convene {quoted}")
    assert result.code == 0, result.err
    history = json.loads(tracker("--db", db, "actions", "history", "stamford-ct/convene", "--json").out)
    assert [(n["by"], n["text"]) for n in history["notes"]] == [("domus", stored)]


@pytest.mark.parametrize(("name", "code"), [("TRACKER_USER", 4), ("TRACKER_DB", 2), ("TRACKER_ANYTHING", 2)])
def test_tracker_settings_sent_by_the_client_are_refused(db: str, engine: Engine, name: str, code: int) -> None:
    """An sshd that accepts TRACKER_* from clients (AcceptEnv) still cannot make them count."""
    before = dump(engine)
    result = session(db, "actions set-status stamford-ct/convene done", **{name: "coord"})
    assert result.code == code, result
    assert name in result.err
    assert dump(engine) == before


def test_a_key_that_is_not_the_members_any_more_is_refused(db: str, engine: Engine) -> None:
    """A key removed, or of another login, or whose member left their last framework, runs
    nothing (sshd looked it up before; this is checked again at the start of the session)."""
    before = dump(engine)
    assert session(db, "actions list", login="coord").code == 4  # the key is domus's
    assert session(db, "actions list", key="SHA256:nope").code == 4
    assert dump(engine) == before
    assert tracker("--db", db, "member", "remove", "domus", "-f", "stamford-ct").code == 0
    refused = session(db, "actions list")
    assert refused.code == 4 and "not an enabled key" in refused.err
    assert tracker("--db", db, "member", "add", "domus", "--role", "member", "-f", "stamford-ct").code == 0
    assert tracker("--db", db, "member", "key", "add", "domus", "-", input=KEY).code == 0
    assert session(db, "actions list").code == 0
    assert tracker("--db", db, "member", "key", "remove", "domus", FP).code == 0
    assert session(db, "actions list").code == 4


def test_the_app_needs_a_terminal(db: str) -> None:
    """Without a command and without a terminal (`ssh server` with -T), one sentence says how."""
    result = session(db, None)
    assert result.code == 2 and "ssh -t" in result.err


async def test_the_app_over_ssh_offers_no_screenshot(db: str, engine: Engine) -> None:
    """The command palette's screenshot writes a file where the app runs: on the team
    server, that would be a file on the server, so the app there does not offer it."""
    from tracker.db import read_session
    from tracker.services.access.members import find_member
    from tracker.tui.app import TrackerApp
    from tracker.tui.data import Data

    with read_session(engine) as s:
        member = find_member(s, "domus")
    for remote in (False, True):
        app = TrackerApp(Data(engine, member), poll=False, remote=remote)
        async with app.run_test(size=(100, 30)):
            titles = [command.title for command in app.get_system_commands(app.screen)]
        assert ("Screenshot" in titles) is not remote, titles
        assert "Quit" in titles


def test_every_command_is_either_allowed_over_ssh_or_refused_with_a_reason() -> None:
    """A command added to tracker is decided for the team server on purpose: it is on the
    allow-list or has a reason to be refused, so a new verb is neither silently refused to
    members nor silently opened to them."""
    import typer.main

    from tracker.cli.main import app
    from tracker.cli.ssh_session import ALLOWED, WHY_NOT

    group = typer.main.get_command(app)
    commands = set(group.commands)  # type: ignore[attr-defined]
    assert commands, "no commands found"
    undecided = commands - ALLOWED - set(WHY_NOT)
    assert not undecided, f"decide these for ssh (ALLOWED or WHY_NOT in tracker/cli/ssh_session.py): {undecided}"
    assert not (ALLOWED | set(WHY_NOT)) - commands, "the ssh lists name commands tracker no longer has"


def test_update_requests_come_to_the_laptop_as_a_zip_never_into_a_folder_on_the_server(db: str, tmp_path: Path) -> None:
    """`ssh server requests -f K -o - > requests.zip` brings the messages home; `-o DIR`
    would write on the server, so it is refused and nothing is made there."""
    zipped = session(db, "requests -f stamford-ct -o -")
    assert zipped.code == 0, zipped.err
    assert zipped.out.startswith("PK")  # a zip's signature
    folder = tmp_path / "on-the-server"
    refused = session(db, f"requests -f stamford-ct -o {folder}")
    assert refused.code == 2 and "would write a file on the server" in refused.err
    assert not folder.exists()
