"""Action lists for scripts and spreadsheets (JSON and formula-safe CSV)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tracker.exports.csv_out import write_csv
from tracker.exports.data import plain
from tracker.services.views import ActionRow

CSV_COLUMNS = (
    "ref", "framework", "key", "title", "status", "horizon", "lead", "partners", "starts", "due",
    "completed_on", "cost", "funded", "goal", "objective", "version", "overdue", "owner",
)  # fmt: skip


def actions_json(rows: Sequence[ActionRow], *, total: int | None = None) -> dict[str, Any]:
    return {"total": total, "count": len(rows), "actions": [plain(r) for r in rows]}


def actions_csv(rows: Sequence[ActionRow]) -> str:
    return write_csv(
        CSV_COLUMNS,
        (
            (
                r.ref,
                r.framework,
                r.key,
                r.title,
                r.status.value,
                r.horizon.value,
                r.lead.key,
                " ".join(p.key for p in r.partners),
                r.starts,
                r.due,
                r.completed_on,
                r.cost,
                r.funded,
                r.goal_key,
                r.objective_key,
                r.version,
                "yes" if r.overdue else "no",
                r.owner,
            )
            for r in rows
        ),
    )
