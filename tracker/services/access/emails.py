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


def shown_emails(session: Session, logins: Collection[str]) -> dict[str, str]:
    """`visible_emails` narrowed to those the session's reader may see by the rule
    (`access.rules.may_see_email`), on SQLite too, where the column itself is readable:
    what `member list` and update requests show. All of them for an unscoped session
    (the local file's owner, the Python API)."""
    from tracker.services.access import rules as access

    found = visible_emails(session, logins)
    if "tracker.reader" not in session.info:
        return found
    reader = session.info["tracker.reader"]
    named = access.where_named(session, list(found))
    return {
        login: email for login, email in found.items() if access.may_see_email(reader, login, named.get(login, set()))
    }
