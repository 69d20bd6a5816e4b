"""Update requests as ready-to-send RFC 5322 messages (``.eml``), a summary, and a zip of them.

Built with Python's `email` package (``EmailMessage``, the SMTP policy: CRLF line
ends, headers folded and encoded by the library). User text is data: a header value
is one line with every control character (CR and LF included) made a space, so a
title can never start a header of its own; in the plain-text body, titles and names
show control, bidi and zero-width characters as symbols (`tracker.text.visible_controls`).
Nothing here sends mail.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from typing import Any

from tracker.services.reporting.requests import Debtor, OwedAction, Reason, UpdateRequests
from tracker.text import visible_controls

XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
SUMMARY = "summary.txt"
TITLE_CHARS = 120


@dataclass(frozen=True)
class Written:
    """One message: its file name, who it asks, and its recipients' addresses (none: to complete)."""

    file: str
    debtor: Debtor
    message: bytes


def header_text(value: str, limit: int = 200) -> str:
    """User text for a header: one line, every control character a space, at most ``limit``."""
    one_line = re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+", " ", value)
    shown = " ".join(visible_controls(one_line).split())
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def body_text(value: str, limit: int = TITLE_CHARS) -> str:
    """User text for the body: one line, controls as symbols, cut at ``limit``."""
    shown = visible_controls(" ".join(value.split()))
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def slug(text: str) -> str:
    """A safe file-name part: letters, digits, dot, dash and underscore; nothing else."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip(".-") or "x"
    return cleaned[:80]


def file_names(debtors: Sequence[Debtor]) -> list[str]:
    """A unique, safe ``.eml`` name per debtor: ``owner-LOGIN.eml``, ``organisation-KEY.eml``."""
    taken: set[str] = {SUMMARY.casefold()}
    names = []
    for d in debtors:
        stem = f"{d.kind}-{slug(d.key)}"
        name, n = f"{stem}.eml", 1
        while name.casefold() in taken:  # case-insensitive file systems too
            n += 1
            name = f"{stem}-{n}.eml"
        taken.add(name.casefold())
        names.append(name)
    return names


def _action_lines(owed: OwedAction, today: dt.date) -> list[str]:
    row = owed.row
    due = row.due.isoformat() if row.due else "no due date"
    if owed.last_update is None:
        last = "none yet"
    else:
        last = f"{owed.last_update.isoformat()} ({(today - owed.last_update).days} days ago)"
    why = ", ".join(r.value for r in owed.reasons)
    return [
        f"- {body_text(row.title)}",
        f"  ref {row.ref} · status {owed.status_words()} · due {due} · last update {last}",
        f"  asked because: {why}",
    ]


def _how_to_answer(debtor: Debtor, ssh: str | None, workbook: str) -> list[str]:
    first = debtor.actions[0].row.ref
    lines = ["How to answer:", ""]
    if ssh:
        lines += [
            "Over ssh, from your own computer (your key is registered on the team server):",
            "",
            f"  ssh {ssh} actions set-status {first} in_progress --note \"'what happened'\"",
            f"  ssh {ssh} actions note {first} \"'a short update'\"",
            f"  ssh {ssh}                 (the app: a for actions, m for yours, s to change a status)",
            "",
            f"Or fill in the attached workbook ({workbook}): a new status, a note and a",
            "completion date per action, and send it back to the coordinator.",
        ]
    else:
        lines += [
            f"Fill in the attached workbook ({workbook}): a new status, a note and a",
            "completion date per action, and send it back to the coordinator, who",
            "records your answers in the tracker.",
        ]
    return lines


def request_message(
    debtor: Debtor,
    *,
    requests: UpdateRequests,
    framework_title: str,
    workbook: bytes,
    workbook_name: str,
    ssh: str | None,
    sender: str | None,
    now: dt.datetime,
) -> bytes:
    """The ``.eml`` bytes asking ``debtor`` for updates on its owed actions."""
    msg = EmailMessage(policy=SMTP)
    if debtor.addresses:
        msg["To"] = ", ".join(debtor.addresses)
    if sender:
        msg["From"] = sender
    msg["Subject"] = header_text(f"Update requested: {framework_title} ({requests.framework})")
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_msgid(domain="tracker.invalid")
    msg["X-Unsent"] = "1"  # mail programs open it as a draft to send
    who = debtor.name if debtor.kind == "owner" else f"colleagues at {debtor.name}"
    counts = ", ".join(f"{debtor.count(r)} {r.value}" for r in Reason if debtor.count(r))
    lines = [
        f"Hello {body_text(who, 80)},",
        "",
        f"Before the next meeting on {body_text(framework_title, 160)},",
        f"please give an update on {'these actions' if len(debtor.actions) != 1 else 'this action'} "
        + ("you own" if debtor.kind == "owner" else "your organisation leads")
        + f" ({counts}; as of {requests.today.isoformat()}):",
        "",
    ]
    for owed in debtor.actions:
        lines += _action_lines(owed, requests.today)
    lines += [
        "",
        f"Due soon: within {requests.due_within} days. Stale: no status change or note for {requests.stale_days} days.",
        "",
        *_how_to_answer(debtor, ssh, workbook_name),
        "",
        "Thank you.",
    ]
    msg.set_content("\n".join(lines) + "\n", charset="utf-8")
    msg.add_attachment(workbook, maintype=XLSX[0], subtype=XLSX[1], filename=workbook_name)
    return msg.as_bytes()


def summary_text(requests: UpdateRequests, written: Sequence[Written]) -> str:
    """Who was asked for what, for the coordinator: one block per message, then the silence."""
    lines = [
        f"Update requests for {requests.framework}, as of {requests.today.isoformat()} "
        f"(due within {requests.due_within} days, stale after {requests.stale_days} days).",
        f"{len(written)} message{'s' if len(written) != 1 else ''} on {requests.owed_actions} owed action"
        f"{'s' if requests.owed_actions != 1 else ''}. Nothing was sent: send the .eml files from your mail program.",
        "",
    ]
    if not written:
        lines.append("Nobody owes an update.")
    for w in written:
        d = w.debtor
        to = ", ".join(d.addresses) if d.addresses else "NO ADDRESS (complete the To line before sending)"
        lines.append(f"{w.file}: {d.kind} {body_text(d.name, 80)} ({d.key}), to {to}")
        for owed in d.actions:
            why = ", ".join(r.value for r in owed.reasons)
            lines.append(f"  {owed.row.ref}: {why}")
    silence = sorted(requests.silence.values(), key=lambda s: (s.name.casefold(), s.key))
    if silence:
        lines += ["", f"Silence of each lead organisation (quiet: no update for {requests.stale_days} days):"]
        for s in silence:
            last = "never updated" if s.days_silent is None else f"last update {s.silent_words()} ago"
            lines.append(f"  {body_text(s.name, 60)} ({s.key}): {last}; quiet {s.share()}; owed {s.owed}")
    return "\n".join(lines) + "\n"


def summary_json(requests: UpdateRequests, written: Sequence[Written]) -> dict[str, Any]:
    """The summary for scripts."""

    def action(owed: OwedAction) -> dict[str, Any]:
        return {
            "ref": owed.row.ref,
            "title": owed.row.title,
            "status": owed.row.status.value,
            "due": owed.row.due.isoformat() if owed.row.due else None,
            "last_update": owed.last_update.isoformat() if owed.last_update else None,
            "reasons": [r.value for r in owed.reasons],
        }

    return {
        "framework": requests.framework,
        "today": requests.today.isoformat(),
        "due_within": requests.due_within,
        "stale_days": requests.stale_days,
        "messages": [
            {
                "file": w.file,
                "kind": w.debtor.kind,
                "key": w.debtor.key,
                "name": w.debtor.name,
                "to": list(w.debtor.addresses),
                "recipients": [r.login for r in w.debtor.recipients],
                "actions": [action(a) for a in w.debtor.actions],
            }
            for w in written
        ],
        "silence": [
            {
                "stakeholder": s.key,
                "name": s.name,
                "last_update": s.last_update.isoformat() if s.last_update else None,
                "days_silent": s.days_silent,
                "open": s.open,
                "quiet": s.quiet,
                "owed": s.owed,
            }
            for s in sorted(requests.silence.values(), key=lambda s: s.key)
        ],
    }


def write_all(
    requests: UpdateRequests,
    *,
    framework_title: str,
    workbook_for: Callable[[Debtor], bytes],
    ssh: str | None,
    sender: str | None,
    now: dt.datetime,
) -> list[Written]:
    """Every message of ``requests``: owners first, then organisations."""
    debtors = [*requests.owners, *requests.organisations]
    written = []
    for d, name in zip(debtors, file_names(debtors), strict=True):
        message = request_message(
            d,
            requests=requests,
            framework_title=framework_title,
            workbook=workbook_for(d),
            workbook_name=name.removesuffix(".eml") + ".xlsx",
            ssh=ssh,
            sender=sender,
            now=now,
        )
        written.append(Written(name, d, message))
    return written
