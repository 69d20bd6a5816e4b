"""Where a command's output goes: a regular file replaced in one step, or standard output."""

from __future__ import annotations

import errno
import os
import stat
import sys
import tempfile
from pathlib import Path

import typer

from tracker.errors import BadInput, PermissionDenied, TrackerError


def check_target(path: Path, *, example: str) -> Path:
    """Refuse, before any work, a path that `write_file` may not replace.

    Only a regular file (or nothing) is replaced: renaming over a symbolic link
    would replace the link, and a device, a pipe or a folder is not a file a user
    keeps output in. ``example`` is a file name to suggest when ``path`` is a folder.
    """
    folder = path.parent if str(path.parent) else Path(".")
    try:
        found = os.lstat(path)
    except FileNotFoundError:
        found = None
    except OSError as exc:
        raise BadInput(f"cannot look at {path}: {exc.strerror or exc}; choose another -o.") from None
    if found is not None:
        _refuse_unless_regular(path, found.st_mode, example)
    if not folder.is_dir():
        raise BadInput(f"there is no folder {folder} to write {path.name} in; create it or choose another -o.")
    return path


def _refuse_unless_regular(path: Path, mode: int, example: str) -> None:
    if stat.S_ISREG(mode):
        return
    if stat.S_ISLNK(mode):
        raise BadInput(
            f"{path} is a symbolic link; tracker replaces only a regular file, so it was left as it was: "
            "give the path it points to, or another -o."
        )
    if stat.S_ISDIR(mode):
        raise BadInput(f"{path} is a folder; give a file name, for example {path / example}.")
    raise BadInput(
        f"{path} is not a regular file (a device, a pipe or a socket); it was left as it was: choose another -o."
    )


def write_file(path: Path, data: str | bytes) -> None:
    """Write a temporary file beside ``path``, flush it to disk, then rename it over ``path``:
    a reader sees the old file or the new one, never half of one, and any failure
    (a full disk, say) leaves the old file exactly as it was."""
    content = data.encode() if isinstance(data, str) else data
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except PermissionError:
        raise PermissionDenied(f"cannot write in {folder} (permission denied); nothing was written.") from None
    except OSError as exc:
        raise TrackerError(f"cannot write in {folder}: {exc.strerror or exc}; nothing was written.") from None
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, _mode_for(path))
        # Checked again just before the rename: something may have appeared there meanwhile.
        check_target(path, example=path.name)
        os.replace(temp, path)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise TrackerError(f"cannot write {path}: {exc.strerror or exc}; it was left as it was.") from None
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    _sync_folder(folder)


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


def write_stdout(data: str | bytes) -> None:
    """Write ``data`` to standard output; a closed or full output is one sentence, not a traceback.

    A reader that stopped reading (``| head``) ends the command quietly, as it does
    for any Unix tool.
    """
    if sys.stdout is None:  # Python's view of a descriptor 1 closed before start (`>&-`)
        raise TrackerError("standard output is closed, so there is nowhere to write; nothing was written.")
    try:
        typer.echo(data, nl=False)
        sys.stdout.flush()
    except OSError as exc:
        _drop_unwritten_output()
        if exc.errno == errno.EPIPE:
            raise SystemExit(1) from None
        raise TrackerError(
            f"cannot write to standard output: {exc.strerror or exc}; the output is incomplete."
        ) from None


def _drop_unwritten_output() -> None:
    # What stayed in the buffer would be flushed again at exit and fail with a
    # second, raw error: point descriptor 1 at /dev/null so that flush succeeds.
    try:
        fileno = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return  # not a real descriptor (a test runner's capture)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fileno)
    finally:
        os.close(devnull)


def say_written(message: str) -> None:
    """Tell where the output went, on stderr: standard output stays for data only."""
    typer.echo(message, err=True)
