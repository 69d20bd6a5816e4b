"""The plan-file format: pydantic models that are the public contract for scripts.

A plan file describes one framework. Every item carries a stable ``key`` and
refers to others by key; `schema/plan.schema.json` is generated from these
models (``python -m tracker.seeding.schema``).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
    model_validator,
)

from tracker.dates import in_range, parse_iso
from tracker.models.enums import Direction, FundingKind, Horizon, Role, Sector, Stage, Status, Visibility
from tracker.names import LOGIN_PATTERN, MAX_EMAIL, MAX_NAME, check_email, check_login, check_name
from tracker.numbers import MAX_AMOUNT, check_amount, check_quantity
from tracker.services.plan.schedule import check_meetings, check_rule
from tracker.text import check_no_nul

KEY_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
_ISO = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")


def _key_from_number(value: Any) -> Any:
    # YAML reads `key: 2024` as a number; a key is text either way.
    if isinstance(value, int) and not isinstance(value, bool):
        return getattr(value, "text", None) or str(value)  # YAML's `07` stays "07"
    return value


def parse_plan_date(value: Any, *, end_of_month: bool) -> dt.date:
    """An ISO date, or a bare month: its first day for starts, its last for ends.

    Anything else (``03/04/2025``, ``2025/4/3``, ``April 2025``) is ambiguous
    or unusual enough to be refused rather than guessed; so is a year outside
    the range of `tracker.dates`.
    """
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return in_range(value)
    found = parse_iso(str(value), end_of_month=end_of_month) if isinstance(value, str | int) else None
    if found is None:
        raise ValueError(
            f"{value!r} is not an ISO date; write YYYY-MM-DD (for example 2025-06-30) or YYYY-MM for a whole month"
        )
    return found


def _start_date(value: Any) -> dt.date:
    return parse_plan_date(value, end_of_month=False)


def _end_date(value: Any) -> dt.date:
    return parse_plan_date(value, end_of_month=True)


def _day_date(value: Any) -> dt.date:
    if isinstance(value, str) and _ISO.match(value.strip()) and value.strip().count("-") == 1:
        raise ValueError(f"{value!r} is a month; this date needs a day: write YYYY-MM-DD")
    return parse_plan_date(value, end_of_month=False)


_DATE_SCHEMA = WithJsonSchema(
    {"type": "string", "pattern": r"^\d{4}-\d{2}(-\d{2})?$", "description": "YYYY-MM-DD or YYYY-MM"}
)
_iso = PlainSerializer(lambda d: d.isoformat(), return_type=str)

# Constraints in `Field` come before the validators so pydantic checks them in
# its compiled core (after a validator, they fall back to slow Python checks).
Key = Annotated[
    str,
    Field(pattern=KEY_PATTERN, min_length=1, max_length=64),
    BeforeValidator(_key_from_number),
]
StartDate = Annotated[dt.date, BeforeValidator(_start_date), _DATE_SCHEMA, _iso]
EndDate = Annotated[dt.date, BeforeValidator(_end_date), _DATE_SCHEMA, _iso]
DayDate = Annotated[
    dt.date,
    BeforeValidator(_day_date),
    WithJsonSchema({"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}),
    _iso,
]


_money_schema = WithJsonSchema(
    {
        "anyOf": [
            {"type": "number", "minimum": 0, "maximum": int(MAX_AMOUNT)},
            {"type": "string", "pattern": r"^\d{1,11}(\.\d{1,2})?$"},
        ]
    }
)
_number_schema = WithJsonSchema({"anyOf": [{"type": "number"}, {"type": "string", "pattern": r"^-?\d+(\.\d+)?$"}]})
_decimal_out = PlainSerializer(lambda d: str(d), return_type=str)

# One check per kind of number, shared with the CLI and the services (tracker.numbers).
Money = Annotated[
    Decimal,
    BeforeValidator(check_amount),
    _money_schema,
    _decimal_out,
]
Quantity = Annotated[
    Decimal,
    BeforeValidator(check_quantity),
    _number_schema,
    _decimal_out,
]
FindingRef = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9]+(-[a-z0-9]+)*/[a-z0-9]+(-[a-z0-9]+)*$",
        description="workshop-key/finding-key",
    ),
]


def _no_nul(value: str) -> str:
    return check_no_nul(value)  # not passed directly: pydantic would take its second parameter for `info`


# Lengths are the columns' (checked here, so PostgreSQL never has to refuse them).
Text = Annotated[str, Field(min_length=1, max_length=10_000), AfterValidator(_no_nul)]
ShortText = Annotated[str, Field(min_length=1, max_length=500), AfterValidator(_no_nul)]
LabelText = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_no_nul)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code")]


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


def _meeting_rule(value: Any) -> Any:
    """Check an RFC 5545 RRULE with dateutil; the rule is stored as written."""
    return check_rule(value) if isinstance(value, str) else value


MeetingRule = Annotated[
    str,
    Field(min_length=1, max_length=500, description="RFC 5545 RRULE, e.g. FREQ=MONTHLY;INTERVAL=3;BYDAY=+2TU"),
    AfterValidator(_meeting_rule),
]


class MeetingsIn(_Item):
    """The framework's working-group meetings, as a recurrence rule from a first meeting."""

    rule: MeetingRule
    starts: DayDate = Field(description="the first meeting; the rule counts from this day")
    place: ShortText | None = None

    @model_validator(mode="after")
    def _meets_often_enough(self) -> MeetingsIn:
        check_meetings(self.rule, self.starts)
        return self


class FrameworkIn(_Item):
    """The city's framework itself."""

    key: Key
    city: ShortText
    state: LabelText | None = None
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")]
    title: ShortText
    description: Text | None = None
    stage: Stage = Stage.draft
    starts: StartDate
    near_term_months: Annotated[int, Field(gt=0, le=600)] = 6
    mid_term_months: Annotated[int, Field(gt=0, le=600)] = 24
    currency: Currency = "USD"
    fiscal_year_starts: Annotated[int, Field(ge=1, le=12)] = Field(
        default=1,
        description="month the fiscal year starts (7: July); a fiscal year is named by the calendar year it ends in",
    )
    meetings: MeetingsIn | None = None


class StakeholderIn(_Item):
    key: Key
    name: ShortText
    sector: Sector
    description: Text | None = None


# One rule for logins and names, shared with `tracker member add` and --as (tracker.names).
Login = Annotated[str, AfterValidator(check_login), WithJsonSchema({"type": "string", "pattern": LOGIN_PATTERN})]
PersonName = Annotated[
    str, AfterValidator(check_name), WithJsonSchema({"type": "string", "minLength": 1, "maxLength": MAX_NAME})
]

Email = Annotated[
    str,
    AfterValidator(check_email),
    WithJsonSchema({"type": "string", "format": "email", "minLength": 3, "maxLength": MAX_EMAIL}),
]


class MemberIn(_Item):
    login: Login
    name: PersonName | None = None
    email: Email | None = Field(
        default=None,
        description="the member's address, shown only to them, admins and coordinators of their frameworks; "
        "left out: the database's is kept",
    )
    role: Role = Role.member
    stakeholders: list[Key] = []


class FundingSourceIn(_Item):
    key: Key
    name: ShortText
    kind: FundingKind
    reference: ShortText | None = None
    amount: Money | None = Field(default=None, description="committed amount; null when unknown")
    currency: Currency = "USD"
    starts: StartDate | None = None
    ends: EndDate | None = None
    notes: Text | None = None


class FindingIn(_Item):
    key: Key
    text: Text
    translations: dict[Annotated[str, Field(pattern=r"^[a-z]{2,3}(-[A-Z]{2})?$")], Text] = {}


class WorkshopIn(_Item):
    key: Key
    title: ShortText
    held_on: DayDate | None = Field(default=None, description="null when the report gives no date")
    location: ShortText | None = None
    background: bool = Field(
        default=False,
        description="true for a convening that informs the plan without being its own, such as one "
        "about other cities: its findings can be cited, but are not counted as unanswered",
    )
    participants: list[Key] = []
    findings: list[FindingIn] = []


class AllocationIn(_Item):
    source: Key
    amount: Money | None = Field(default=None, description="null when the amount is unknown")
    fiscal_year: Annotated[int, Field(ge=1900, le=2200)]


class IndicatorIn(_Item):
    key: Key
    name: ShortText
    unit: LabelText
    baseline: Quantity | None = None
    target: Quantity | None = None
    target_date: EndDate | None = None
    direction: Direction = Direction.increase
    description: Text | None = None
    visibility: Visibility = Field(
        default=Visibility.internal,
        description="public: shown by `tracker publish` when every item above it is public too",
    )


class ActionIn(_Item):
    key: Key
    title: ShortText
    description: Text | None = None
    horizon: Horizon | None = Field(
        default=None, description="derived from `due` and the framework's windows when missing"
    )
    lead: Key
    partners: list[Key] = []
    owner: Login | None = Field(
        default=None,
        description="the member responsible: a login that works for the lead or a partner in this framework",
    )
    status: Status = Field(default=Status.planned, description="initial status of a new action only")
    starts: StartDate | None = None
    due: EndDate | None = None
    cost: Money | None = Field(default=None, description="estimated cost; null when unknown")
    visibility: Visibility = Field(
        default=Visibility.internal,
        description="public: shown by `tracker publish` when every item above it is public too",
    )
    findings: list[FindingRef] = []
    funding: list[AllocationIn] = []


class ObjectiveIn(_Item):
    key: Key
    title: ShortText
    description: Text | None = None
    visibility: Visibility = Field(
        default=Visibility.internal,
        description="public: shown by `tracker publish` when every item above it is public too",
    )
    findings: list[FindingRef] = []
    indicators: list[IndicatorIn] = []
    actions: list[ActionIn] = []


class GoalIn(_Item):
    key: Key
    title: ShortText
    description: Text | None = None
    visibility: Visibility = Field(
        default=Visibility.internal,
        description="public: shown by `tracker publish` when every item above it is public too",
    )
    findings: list[FindingRef] = []
    objectives: list[ObjectiveIn] = []


class PlanFile(_Item):
    """One framework's plan: the root of a plan file."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        frozen=True,
        title="tracker plan file",
        json_schema_extra={"$comment": "Generated by `python -m tracker.seeding.schema`; do not edit."},
    )

    framework: FrameworkIn
    stakeholders: list[StakeholderIn] = []
    members: list[MemberIn] = []
    funding_sources: list[FundingSourceIn] = []
    workshops: list[WorkshopIn] = []
    goals: list[GoalIn] = []
