"""The pages' strings in English and French, from gettext catalogues read by Babel.

The catalogues are the `.po` files under `locale/` (the only copy: they are compiled in
memory when first used, so no binary `.mo` file can drift from them). English is the
source language: its strings are the msgids, so English needs no catalogue.

To add strings: write them in a template as `{{ _("...") }}` or in Python as
`_("...")`, run `python -m tracker.web.i18n update`, translate the new entries in
`locale/fr/LC_MESSAGES/tracker.po`; a test fails while any is untranslated.
"""

from __future__ import annotations

import io
import sys
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from babel.support import NullTranslations, Translations

HERE = Path(__file__).resolve().parent
LOCALE_DIR = HERE / "locale"
DOMAIN = "tracker"
LANGUAGES = ("en", "fr")
SOURCE_LANGUAGE = "en"

# Where the strings are: templates (Jinja2's own extractor) and this package's Python.
METHOD_MAP = [("templates/**.j2", "jinja2"), ("**.py", "python")]
OPTIONS_MAP = {"templates/**.j2": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}


class UnknownLanguage(ValueError):
    """A language the pages have no catalogue for."""


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalogue(lang: str) -> Catalog:
    with po_path(lang).open("rb") as fh:
        return read_po(fh, locale=lang, domain=DOMAIN)


@cache
def translations(lang: str) -> NullTranslations:
    """The gettext translations for `lang` ("en" needs none: its strings are the msgids)."""
    if lang not in LANGUAGES:
        raise UnknownLanguage(f"no pages in {lang!r}; the languages are {', '.join(LANGUAGES)}")
    if lang == SOURCE_LANGUAGE:
        return NullTranslations()
    buffer = io.BytesIO()
    write_mo(buffer, read_catalogue(lang), use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def extract() -> Catalog:
    """Every string of ours marked for translation, as a fresh template catalogue."""
    template = Catalog(domain=DOMAIN, project="tracker")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(HERE), METHOD_MAP, OPTIONS_MAP, keywords={"_": None, "gettext": None, "ngettext": (1, 2)}
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def update() -> list[str]:
    """Merge the extracted strings into every catalogue; returns the untranslated msgids."""
    template = extract()
    missing: list[str] = []
    for lang in LANGUAGES:
        if lang == SOURCE_LANGUAGE:
            continue
        path = po_path(lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        catalogue = (
            read_catalogue(lang)
            if path.exists()
            else Catalog(locale=lang, domain=DOMAIN, project="tracker", version="", fuzzy=False)
        )
        catalogue.update(template, no_fuzzy_matching=True, update_creation_date=False)
        with path.open("wb") as fh:
            write_po(fh, catalogue, width=100, omit_header=False, sort_output=False, ignore_obsolete=True)
        missing += [str(m.id) for m in catalogue if m.id and not m.string]
    return missing


def main(argv: list[str]) -> int:
    if argv[1:] != ["update"]:
        sys.stderr.write("usage: python -m tracker.web.i18n update\n")
        return 2
    missing = update()
    for msgid in missing:
        sys.stdout.write(f"untranslated: {msgid}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
