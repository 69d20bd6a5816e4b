"""Members' SSH keys from the command line: the key a member reaches the team server with.

A wrong fingerprint would let sshd and `member key list` disagree on which key is whose;
a private key taken in would be a secret stored in the database; a coordinator managing
the key of someone who works elsewhere would let them into another city's plan.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from tests.cli import tracker
from tests.conftest import admin_login, dump
from tests.plans import MINIMAL
from tests.tracking import seeded
from tracker.seeding import load_text, seed

needs_keygen = pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="needs ssh-keygen (openssh-client)")


def keygen(tmp_path: Path, name: str, kind: str = "ed25519", bits: str | None = None) -> Path:
    """A new key pair made by OpenSSH itself; returns the private key's path."""
    path = tmp_path / name
    args = ["ssh-keygen", "-q", "-t", kind, "-N", "", "-C", f"{name}@laptop", "-f", str(path)]
    subprocess.run([*args, *(["-b", bits] if bits else [])], check=True)
    return path


def openssh_fingerprint(pub: Path) -> str:
    return subprocess.run(["ssh-keygen", "-lf", str(pub)], check=True, capture_output=True, text=True).stdout.split()[1]


@pytest.fixture
def db(engine: Engine, db_url: str) -> str:
    seeded(engine)
    return db_url


def keys(db: str, login: str | None = None) -> list[dict[str, object]]:
    result = tracker("--db", db, *(["--as", login] if login else []), "member", "key", "list", "--json")
    assert result.code == 0, result.err
    return json.loads(result.out)


@needs_keygen
@pytest.mark.parametrize(("kind", "bits"), [("ed25519", None), ("rsa", "3072"), ("ecdsa", "384")])
def test_fingerprints_are_the_ones_openssh_prints(db: str, tmp_path: Path, kind: str, bits: str | None) -> None:
    """The fingerprint a coordinator sees is the one `ssh-keygen -lf` shows the member."""
    key = keygen(tmp_path, "domus", kind, bits)
    pub = key.with_suffix(".pub")
    added = tracker("--db", db, "member", "key", "add", "domus", str(pub))
    assert added.code == 0, added.err
    expected = openssh_fingerprint(pub)
    assert expected in added.out
    (row,) = keys(db)
    assert row["fingerprint"] == expected and row["login"] == "domus"
    assert row["added_by"] == admin_login(make_engine_of(db)) and row["comment"] == "domus@laptop"
    assert row["last_used_at"] is None and row["disabled_at"] is None


def make_engine_of(db: str) -> Engine:
    from tracker.db import make_engine

    return make_engine(db)


@needs_keygen
def test_a_key_from_standard_input_is_listed_then_removed(db: str, tmp_path: Path) -> None:
    """`member key add LOGIN -` reads the key from a pipe; removing it takes it out of the list."""
    pub = keygen(tmp_path, "city").with_suffix(".pub")
    fp = openssh_fingerprint(pub)
    assert tracker("--db", db, "--as", "coord", "member", "key", "add", "city", "-", input=pub.read_text()).code == 0
    assert [r["fingerprint"] for r in keys(db, "coord")] == [fp]
    assert [r["fingerprint"] for r in keys(db, "city")] == [fp]  # one's own key
    assert keys(db, "domus") == []  # not someone else's
    shown = tracker("--db", db, "--as", "coord", "member", "key", "list")
    assert fp in shown.out and "coord" in shown.out
    removed = tracker("--db", db, "--as", "coord", "member", "key", "remove", "city", fp)
    assert removed.code == 0, removed.err
    assert keys(db) == []
    again = tracker("--db", db, "member", "key", "remove", "city", fp)
    assert again.code == 2 and "has no key" in again.err


@needs_keygen
@pytest.mark.parametrize(
    ("what", "text", "says"),
    [
        ("private", None, "is a private key"),
        ("garbage", "hello there\n", "known key type"),
        ("unknown type", "ssh-dss AAAAB3NzaC1kc3MAAACBAP== x\n", "known key type"),
        ("not base64", "ssh-ed25519 @@@@ x\n", "not base64"),
        (
            "wrong type",
            "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIBaslWOCtpVIGMj7PAmzDZygmnUKzCPiP1CCI+R5cvsV x\n",
            "not a ssh-rsa",
        ),
        ("empty", "", "holds no public key"),
        ("two keys", "TWO", "one public key at a time"),
    ],
)
def test_what_is_not_one_public_key_is_refused(
    db: str, engine: Engine, tmp_path: Path, what: str, text: str | None, says: str
) -> None:
    """Anything but one public key line is refused with one sentence, exit 2, nothing stored."""
    key = keygen(tmp_path, "domus")
    if text is None:
        text = key.read_text()
    elif text == "TWO":
        text = key.with_suffix(".pub").read_text() * 2
    before = dump(engine)
    result = tracker("--db", db, "member", "key", "add", "domus", "-", input=text)
    assert result.code == 2, result
    assert says in result.err and result.err.count("\n") == 1 and "Traceback" not in result.err
    assert dump(engine) == before


@needs_keygen
def test_one_key_is_one_person(db: str, engine: Engine, tmp_path: Path) -> None:
    """A key registered for one member cannot be registered for another: it would make
    whoever holds it both."""
    pub = keygen(tmp_path, "domus").with_suffix(".pub")
    assert tracker("--db", db, "member", "key", "add", "domus", str(pub)).code == 0
    before = dump(engine)
    result = tracker("--db", db, "member", "key", "add", "church", str(pub))
    assert result.code == 2 and "another member" in result.err
    assert dump(engine) == before


@needs_keygen
def test_who_may_manage_whose_keys(db: str, engine: Engine, tmp_path: Path) -> None:
    """An admin for anyone; a coordinator for a non-admin whose every framework they
    coordinate; a member, a viewer, or a coordinator of only some of the frameworks, never."""
    other = MINIMAL.replace("key: stamford-ct", "key: riverton", 1)
    seed(engine, [load_text(other, source="other.yaml")], actor=admin_login(engine))
    assert tracker("--db", db, "member", "add", "church", "--role", "viewer", "-f", "riverton").code == 0
    pub = str(keygen(tmp_path, "k").with_suffix(".pub"))
    before = dump(engine)
    for actor, login, says in [
        ("coord", admin_login(engine), "an admin"),  # an admin's key
        ("coord", "church", "does not coordinate 1 other framework"),  # also in riverton
        ("domus", "domus", "coordinator"),  # one's own
        ("viewer", "city", "coordinator"),
    ]:
        result = tracker("--db", db, "--as", actor, "member", "key", "add", login, pub)
        assert result.code == 4, (actor, login, result)
        assert says in result.err, result.err
    assert dump(engine) == before
    assert tracker("--db", db, "--as", "coord", "member", "key", "add", "domus", pub).code == 0
    result = tracker("--db", db, "--as", "domus", "member", "key", "remove", "domus", keys(db)[0]["fingerprint"])  # type: ignore[arg-type]
    assert result.code == 4
    assert len(keys(db)) == 1


@needs_keygen
def test_leaving_the_last_framework_disables_the_keys(db: str, tmp_path: Path) -> None:
    """A member taken out of their last framework has nothing to reach: their keys are
    disabled (and shown so); adding the key again enables it."""
    pub = str(keygen(tmp_path, "domus").with_suffix(".pub"))
    assert tracker("--db", db, "member", "key", "add", "domus", pub).code == 0
    assert tracker("--db", db, "member", "remove", "domus", "-f", "stamford-ct").code == 0
    (row,) = keys(db)
    assert row["disabled_at"] is not None
    assert "disabled" in tracker("--db", db, "member", "key", "list").out
    assert tracker("--db", db, "member", "add", "domus", "--role", "member", "-f", "stamford-ct").code == 0
    assert tracker("--db", db, "member", "key", "add", "domus", pub).code == 0
    assert keys(db)[0]["disabled_at"] is None
