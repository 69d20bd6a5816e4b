"""Reading a file a person named in bounded memory, and writing a document where a person
asked: only over a regular file that is not a database, and in one step (a reader sees
the old file or the new one, never half of one).

The command line (`-o`) and the app (the report and workbook keys) both write this way.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from pathlib import Path

from tracker.errors import BadInput, PermissionDenied, TrackerError


def check_target(path: Path, *, example: str, other: str = "another -o") -> Path:
    """Refuse, before any work, a path that `write_file` may not replace.

    Only a regular file (or nothing) is replaced: renaming over a symbolic link
    would replace the link, and a device, a pipe or a folder is not a file a user
    keeps output in. ``example`` is a file name to suggest when ``path`` is a folder;
    ``other`` is how the person gives another path (the CLI's -o, the app's field).
    """
    folder = path.parent if str(path.parent) else Path(".")
    try:
        found = os.lstat(path)
    except FileNotFoundError:
        found = None
    except OSError as exc:
        raise BadInput(f"cannot look at {path}: {exc.strerror or exc}; choose {other}.") from None
    if found is not None:
        _refuse_unless_regular(path, found.st_mode, example, other)
    if not folder.is_dir():
        raise BadInput(f"there is no folder {folder} to write {path.name} in; create it or choose {other}.")
    return path


# The first bytes of a SQLite database, of its write-ahead log and of its rollback journal.
_DATABASE_MAGIC = (
    b"SQLite format 3\x00",
    b"\x37\x7f\x06\x82",
    b"\x37\x7f\x06\x83",
    b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7",
)


def not_a_regular_file(mode: int) -> str | None:
    """What a path with this ``lstat`` mode is, in words for a refusal; None for a regular file,
    the only thing a command that replaces files may replace."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file (a device, a pipe or a socket)"


def _refuse_unless_regular(path: Path, mode: int, example: str, other: str) -> None:
    kind = not_a_regular_file(mode)
    if kind is None:
        _refuse_a_database(path, other)
        return
    if stat.S_ISLNK(mode):
        raise BadInput(
            f"{path} is a symbolic link; tracker replaces only a regular file, so it was left as it was: "
            f"give the path it points to, or {other}"
            + (" (`-o -`, or no -o, writes to standard output)." if other == "another -o" else ".")
        )
    if stat.S_ISDIR(mode):
        raise BadInput(f"{path} is a folder; give a file name, for example {path / example}.")
    raise BadInput(f"{path} is {kind}; it was left as it was: choose {other}.")


def _refuse_a_database(path: Path, other: str) -> None:
    """A regular file that is a SQLite database (the one in use, reached by any name, or
    another), or its log or journal, is someone's data, not output: `-o tracker.db` used
    to replace the working database with an export."""
    try:
        with open(path, "rb") as found:
            head = found.read(16)
    except OSError:
        return  # unreadable: the write itself will say why, and leave it as it was
    if head.startswith(_DATABASE_MAGIC):
        raise BadInput(
            f"{path} is a SQLite database (or its log), so it was left as it was: tracker never replaces "
            f"a database with its output; choose {other}."
        )


def temp_beside(path: Path) -> tuple[int, str]:
    """A new temporary file in ``path``'s folder, to be renamed over ``path`` once whole:
    (its open descriptor, its name); a folder that cannot be written says so."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        return tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except PermissionError:
        raise PermissionDenied(f"cannot write in {folder} (permission denied); nothing was written.") from None
    except OSError as exc:
        raise TrackerError(f"cannot write in {folder}: {exc.strerror or exc}; nothing was written.") from None


def write_file(path: Path, data: str | bytes, *, other: str = "another -o") -> None:
    """Write a temporary file beside ``path``, flush it to disk, then rename it over ``path``:
    a reader sees the old file or the new one, never half of one, and any failure
    (a full disk, say) leaves the old file exactly as it was."""
    content = data.encode() if isinstance(data, str) else data
    fd, temp = temp_beside(path)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, _mode_for(path))
        # Checked again just before the rename: something may have appeared there meanwhile.
        check_target(path, example=path.name, other=other)
        os.replace(temp, path)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise TrackerError(f"cannot write {path}: {exc.strerror or exc}; it was left as it was.") from None
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    _sync_folder(path.parent if str(path.parent) else Path("."))


def _mode_for(path: Path) -> int:
    # mkstemp makes a private file; give it the mode the file had, or a new file's usual mode.
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _sync_folder(folder: Path) -> None:
    # The rename is durable only once the folder's entry is on disk; where a folder
    # cannot be opened (some file systems), the file itself is already safe.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def read_bounded(
    source: str, limit: int, *, stdin_hint: str, folder_hint: str, too_big: str | None = None
) -> tuple[str, bytes]:
    """The display name and bytes of the file ``source``, or of standard input for ``-``,
    never more than ``limit`` + 1 bytes in memory (a device without end, such as
    /dev/zero, or a runaway pipe cannot fill it). More than ``limit`` bytes: BadInput
    "NAME is larger than ``too_big``" (the limit in words, and what to do), or, when
    ``too_big`` is None, those bytes for
    the caller to refuse as it explains best. Unreadable: one BadInput sentence, with
    ``stdin_hint`` for a closed standard input and ``folder_hint`` for a folder."""
    try:
        if source == "-":
            stream = getattr(sys.stdin, "buffer", None)
            if stream is None:
                raise BadInput(f"standard input is closed; {stdin_hint}.")
            name, raw = "standard input", stream.read(limit + 1)
        else:
            name = source
            with open(source, "rb") as handle:
                raw = handle.read(limit + 1)
    except FileNotFoundError:
        raise BadInput(f"{source}: no such file; check the path.") from None
    except IsADirectoryError:
        raise BadInput(f"{source} is a folder; {folder_hint}.") from None
    except PermissionError:
        raise BadInput(f"{source} cannot be read (permission denied); check its permissions.") from None
    except OSError as exc:
        raise BadInput(f"{source} cannot be read ({exc.strerror or exc}); check it.") from None
    if too_big is not None and len(raw) > limit:
        raise BadInput(f"{name} is larger than {too_big}.")
    return name, raw
