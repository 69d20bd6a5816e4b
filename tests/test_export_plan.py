"""`tracker export --format plan`: a plan file that seeds the same framework into an empty database."""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from tests.cli import tracker
from tests.conftest import ADMIN, SEED_DIR
from tests.plans import MINIMAL, with_change
from tests.tracking import CONVENE, MEETINGS, PEOPLE, REPORTING
from tracker.db import make_engine, read_session, write_session
from tracker.exports.plan_file import plan_yaml
from tracker.models import metadata
from tracker.models.enums import Status
from tracker.seeding import load_files, load_text, seed
from tracker.seeding.plan import PlanFile
from tracker.services.access.members import add_member, resolve_member
from tracker.services.plan.edits import edit_action, set_allocation
from tracker.services.plan.export import plan_of
from tracker.services.plan.items import add_item, edit_item
from tracker.services.tracking import changes as tracking

SEEDS = sorted(str(p) for p in SEED_DIR.glob("*.yaml"))
# Tracking, not plan: a plan file does not carry these tables.
TRACKING_TABLES = {"status_change", "action_note", "measurement", "plan_change", "import_run"}
HOSTILE = ('=HYPERLINK("http://x")', "+1", "@SUM(A1)", "[bold red]alarm[/]", "yes", "null", "07", "*star", "a: b")

# MINIMAL with what a plan may also hold: a fiscal year, meetings, members, translations,
# and text and keys that YAML would misread if they were written carelessly.
_EXTRA = (
    "  mid_term_months: 24\n  fiscal_year_starts: 7\n"
    "  meetings: {rule: 'FREQ=MONTHLY;INTERVAL=3;BYDAY=+2TU', starts: 2025-02-11, place: 'City Hall: room 2'}\n"
    "members:\n  - {login: ana, name: Ana Ruiz, role: coordinator, stakeholders: [city-of-stamford]}\n"
    "  - {login: bo, role: viewer}\n"
)
RICH = (
    with_change("  mid_term_months: 24\n", _EXTRA)
    .replace("title: Convene the working group", "title: '=HYPERLINK(\"http://x\")'")
    .replace("title: Open a bias-incident reporting line", 'title: "[bold red]alarm[/] \\x07 yes"')
    .replace("key: g1\n", "key: 'yes'\n")
    .replace("key: f3\n", "key: '07'\n")
    .replace("title: A standing working group", "title: 'null'")
    .replace("name: Union Church", "name: '*star &anchor !tag'")
    .replace("            partners: [domus-kids]\n", "            partners: [domus-kids]\n            owner: ana\n")
)


def seeded_rich(engine: Engine) -> None:
    """RICH, with the members of `tests.tracking` (one per role) added in the tool."""
    seed(engine, [load_text(RICH, source="rich.yaml")], actor=ADMIN)
    with write_session(engine) as session:
        ana = resolve_member(session, "ana")  # RICH's coordinator
        for login, (role, orgs) in PEOPLE.items():
            add_member(session, actor=ana, login=login, role=role, framework="stamford-ct", stakeholders=orgs)


def plan_rows(engine: Engine, *, ignore: frozenset[str] = frozenset()) -> dict[str, list[str]]:
    """Every plan table's rows by value: ids replaced by what they point at, timestamps left out."""
    skip = {"id", "created_at", "updated_at", *ignore}
    # Admins belong to the database, not to any plan.
    tables = {n: t for n, t in metadata.tables.items() if n not in TRACKING_TABLES and n != "admin"}
    with engine.connect() as conn:
        rows = {n: [dict(r._mapping) for r in conn.execute(sa.select(t))] for n, t in tables.items()}
    by_id = {n: {r["id"]: r for r in rs} for n, rs in rows.items() if "id" in tables[n].c}
    memo: dict[tuple[str, int], Any] = {}

    def identity(name: str, row: dict[str, Any]) -> tuple[Any, ...]:
        out = []
        for column in tables[name].columns:
            if column.name in skip:
                continue
            value = row[column.name]
            if column.foreign_keys and value is not None:
                # Follow the reference to the row it names by id (affiliation.member_id
                # refers to membership.member_id, which refers to member.id).
                referred = next(iter(column.foreign_keys)).column
                while referred.name != "id" and referred.foreign_keys:
                    referred = next(iter(referred.foreign_keys)).column
                target = referred.table.name
                if (target, value) not in memo:
                    memo[(target, value)] = identity(target, by_id[target][value])
                value = (target, memo[(target, value)])
            out.append((column.name, value))
        return tuple(out)

    return {n: sorted(repr(identity(n, r)) for r in rs) for n, rs in rows.items()}


def unused_stakeholders(engine: Engine) -> set[str]:
    """Stakeholders nothing refers to: no framework's plan holds them, so no export does."""
    with engine.connect() as conn:
        return set(
            conn.execute(
                sa.text(
                    "SELECT key FROM stakeholder WHERE id NOT IN (SELECT lead_id FROM action "
                    "UNION SELECT stakeholder_id FROM action_partner UNION SELECT stakeholder_id FROM "
                    "workshop_participant UNION SELECT stakeholder_id FROM affiliation)"
                )
            ).scalars()
        )


def export_plans(db_url: str, keys: list[str], folder: Path) -> list[Path]:
    files = []
    for key in keys:
        path = folder / f"{key}.yaml"
        result = tracker("--db", db_url, "export", "--format", "plan", "--framework", key, "-o", str(path))
        assert result.code == 0, result.err
        files.append(path)
    return files


def body(path: Path) -> str:
    """The file without its comment lines (which say when and from where it was exported)."""
    return "".join(line for line in path.read_text().splitlines(keepends=True) if not line.startswith("#"))


def test_bundled_plans_round_trip_through_export(engine: Engine, db_url: str, fresh_url: str, tmp_path: Path) -> None:
    """Moving the real plans to a new server by export and seed loses or changes nothing,
    and exporting the copy gives the same files again."""
    seed(engine, load_files(SEEDS), actor=ADMIN)
    keys = sorted(load_text(Path(s).read_text()).plan.framework.key for s in SEEDS)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    files = export_plans(db_url, keys, tmp_path / "a")
    assert tracker("--db", fresh_url, "seed", *map(str, files)).code == 0
    fresh = make_engine(fresh_url)
    try:
        before, after = plan_rows(engine), plan_rows(fresh)
        unused = unused_stakeholders(engine)
        assert unused == {"us-department-of-homeland-security"}  # declared by two files, used by none
        before["stakeholder"] = [r for r in before["stakeholder"] if not any(repr(k) in r for k in unused)]
        assert after == before
        again = export_plans(fresh_url, keys, tmp_path / "b")
        assert [body(p) for p in again] == [body(p) for p in files]
    finally:
        fresh.dispose()


def test_rich_plan_with_tracking_round_trips_at_its_current_status(
    engine: Engine, db_url: str, fresh_url: str, tmp_path: Path
) -> None:
    """A framework worked on in the tool (statuses, edits, allocations, members, meetings,
    hostile titles) exports as a plan that recreates it as it is now; the new database
    starts at the current statuses, without the old history."""
    seeded_rich(engine)
    with write_session(engine) as session:
        city, coord = resolve_member(session, "city"), resolve_member(session, "coord")
        tracking.set_status(session=session, actor=city, ref=CONVENE, status=Status.done, note="held")
        tracking.set_status(session=session, actor=coord, ref=REPORTING, status=Status.blocked)
        tracking.add_note(session=session, actor=city, ref=CONVENE, text="minutes shared")
        tracking.record_measurement(session=session, actor=coord, ref=MEETINGS, value="10", on=dt.date(2025, 3, 1))
        edit_action(session=session, actor=coord, ref=REPORTING, changes={"title": "@SUM(A1)", "cost": "2500.50"})
        edit_action(session=session, actor=coord, ref=REPORTING, changes={"owner": "church"})
        set_allocation(session=session, actor=coord, ref=REPORTING, source="dhs-cp3", fiscal_year=2026, amount=None)
        # Goals, objectives, indicators and sources added, edited, moved and reordered in the tool.
        add = functools.partial(add_item, session=session, actor=coord)
        edit = functools.partial(edit_item, session=session, actor=coord)
        add(kind_name="goal", under="stamford-ct", fields={"key": "g2", "title": "Second"}, position=1,
            findings=["2024-12-09/f2"])  # fmt: skip
        add(kind_name="objective", under="stamford-ct/g2", fields={"key": "o2", "title": "Mentoring"})
        add(kind_name="indicator", under="stamford-ct/o2", fields={"key": "mentors", "name": "M", "unit": "people"})
        edit(kind_name="objective", ref="stamford-ct/g1-o1", changes={"description": "moved"}, parent="g2", position=1)
        edit(kind_name="indicator", ref=MEETINGS, changes={"target": "8.5", "baseline": None})
        add(
            kind_name="source",
            under="",
            fields={"key": "youth", "name": "Youth", "kind": "foundation", "amount": "900"},
        )
        edit(kind_name="source", ref="youth", changes={"notes": "renewed yearly"})
        set_allocation(session=session, actor=coord, ref=CONVENE, source="youth", fiscal_year=2026, amount="700")
    [path] = export_plans(db_url, ["stamford-ct"], tmp_path)
    text = path.read_text()
    assert text.startswith("# Plan of framework stamford-ct, exported by tracker ")
    assert "Not in a plan file: status history, notes" in text
    seeded_again = tracker("--db", fresh_url, "seed", str(path))
    assert seeded_again.code == 0, seeded_again.err
    fresh = make_engine(fresh_url)
    try:
        # The version counts changes and completed_on is set by moving to done: tracking.
        ignore = frozenset({"version", "completed_on"})
        assert plan_rows(fresh, ignore=ignore) == plan_rows(engine, ignore=ignore)
        with read_session(fresh) as session:
            plan = plan_of(session, framework="stamford-ct")
        assert [g.key for g in plan.goals] == ["g2", "yes"] and plan.goals[1].objectives == []
        assert [o.key for o in plan.goals[0].objectives] == ["g1-o1", "o2"]
        assert [a.status for a in plan.goals[0].objectives[0].actions] == [Status.done, Status.blocked]
        assert [a.title for a in plan.goals[0].objectives[0].actions] == ['=HYPERLINK("http://x")', "@SUM(A1)"]
        assert [a.owner for a in plan.goals[0].objectives[0].actions] == ["ana", "church"]
        assert plan.framework.fiscal_year_starts == 7
        assert plan.framework.meetings is not None and plan.framework.meetings.place == "City Hall: room 2"
        with fresh.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM status_change")).scalar() == 0
    finally:
        fresh.dispose()


def test_minimal_plan_exports_to_the_same_plan(engine: Engine) -> None:
    """The file a user gets back means what they seeded: same keys, values and order (a
    horizon that `due` gives anyway is left for the seeder to derive, as people write it)."""
    text = with_change("            horizon: near_term\n", "", RICH)
    original = load_text(text).plan
    seed(engine, [load_text(text)], actor=ADMIN)
    with read_session(engine) as session:
        exported = plan_of(session, framework="stamford-ct")
    assert exported == original
    text = plan_yaml(exported)
    assert "key: 'yes'" in text and "key: '07'" in text and "title: 'null'" in text
    assert "owner: ana" in text
    assert "  - key:" in text or "- key:" in text  # block style, not {flow: maps}
    assert "{" not in text.split("goals:")[1]


def test_plan_needs_a_framework_and_refuses_unknown_ones(db_url: str, engine: Engine) -> None:
    """One framework per plan file: without --framework, one sentence says so."""
    seed(engine, [load_text(MINIMAL)], actor=ADMIN)
    missing = tracker("--db", db_url, "export", "--format", "plan")
    assert missing.code == 2 and "give --framework KEY" in missing.err and "Traceback" not in missing.err
    unknown = tracker("--db", db_url, "export", "--format", "plan", "--framework", "nope")
    assert unknown.code == 2 and "there is no framework 'nope'" in unknown.err


# -- text that YAML would misread ----------------------------------------------------------------

_BASE = load_text(MINIMAL).plan
_texts = (
    st.one_of(
        st.sampled_from(
            (
                *HOSTILE,
                "2024-01-01",
                "1_000",
                "0x1f",
                ".inf",
                "~",
                "- x",
                "# not a comment",
                "'q'",
                '"',
                "line\u2028separator",
                "next\x85line",
                "para\u2029graph",
            )
        ),
        st.text(min_size=1, max_size=80),
    )
    .map(str.strip)
    .filter(lambda text: text and "\x00" not in text)  # NUL is refused at every input (PostgreSQL cannot store it)
)
_keys = st.one_of(
    st.sampled_from(["07", "2024-01-01", "yes", "null", "true", "0x1f", "1-0", "1e5", "0", "2024"]),
    st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,2}", fullmatch=True),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=_texts, description=_texts, finding=_texts, key=_keys, amount=st.decimals(10_000, 10**9, places=2))
def test_any_text_and_key_round_trip_through_the_plan_file(
    title: str, description: str, finding: str, key: str, amount: Decimal
) -> None:
    """Whatever a title, a finding or a key holds, the exported file reads back the same."""
    workshop = _BASE.workshops[0]
    findings = [f.model_copy(update={"text": finding}) for f in workshop.findings]
    goal = _BASE.goals[0].model_copy(update={"key": key, "title": title, "description": description})
    data = _BASE.model_copy(update={"workshops": [workshop.model_copy(update={"findings": findings})], "goals": [goal]})
    plan = PlanFile.model_validate(data.model_dump())
    source = plan.funding_sources[0].model_copy(update={"amount": amount})
    plan = PlanFile.model_validate(plan.model_copy(update={"funding_sources": [source]}).model_dump())
    text = plan_yaml(plan, comments=[title])  # also checks, by reading it back
    assert load_text(text).plan == plan
