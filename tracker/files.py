"""Reading a file a person named in bounded memory, and writing a document where a person
asked: only over a regular file that is not a database, and in one step (a reader sees
the old file or the new one, never half of one).

The command line (`-o`) and the app (the report and workbook keys) both write this way.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import TextIO

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


# -- folders a command writes documents into (`-o DIR`) ------------------------------------------
#
# A command that writes several files (update requests, the public page) writes them into a
# folder that is new, empty, or holds only files it wrote there itself and that nobody has
# changed since: a marker file lists each file it wrote with the SHA-256 of what it wrote. A
# file someone edited (a message completed by hand, a page touched up) no longer matches and
# is theirs: the folder is refused, never overwritten. `-o -` writes the same files as a zip.


def check_own_folder(folder: Path, marker: str, *, example: Path) -> Path:
    """``folder`` if a command whose ``marker`` file this is may write into it; else BadInput
    naming the first file in the way and suggesting ``example``."""
    if folder.is_symlink():
        raise BadInput(f"-o {folder} is a symbolic link; give the folder it points to, or - for a zip.")
    if folder.exists() and not folder.is_dir():
        raise BadInput(f"-o {folder}: that is not a folder; give a new or empty folder, or - for a zip.")
    if not folder.exists():
        parent = folder.parent if str(folder.parent) else Path(".")
        if not parent.is_dir():
            raise BadInput(f"-o {folder}: the folder {parent} does not exist; create it first.")
        return folder
    try:
        listed = _listed(folder, marker)
        others = sorted(
            p.name
            for p in folder.iterdir()
            if p.name != marker and not (_plain_file(p) and _digest(p.read_bytes()) in listed.get(p.name, set()))
        )
    except OSError as exc:
        raise BadInput(f"-o {folder}: cannot look into that folder ({exc.strerror or exc}); give another.") from None
    if others:
        more = f" and {len(others) - 1} more" if len(others) > 1 else ""
        raise BadInput(
            f"-o {folder}: the folder holds files this command did not write, or that were changed since "
            f"({others[0]!r}{more}); give a new or empty folder, e.g. -o {example}."
        )
    return folder


def write_own_folder(folder: Path, marker: str, files: list[tuple[str, bytes]], *, header: str = "") -> None:
    """Write ``files`` (name, bytes) into ``folder`` (checked by `check_own_folder`); the files
    of an earlier run that this one does not write again are removed (they are the command's
    own and unchanged). ``header``: lines that say what the marker is, for a person who opens it."""
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise TrackerError(f"cannot make the folder {folder}: {exc.strerror or exc}; nothing was written.") from None
    old = _listed(folder, marker)
    new = [(name, _digest(data)) for name, data in files]
    # The marker first, naming the old contents and the new: a run cut short leaves only
    # files a later run recognises as its own.
    other = "another -o folder (or -o - for a zip)"
    both = [(n, d) for n, ds in old.items() for d in ds] + new
    write_file(folder / marker, _marker(header, both), other=other)
    names = {name for name, _data in files}
    for name in old:
        path = folder / name
        if name not in names and _plain_file(path):
            path.unlink()
    for name, data in files:
        write_file(folder / name, data, other=other)
    write_file(folder / marker, _marker(header, new), other=other)


def zip_bytes(files: list[tuple[str, bytes]]) -> bytes:
    """A deflated zip of ``files`` (name, bytes), with a fixed time: the same files give the
    same bytes."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def _plain_file(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()


def _digest(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def _listed(folder: Path, marker: str) -> dict[str, set[str]]:
    """File name -> the SHA-256 of the contents the command wrote there (the marker's lines)."""
    path = folder / marker
    if not _plain_file(path):
        return {}
    found: dict[str, set[str]] = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("#"):
            continue
        digest, _sep, name = line.partition(" ")
        if name and "/" not in name and name != marker:
            found.setdefault(name, set()).add(digest)
    return found


def _marker(header: str, entries: list[tuple[str, str]]) -> str:
    said = "".join(f"# {line}\n" for line in header.splitlines())
    return said + "".join(f"{digest} {name}\n" for name, digest in sorted(entries))


def write_stdout(data: str | bytes) -> None:
    """Write ``data`` to standard output; a closed or full output is one sentence, not a traceback.

    A reader that stopped reading (``| head``) ends the command quietly, as it does
    for any Unix tool.
    """
    if sys.stdout is None:  # Python's view of a descriptor 1 closed before start (`>&-`)
        raise TrackerError("standard output is closed, so there is nowhere to write; nothing was written.")
    write_out(data)


def write_out(data: str | bytes) -> None:
    """``data`` to standard output; a reader that stopped reading ends the command quietly,
    another failure is a TrackerError saying the output is incomplete."""
    try:
        _write(sys.stdout, data)
    except OSError as exc:
        _drop_unwritten_output()
        if exc.errno == errno.EPIPE:
            raise SystemExit(1) from None
        raise TrackerError(
            f"cannot write to standard output: {exc.strerror or exc}; the output is incomplete."
        ) from None


def say(message: str, *, err: bool = False, one_line: bool = False) -> None:
    """Plain text and a line break on stdout (or stderr), inert: control characters shown as
    symbols (`tracker.text.visible_controls`); with ``one_line``, line breaks too (an error
    message that names a typed key must stay one line). A stream closed before start is
    skipped, as Click skips it. The command line and its fast path both say things here."""
    from tracker.text import visible_controls

    line = visible_controls(message, keep="" if one_line else "\n") + "\n"
    if not err:
        if sys.stdout is not None:
            write_out(line)
        return
    if sys.stderr is not None:
        with contextlib.suppress(OSError):  # standard error is gone too: nowhere left to say it
            _write(sys.stderr, line)


def _write(stream: TextIO, data: str | bytes) -> None:
    """As Click writes: text in UTF-8 when the stream claims ASCII (a misconfigured locale,
    ``LANG=C``), which would otherwise fail on the first accented name."""
    if isinstance(data, str) and _claims_ascii(stream):
        data = data.encode("utf-8", "replace")
    if isinstance(data, bytes):
        stream.flush()
        stream.buffer.write(data)
        stream.buffer.flush()
    else:
        stream.write(data)
        stream.flush()


def _claims_ascii(stream: object) -> bool:
    import codecs

    try:
        return codecs.lookup(getattr(stream, "encoding", None) or "ascii").name == "ascii"
    except LookupError:
        return False


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
