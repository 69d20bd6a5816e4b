"""Write `schema/plan.schema.json` from the plan-file models.

Run ``python -m tracker.seeding.schema`` after changing `tracker.seeding.plan`;
a test fails when the committed schema and the models drift apart.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tracker.seeding.plan import PlanFile

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "schema" / "plan.schema.json"
REGENERATE = "python -m tracker.seeding.schema"


def plan_schema_text() -> str:
    schema = PlanFile.model_json_schema(mode="validation")
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def main() -> None:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else SCHEMA_PATH
    target.write_text(plan_schema_text(), encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
