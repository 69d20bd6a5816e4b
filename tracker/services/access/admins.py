"""Creating or upgrading a database together with its first admin."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.engine import Engine

from tracker.db import current_revision, upgrade, write_session
from tracker.errors import BadInput
from tracker.services.access import rules as access
from tracker.services.access.members import check_login, ensure_first_admin

# The first schema that has admins; a database behind it has none.
ADMINS_SINCE = "0006"


def upgrade_with_admin(
    engine: Engine, *, admin: str | None, creator: Callable[[], str]
) -> tuple[str | None, str, str | None]:
    """Migrate ``engine`` and make sure the database has an admin.

    A new database's admin is ``admin`` or else its creator; a database from
    before admins existed needs ``admin`` (refused before anything is written
    without it); one that has admins refuses ``admin`` (admins add admins).
    Returns (revision before, after, the login made admin or None).
    """
    before = current_revision(engine)
    predates = before is not None and before.isdigit() and before < ADMINS_SINCE
    if predates and admin is None:
        raise BadInput(
            f"this database is from before tracker had admins (schema {before}); upgrade it with "
            "`tracker db upgrade --admin LOGIN`, naming who will create frameworks and name coordinators."
        )
    if admin is not None:
        check_login(admin)
        if before is not None and not predates:
            with write_session(engine) as session:
                if access.has_admin(session):
                    raise BadInput(
                        "this database has admins already; an admin adds another with `tracker admin add LOGIN`."
                    )
    login = admin if admin is not None else (creator() if before is None else None)
    if login is not None:
        check_login(login)
    before, after = upgrade(engine)
    made = None
    if login is not None:
        with write_session(engine) as session:
            made = login if ensure_first_admin(session, login) else None
    return before, after, made
