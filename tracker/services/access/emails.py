"""Members' email addresses as the reader may see them.

An address is personal (`access.rules.may_see_email`). On PostgreSQL the ``email`` column
is not granted to the members' roles at all (migration 0020): they read addresses
through the view ``tracker_private.member_emails``, which shows only those the same rule
allows. The schema owner and superusers, and SQLite, read the column itself.
"""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa
from sqlmodel import Session

from tracker.models import Member

member_t = Member.__table__  # type: ignore[attr-defined]

_VIEW = (
    "SELECT m.login, e.email FROM member m JOIN tracker_private.member_emails e ON e.id = m.id "
    "WHERE m.login = ANY (:logins)"
)


def visible_emails(session: Session | sa.Connection, logins: Collection[str]) -> dict[str, str]:
    """login -> email, for those of ``logins`` who have one that this connection may read."""
    if not logins:
        return {}
    wanted = sorted(set(logins))
    dialect = session.dialect if isinstance(session, sa.Connection) else session.get_bind().dialect
    if (
        dialect.name == "postgresql"
        and not session.execute(sa.text("SELECT has_column_privilege('member', 'email', 'SELECT')")).scalar()
    ):
        rows = session.execute(sa.text(_VIEW), {"logins": wanted})
    else:
        rows = session.execute(
            sa.select(member_t.c.login, member_t.c.email).where(
                member_t.c.login.in_(wanted), member_t.c.email.is_not(None)
            )
        )
    return {login: email for login, email in rows}
