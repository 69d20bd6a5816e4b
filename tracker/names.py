"""Logins and people's names: one rule for every way in (plan files, the CLI, ``--as``).

What an export would refuse, the input refuses: a login with a look-alike
letter (Cyrillic 'а' in 'аdmin') or a name too long for the plan-file format
used to be stored, and then no plan, JSON or calendar export could be made.
"""

from __future__ import annotations

import re

from tracker.text import check_no_nul

# ASCII only, so that 'admin' and 'аdmin' can never be two different people; at
# most 63 characters, PostgreSQL's limit for a role name (a login may be one).
# The first character is a letter, digit or '_', so a login never reads as an
# option (-x) or a hidden file (.x).
MAX_LOGIN = 63
LOGIN_PATTERN = rf"^[A-Za-z0-9_][A-Za-z0-9_.@-]{{0,{MAX_LOGIN - 1}}}$"
MAX_NAME = 500

_LOGIN = re.compile(LOGIN_PATTERN)


def check_login(text: str) -> str:
    """``text`` if it is a usable login (case as typed), else ValueError saying why."""
    if _LOGIN.fullmatch(text):
        return text
    shown = repr(text) if len(text) <= 40 else repr(text[:40]) + "..."
    if not text:
        why = "is empty"
    elif len(text) > MAX_LOGIN:
        why = f"is longer than {MAX_LOGIN} characters"
    elif not text.isascii():
        why = "has a character that is not plain ASCII (a look-alike letter?)"
    else:
        why = "is not a usable login"
    return _refuse(
        f"the login {shown} {why}; use {MAX_LOGIN} characters at most: ASCII letters, digits, "
        "'.', '-', '_' or '@', starting with a letter, digit or '_'"
    )


def twin_message(login: str, existing: str) -> str:
    """Why ``login`` is refused beside ``existing``, which differs from it only by case.

    The rule for case: a login is its exact text (on PostgreSQL the quoted name of a role,
    which is case-sensitive), and no two logins differ only by case.
    """
    return (
        f"the login {login!r} differs only by case from the member {existing!r}; logins are case-sensitive "
        f"and no two differ only by case: use {existing!r}"
    )


def check_name(text: str) -> str:
    """A person's name, without surrounding spaces: 1 to `MAX_NAME` characters."""
    name = check_no_nul(text.strip(), "the name")
    if not name:
        return _refuse("the name is empty; give the person's name, or leave it out")
    if len(name) > MAX_NAME:
        return _refuse(f"the name has {len(name):,} characters; keep it to {MAX_NAME}")
    return name


def _refuse(message: str) -> str:
    raise ValueError(message)
