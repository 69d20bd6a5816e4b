"""Errors a user can act on: one sentence each, with the exit code the CLI uses."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2


class TrackerError(Exception):
    """A failure to report as one clear sentence, never as a traceback."""

    exit_code = EXIT_FAILURE

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadInput(TrackerError):
    """The user's input (a file, an option) is wrong; nothing was changed."""

    exit_code = EXIT_BAD_INPUT


class BadField(BadInput):
    """One field of an item is wrong: ``field`` names it, so that the CLI can name its option."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class DatabaseUnavailable(TrackerError):
    """The database cannot be opened or reached."""


class SchemaMismatch(TrackerError):
    """The database's schema is not the one this version of tracker works with."""


EXIT_CONFLICT = 3
EXIT_PERMISSION = 4


class NotFound(BadInput):
    """A reference (framework, action, stakeholder, indicator) names nothing."""


class Conflict(TrackerError):
    """Somebody changed the item since the caller read it; nothing was written."""

    exit_code = EXIT_CONFLICT


class PermissionDenied(TrackerError):
    """The acting member may not do this; nothing was written."""

    exit_code = EXIT_PERMISSION


class NothingToUndo(TrackerError):
    """The acting member has no change of their own left to undo there (exit 1)."""


class NotUndoable(TrackerError):
    """The member's last change cannot be undone (a deletion, an item with history since); exit 1."""
