"""PostgreSQL roles: who a connection is, and the login roles of members.

A member's database role is ``member.db_role`` (their login unless mapped to another
role). Group roles are per database, ``tracker_<database>_viewer|member|coordinator|admin``,
and follow the admin and membership tables (migration 0007 keeps them in step).

The team server's two roles are per database too (migration 0019): ``<prefix>lookup``,
which sshd's key lookup logs in as and which may only call ``tracker_private.key_owner``,
and ``<prefix>gateway``, which `tracker ssh-session` logs in as and which holds nothing but
membership in each member's role, so that a session ``SET ROLE``s to its member.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

PRIVATE = "tracker_private"
LOOKUP = "lookup"
GATEWAY = "gateway"


def server_roles_sql(prefix: str) -> list[str]:
    """What a superuser runs for the team server's roles where the schema's owner may not
    create roles: password-less logins, which the service account reaches by peer
    authentication (a pg_ident map) or a ~/.pgpass line; NOINHERIT, so that neither ever
    holds a privilege of a role it belongs to."""
    return [f"CREATE ROLE {quote_role(prefix + name)} LOGIN NOINHERIT" for name in (LOOKUP, GATEWAY)]


@dataclass(frozen=True)
class Identity:
    role: str  # current_user
    login: str  # the member mapped to that role, else the role's own name
    may_act_as_anyone: bool  # a superuser or the schema owner


_WHO = sa.text(
    "SELECT current_user, "
    "(SELECT rolsuper FROM pg_roles WHERE rolname = current_user) "
    "OR coalesce(pg_has_role(current_user, "
    "(SELECT relowner FROM pg_class WHERE oid = to_regclass('member')), 'MEMBER'), false)"
)
_MAPPED = sa.text("SELECT login FROM member WHERE db_role = current_user")


def database_identity(engine: Engine) -> Identity:
    """Who this engine's connections are on PostgreSQL."""
    with engine.connect() as conn:
        role, privileged = conn.execute(_WHO).one()
        login = None
        if not privileged:
            try:
                with conn.begin_nested():
                    login = conn.execute(_MAPPED).scalar()
            except DBAPIError:  # no tracker schema yet, or from before member.db_role
                login = None
        return Identity(role=str(role), login=str(login or role), may_act_as_anyone=bool(privileged))


def role_prefix(conn: sa.Connection) -> str:
    """The database's group-role prefix, as migration 0007 recorded it."""
    return str(conn.execute(sa.text(f"SELECT {PRIVATE}.role_prefix()")).scalar_one())


def quote_role(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def login_role_sql(conn: sa.Connection, role: str, group: str) -> str:
    """The SQL an administrator runs to give a member ``role`` their login role."""
    prefix = role_prefix(conn)
    return (
        f"CREATE ROLE {quote_role(role)} LOGIN; GRANT {quote_role(prefix + group)} TO {quote_role(role)}; "
        f"GRANT {quote_role(role)} TO {quote_role(prefix + GATEWAY)};"
    )


def ensure_login_role(conn: sa.Connection, role: str, member_id: int) -> str | None:
    """Create ``role`` (or accept an existing ordinary one) through the database's narrow
    role-creating function, and give it its groups; None when done, else why not (the
    database has no role creator, or refused this name): an administrator then runs
    `login_role_sql`."""
    try:
        with conn.begin_nested():
            conn.execute(sa.text(f"SELECT {PRIVATE}.create_login(:r)"), {"r": role})
            conn.execute(sa.text(f"SELECT {PRIVATE}.sync_groups(:m)"), {"m": member_id})
    except DBAPIError as exc:
        return str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
    return None


def gateway_session_role(engine: Engine, login: str, fingerprint: str) -> str | None:
    """On the team server's gateway login: the database role of ``login`` when
    ``fingerprint`` is their enabled key and they may read something (recording the key's
    use, as at every login), else None. Raises `PermissionError` when the gateway cannot
    act as that role (it is not a member of it: `tracker server check` says so)."""
    with engine.begin() as conn:
        role = conn.execute(
            sa.text(f"SELECT {PRIVATE}.open_session(:login, :fp)"), {"login": login, "fp": fingerprint}
        ).scalar()
        if role is None:
            return None
        if not conn.execute(sa.text("SELECT pg_has_role(current_user, :r, 'MEMBER')"), {"r": role}).scalar():
            raise PermissionError(role)
    return str(role)
