"""Every framework's full data as one JSON document, for other tools.

Shape (money and quantities as exact strings, dates and times in ISO 8601)::

    {"format": "tracker-export", "version": 1, "exported_at": "...",
     "frameworks": [
       {"plan": {...},        # the plan file, as `tracker seed` reads it (JSON is a plan format too)
        "tracking": {
          "actions": [{"key", "status", "version", "completed_on", "created_at", "updated_at",
                       "status_changes": [{"at", "by", "from_status", "to_status", "note", "forced"}],
                       "notes": [{"at", "by", "text"}],
                       "plan_changes": [{"at", "by", "field", "old", "new", "forced"}]}],
          "indicators": [{"key", "measurements": [{"measured_on", "value", "note", "by", "recorded_at"}]}]}}]}

``plan`` holds every field of the format, nulls and empty lists included, so a
script finds each key where it expects it; allocations are in each action's
``funding``. ``jq '.frameworks[0].plan'`` gives a file that `tracker seed` accepts.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tracker.exports.data import plain
from tracker.seeding.plan import PlanFile
from tracker.services.reporting.export_views import FrameworkTracking
from tracker.text import escape_invisible

FORMAT = "tracker-export"
VERSION = 1


@dataclass(frozen=True)
class FrameworkExport:
    """One framework's plan and what was tracked on it."""

    plan: PlanFile
    tracking: FrameworkTracking


def full_data(frameworks: Sequence[FrameworkExport], *, exported_at: dt.datetime) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": exported_at.isoformat(),
        "frameworks": [
            {
                "plan": f.plan.model_dump(mode="json"),
                "tracking": {
                    "actions": plain(f.tracking.actions),
                    "indicators": plain(f.tracking.indicators),
                },
            }
            for f in frameworks
        ],
    }


def full_json(frameworks: Sequence[FrameworkExport], *, exported_at: dt.datetime) -> str:
    # Non-ASCII text stays readable; what a terminal would act on is escaped.
    text = json.dumps(full_data(frameworks, exported_at=exported_at), indent=2, ensure_ascii=False)
    return escape_invisible(text) + "\n"
