"""The coordinator's report as one printable HTML page with charts, in English or French.

It says what the Markdown report says (`tracker.exports.report_md`), from the same
:class:`ReportData` (no query of its own), plus three charts each with its figures in a
table beside it. The page is rendered by the one HTML renderer (`tracker.web.render`:
autoescaping, control characters shown), so user text is inert.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from functools import partial

from babel.numbers import format_decimal, format_percent

from tracker.exports.report_md import TABLE_ROWS as ROWS  # rows of the long tables and the sources chart
from tracker.models.enums import Direction, FundingKind, Stage, Status
from tracker.services.reporting.report import ReportData
from tracker.services.reporting.requests import Reason
from tracker.services.tracking.activity import ActivityItem
from tracker.services.views import behalf_name
from tracker.text import visible_controls
from tracker.web import report_charts
from tracker.web.i18n import translations
from tracker.web.render import render

STATUS_MARK = {s: s.symbol for s in Status}


def _status_words(_: report_charts.Words) -> dict[Status, str]:
    words = {
        Status.planned: _("planned"),
        Status.in_progress: _("in progress"),
        Status.blocked: _("blocked"),
        Status.done: _("done"),
        Status.cancelled: _("cancelled"),
    }
    return {s: f"{STATUS_MARK[s]} {w}" for s, w in words.items()}


def _enum_words(_: report_charts.Words) -> dict[object, str]:
    """Our words for the values of the plan's enumerations, in the page's language."""
    return {
        Stage.draft: _("draft"),
        Stage.initial: _("initial"),
        Stage.final: _("final"),
        Direction.increase: _("increase"),
        Direction.decrease: _("decrease"),
        FundingKind.federal_grant: _("federal grant"),
        FundingKind.state_grant: _("state grant"),
        FundingKind.local_government: _("local government"),
        FundingKind.foundation: _("foundation"),
        FundingKind.community: _("community"),
        FundingKind.corporate: _("corporate"),
        FundingKind.in_kind: _("in kind"),
        FundingKind.other: _("other"),
        # why an indicator cannot be judged (tracker.services.plan.indicators)
        "no baseline": _("no baseline"),
        "no target": _("no target"),
        "no target date": _("no target date"),
        "no measurement": _("no measurement"),
        "target not beyond baseline": _("target not beyond baseline"),
        # where "what changed" starts (tracker.services.reporting.report.default_since)
        "the last working-group meeting": _("the last working-group meeting"),
        "30 days ago": _("30 days ago"),
    }


_STATUS_CHANGE = re.compile(
    r"(new|planned|in progress|blocked|done|cancelled) → (planned|in progress|blocked|done|cancelled)"
)
_MEASUREMENT = re.compile(r"(\S+) (.*?) on (\d{4}-\d{2}-\d{2})(: .*)?", re.DOTALL)
_PLAN_EDIT = re.compile(r"([a-z_]+): (.*)", re.DOTALL)
_FORCED = " (forced over a newer change)"


def _activity_text(item: ActivityItem, _: report_charts.Words, status_words: dict[Status, str]) -> str:
    """What an item of "what changed" says, with the words of ours in it (the feed writes them
    in English: statuses, "on", field names) in the page's language; the user's words as they are."""
    text = item.text
    plain = {s.value.replace("_", " "): w.partition(" ")[2] for s, w in status_words.items()}
    plain["new"] = _("new")
    if item.kind == "status" and (found := _STATUS_CHANGE.match(text)):
        rest = text[found.end() :]
        if rest.endswith(_FORCED):
            rest = rest.removesuffix(_FORCED) + " (" + _("forced over a newer change") + ")"
        return f"{plain[found[1]]} → {plain[found[2]]}{rest}"
    if item.kind == "measurement" and (found := _MEASUREMENT.fullmatch(text)):
        said = _("%(value)s %(unit)s on %(day)s") % {"value": found[1], "unit": found[2], "day": found[3]}
        return said + (found[4] or "")
    if item.kind == "plan" and (found := _PLAN_EDIT.fullmatch(text)):
        fields = {
            "title": _("title"),
            "description": _("description"),
            "lead": _("lead"),
            "partners": _("partners"),
            "owner": _("owner"),
            "horizon": _("horizon"),
            "starts": _("start"),
            "due": _("due"),
            "cost": _("cost"),
            "position": _("position"),
        }
        return f"{fields.get(found[1], found[1])}: {found[2]}"
    return text


def _money(lang: str, unknown: str, amount: Decimal | None, currency: str = "") -> str:
    if amount is None:
        return unknown
    text = format_decimal(amount, format="#,##0.00", locale=lang)
    return f"{text} {currency}".rstrip()


def _count(lang: str, n: int) -> str:
    return format_decimal(n, locale=lang)


def _share(lang: str, value: Decimal | float | None) -> str:
    return "–" if value is None else format_percent(value, locale=lang)


def _day(value: dt.date | None) -> str:
    return "–" if value is None else value.isoformat()


def report_html(data: ReportData, lang: str = "en") -> str:
    """The whole report as an HTML document in ``lang`` ("en" or "fr")."""
    _ = translations(lang).gettext
    status_words = _status_words(_)
    enum_words = _enum_words(_)
    money = partial(_money, lang, _("unknown"))
    currency = data.funding.currency
    return render(
        "report/report.html.j2",
        lang,
        data=data,
        statuses=list(report_charts.STATUS_STYLE),
        status_words=status_words,
        word=lambda value: enum_words.get(value, str(getattr(value, "value", value))),
        money=money,
        count=partial(_count, lang),
        share=partial(_share, lang),
        day=_day,
        inert=visible_controls,
        behalf_name=behalf_name,
        activity_text=lambda item: _activity_text(item, _, status_words),
        rows=ROWS,
        reasons=list(Reason),  # the columns of "Who owes an update", in the Markdown report's order
        progress_chart=report_charts.progress_chart(data.goals, status_words=status_words, _=_) if data.goals else None,
        years_chart=report_charts.gap_years_chart(
            data.funding.years,
            money=lambda amount: money(amount, currency),
            number=lambda value: format_decimal(round(value), locale=lang),
            _=_,
        )
        if data.funding.years
        else None,
        sources_chart=report_charts.sources_chart(data.funding.sources[:ROWS], today=data.today, money=money, _=_),
    )
