"""A small seeded framework with one member per role, for tracking tests."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from tests.conftest import admin_login
from tests.plans import MINIMAL
from tracker.db import write_session
from tracker.models.enums import Role
from tracker.seeding import load_text, seed
from tracker.services.access.members import add_member

CONVENE = "stamford-ct/convene"  # led by city-of-stamford, partner domus-kids
REPORTING = "stamford-ct/reporting"  # led by union-church
MEETINGS = "stamford-ct/meetings"  # indicator under the objective of both actions

PEOPLE = {
    "coord": (Role.coordinator, []),
    "city": (Role.member, ["city-of-stamford"]),
    "domus": (Role.member, ["domus-kids"]),
    "church": (Role.member, ["union-church"]),
    "viewer": (Role.viewer, ["city-of-stamford"]),
}


def seeded(engine: Engine) -> Engine:
    with write_session(engine) as session:
        admin(session)  # a database made without the fixtures has no admin yet, and seeding needs one
    seed(engine, [load_text(MINIMAL, source="plan.yaml")], actor=admin_login(engine))
    with write_session(engine) as session:
        for login, (role, orgs) in PEOPLE.items():
            add_member(
                session, actor=admin(session) if login == "coord" else _coord(session), login=login,
                role=role, framework="stamford-ct", stakeholders=orgs,
            )  # fmt: skip
    return engine


def admin(session):  # type: ignore[no-untyped-def]
    """The database's admin (whoever runs the tests), made so if the database has none."""
    from tests.conftest import admin_login
    from tracker.services.access.members import ensure_first_admin, find_member

    login = admin_login(session.get_bind())
    ensure_first_admin(session, login)
    return find_member(session, login)


def _coord(session):  # type: ignore[no-untyped-def]
    from tracker.services.access.members import find_member

    return find_member(session, "coord")
