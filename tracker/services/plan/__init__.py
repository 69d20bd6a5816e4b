"""The plan: frameworks, goals, objectives, actions' plan fields, indicators, stakeholders, schedules, plan files."""
