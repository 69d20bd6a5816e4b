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


MAX_EMAIL = 320  # RFC 5321: 64 for the local part, '@', 255 for the domain
_EMAIL_FORBIDDEN = re.compile(r"[\s\x00-\x1f\x7f<>()\[\],;:\\\"]")
_DOMAIN_LABEL = re.compile(r"^[^\W_](?:[\w-]{0,61}[^\W_])?$")


def check_email(text: str) -> str:
    """A member's email address, without surrounding spaces, else ValueError saying why.

    The standard library's `email.utils.parseaddr` (the parser the requests' messages are
    written with) must read it as a bare address, and it must have the plain shape
    local@domain.tld: no display name, quotes, comments or spaces, which a ``To:`` line
    would read differently. Whether the mailbox exists is not checked (no network).
    """
    from email.utils import parseaddr

    address = text.strip()
    shown = repr(address) if len(address) <= 60 else repr(address[:60]) + "..."
    local, at, domain = address.rpartition("@")
    if not address:
        why = "is empty; give an address such as maria@example.org, or leave it out"
    elif len(address) > MAX_EMAIL:
        why = f"is longer than {MAX_EMAIL} characters"
    elif _EMAIL_FORBIDDEN.search(address):
        why = "has a space, a control character, a quote, a bracket or one of , ; : (a name beside it?)"
    elif not at or not local or "@" in local or len(local) > 64:
        why = "needs one '@' with the mailbox's name before it"
    elif "." not in domain or len(domain) > 255 or not all(_DOMAIN_LABEL.match(p) for p in domain.split(".")):
        why = "needs a domain such as example.org after the '@'"
    elif parseaddr(address) != ("", address):
        why = "does not read as one address"
    else:
        return address
    if not address:
        return _refuse(f"the email {why}")
    return _refuse(f"the email {shown} {why}; give a bare address such as maria@example.org")


def _refuse(message: str) -> str:
    raise ValueError(message)
