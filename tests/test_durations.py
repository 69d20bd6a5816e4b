"""One syntax for a number of days wherever an option asks for one: 14, 14d, 2w."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.engine import Engine

from tests.cli import tracker
from tests.tracking import CONVENE, seeded
from tracker.dates import parse_days
from tracker.errors import BadInput


@pytest.mark.parametrize(("text", "days"), [("14", 14), ("14d", 14), ("2w", 14), (" 3D ", 3), ("0", 0)])
def test_the_forms_people_type(text: str, days: int) -> None:
    """A user who writes 2w means fourteen days, as 14 and 14d do."""
    assert parse_days(text, "--stale-days") == days


@pytest.mark.parametrize("text", ["", "two weeks", "-3", "1.5w", "2m", "14 days", "1" * 13])
def test_other_forms_are_refused_naming_the_option(text: str) -> None:
    """A value tracker would have to guess is refused, with the option and the forms that work."""
    with pytest.raises(BadInput, match=r"--stale-days takes a number of days: 14, 14d or 2w"):
        parse_days(text, "--stale-days")


def test_stale_days_takes_weeks(engine: Engine, db_url: str) -> None:
    """`actions list --stale --stale-days 2w` lists what `--stale-days 14` does; a bad value exits 2."""
    seeded(engine)
    assert tracker("--db", db_url, "--as", "coord", "actions", "set-status", CONVENE, "in_progress").code == 0
    runs = [
        json.loads(tracker("--db", db_url, "actions", "list", "--stale", "--stale-days", days, "--json").out)
        for days in ("14", "14d", "2w")
    ]
    assert runs[0] == runs[1] == runs[2]
    bad = tracker("--db", db_url, "actions", "list", "--stale", "--stale-days", "2 weeks")
    assert bad.code == 2 and "--stale-days" in bad.err, bad
    too_many = tracker("--db", db_url, "actions", "list", "--stale", "--stale-days", "6000w")
    assert too_many.code == 2 and "--stale-days must be from 1 to 36,500" in too_many.err, too_many
