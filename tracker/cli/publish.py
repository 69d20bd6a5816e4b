"""`tracker publish`: the framework's public progress page, as a folder or a zip."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from tracker.cli.common import reading
from tracker.cli.context import Settings, user_errors
from tracker.cli.output import say_written, write_stdout


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
        from tracker.files import check_own_folder, write_own_folder, zip_bytes
        from tracker.web.i18n import LANGUAGES
        from tracker.web.public import INDEX, MARKER, MARKER_TEXT

        if lang not in LANGUAGES:
            raise BadInput(f"--lang {lang}: there is no page in that language; give {' or '.join(LANGUAGES)}.")
        to_stdout = output == "-"
        folder = Path(output)
        if to_stdout:
            if sys.stdout.isatty():
                raise BadInput("-o -: a zip is binary, not for the terminal; pipe it to a file or give -o FOLDER.")
        else:
            check_own_folder(folder, MARKER, example=folder.parent / f"{folder.name}-{lang}")
        from tracker.services.reporting.public import public_plan
        from tracker.web.public import site

        with reading(settings, snapshot=True) as session:
            actor = session.info.get("tracker.reader")
            plan = public_plan(session, actor=actor, framework=framework, lang=lang, with_money=with_money)
            page = site(plan, lang, with_money=with_money, today=dt.date.today())
        if to_stdout:
            write_stdout(zip_bytes(sorted(page.files.items())))
            return
        check_own_folder(folder, MARKER, example=folder)  # again: something may have appeared meanwhile
        write_own_folder(folder, MARKER, [(INDEX, page.files[INDEX])], header=MARKER_TEXT)
        say_written(f"Wrote the public page of {framework} to {folder / 'index.html'}.")
