"""What coordinators read and bring to meetings: the overview, coverage, the report, export views."""
