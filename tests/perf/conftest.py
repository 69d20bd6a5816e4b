"""Benchmarks, not tests: run them by hand (see bench.py); pytest collects nothing here."""

collect_ignore_glob = ["*.py"]
