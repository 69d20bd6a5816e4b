"""An iCalendar file of what is coming: action due dates, workshops and working-group meetings.

Every event is all-day (the plan knows days, not hours). Due dates are VEVENTs,
not VTODOs: Google Calendar and Outlook show events from a subscribed or
imported file, while to-dos are ignored by the first and kept apart by the
second; the status is in the summary and the description, and a cancelled
action's event is marked cancelled so calendars take it off. UIDs are stable
(``action-<framework>-<key>@tracker``), and ``SEQUENCE`` is the action's
version, so importing a newer file updates events instead of adding copies.
Meetings are one event with the framework's RRULE, starting on the first
meeting, for the calendar to repeat.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from tracker.models.enums import Status
from tracker.seeding.plan import PlanFile
from tracker.services.plan.schedule import Meetings
from tracker.services.views import ActionRow
from tracker.text import visible_controls

PRODID = "-//tracker//action plan export//EN"


def _clean(text: str) -> str:
    # RFC 5545 forbids control characters: shown as symbols (ESC as ␛), as everywhere else.
    return visible_controls(text, keep="\n\t")


def uid(kind: str, framework: str, key: str | None = None) -> str:
    return f"{kind}-{framework}{'-' + key if key else ''}@tracker"


def calendar_bytes(plans: Sequence[PlanFile], actions: Sequence[ActionRow], *, stamp: dt.datetime) -> bytes:
    """Events of ``actions`` that have a due date, of the ``plans``' dated workshops and
    of their meetings; ``stamp`` is the DTSTAMP of every event (the export's time)."""
    from icalendar import Calendar, Event, vRecur  # a dependency of this export only

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "tracker: " + ", ".join(p.framework.key for p in plans) if plans else "tracker")

    def day_event(ident: str, day: dt.date, summary: str, description: str | None = None) -> Event:
        event = Event()
        event.add("uid", ident)
        event.add("dtstamp", stamp)
        event.add("dtstart", day)
        event.add("dtend", day + dt.timedelta(days=1))
        event.add("summary", _clean(summary))
        event.add("transp", "TRANSPARENT")  # a due date does not make anyone busy
        if description:
            event.add("description", _clean(description))
        return event

    for row in actions:
        if row.due is None:
            continue
        word = {Status.done: "Done", Status.cancelled: "Cancelled"}.get(row.status, "Due")
        event = day_event(
            uid("action", row.framework, row.key),
            row.due,
            f"{word}: {row.title}",
            f"{row.ref}\nstatus: {row.status.value.replace('_', ' ')}\nlead: {row.lead.name}\n"
            f"goal: {row.goal_title}\nobjective: {row.objective_title}",
        )
        event.add("sequence", row.version)
        event.add("last-modified", row.updated_at)
        event.add("categories", [row.status.value.replace("_", " ")])
        if row.status is Status.cancelled:
            event.add("status", "CANCELLED")
        calendar.add_component(event)

    for plan in plans:
        fw = plan.framework
        for workshop in plan.workshops:
            if workshop.held_on is None:
                continue
            event = day_event(uid("workshop", fw.key, workshop.key), workshop.held_on, f"Workshop: {workshop.title}")
            if workshop.location:
                event.add("location", _clean(workshop.location))
            calendar.add_component(event)
        if fw.meetings is not None:
            meetings = Meetings(fw.meetings.rule, fw.meetings.starts, fw.meetings.place)
            first = meetings.after(fw.meetings.starts, 1)
            if not first:
                continue  # a rule whose every meeting is over before it starts (COUNT=0, UNTIL in the past)
            # DTSTART is the first meeting the rule gives, so calendars and the tool count alike.
            event = day_event(uid("meetings", fw.key), first[0], f"Working group: {fw.title}")
            event.add("rrule", vRecur.from_ical(fw.meetings.rule))
            if fw.meetings.place:
                event.add("location", _clean(fw.meetings.place))
            calendar.add_component(event)
    return calendar.to_ical()  # type: ignore[no-any-return]
