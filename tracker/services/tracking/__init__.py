"""Tracking the work: action queries behind the one filter model, status changes, notes, measurements, activity."""
