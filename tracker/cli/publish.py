"""`tracker publish`: the framework's public progress page, as a folder or a zip."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path
from typing import Annotated

import typer

from tracker.cli.common import reading
from tracker.cli.context import Settings, user_errors
from tracker.cli.output import say_written, write_stdout


def _check_folder(folder: Path) -> None:
    """Refuse, before any work, a folder this command may not write into: only a new one, an
    empty one, or one that holds nothing but a previous publish (marked by its file)."""
    from tracker.errors import BadInput
    from tracker.web.public import INDEX, MARKER

    try:
        found = os.lstat(folder)
    except FileNotFoundError:
        parent = folder.parent if str(folder.parent) else Path(".")
        if not parent.is_dir():
            raise BadInput(f"-o {folder}: there is no folder {parent} to make it in; create it first.") from None
        return
    except OSError as exc:
        raise BadInput(f"-o {folder}: cannot look at it: {exc.strerror or exc}; choose another -o.") from None
    if not stat.S_ISDIR(found.st_mode):
        raise BadInput(f"-o {folder}: it is not a folder; give a new or empty folder (or - for a zip).")
    names = set(os.listdir(folder))
    if names and not (MARKER in names and names <= {INDEX, MARKER}):
        raise BadInput(
            f"-o {folder}: the folder holds files that tracker publish did not write, so it is left as it "
            "is; give a new or empty folder."
        )


def publish(
    ctx: typer.Context,
    framework: Annotated[str, typer.Option("--framework", "-f", help="The framework to publish.", show_default=False)],
    output: Annotated[
        str,
        typer.Option(
            "--output",
            "-o",
            help="A new or empty folder for the page, or - for a zip on standard output.",
            show_default=False,
        ),
    ],
    lang: Annotated[str, typer.Option("--lang", help="The page's language: en or fr.")] = "en",
    with_money: Annotated[
        bool, typer.Option("--with-money", help="Add the total estimated cost and funds of public actions.")
    ] = False,
) -> None:
    """Write the framework's public progress page: a static site (HTML and CSS, no script,
    nothing fetched from elsewhere) to put on the city's website.

    It shows the public goals, objectives, actions and indicators (an item is public when it
    and everything above it are: `tracker goals edit ... --visibility public`), the
    organisations that lead public actions, and the findings each goal answers. Never notes,
    people, logins, emails, costs or allocations; money totals only with --with-money.
    Coordinators of the framework and admins may publish.

    Example: tracker publish -f stamford-ct -o stamford-page
             tracker publish -f stamford-ct --lang fr -o - > stamford-fr.zip
    """
    settings: Settings = ctx.obj
    with user_errors():
        import datetime as dt

        from tracker.errors import BadInput
        from tracker.web.i18n import LANGUAGES

        if lang not in LANGUAGES:
            raise BadInput(f"--lang {lang}: there is no page in that language; give {' or '.join(LANGUAGES)}.")
        to_stdout = output == "-"
        folder = Path(output)
        if to_stdout:
            if sys.stdout.isatty():
                raise BadInput("-o -: a zip is binary, not for the terminal; pipe it to a file or give -o FOLDER.")
        else:
            _check_folder(folder)
        from tracker.services.reporting.public import public_plan
        from tracker.web.public import site

        with reading(settings, snapshot=True) as session:
            actor = session.info.get("tracker.reader")
            plan = public_plan(session, actor=actor, framework=framework, lang=lang, with_money=with_money)
            page = site(plan, lang, with_money=with_money, today=dt.date.today())
        if to_stdout:
            write_stdout(page.zip_bytes())
            return
        _write(folder, page.files)
        say_written(f"Wrote the public page of {framework} to {folder / 'index.html'}.")


def _write(folder: Path, files: dict[str, bytes]) -> None:
    from tracker.errors import TrackerError
    from tracker.files import write_file
    from tracker.web.public import MARKER

    _check_folder(folder)  # again: something may have appeared there meanwhile
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise TrackerError(f"cannot make the folder {folder}: {exc.strerror or exc}; nothing was written.") from None
    # The marker first: a publish cut short still leaves a folder the next one may replace.
    write_file(folder / MARKER, files[MARKER])
    for name, data in files.items():
        if name != MARKER:
            write_file(folder / name, data)
