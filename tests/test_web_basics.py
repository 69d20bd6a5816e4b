"""The web pages' common parts: the catalogue, the renderer, the charts, the browser."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.browser import DESKTOP, PHONE, distinct_colours, dom, needs_browser, screenshot
from tracker.web import charts, i18n
from tracker.web.render import environment

HOSTILE = '$5 <script>alert(1)</script> & "q" \x1b[31m'


def test_every_string_of_ours_has_a_french_translation() -> None:
    # The catalogue is walked, not sampled: a string added to a template or to
    # tracker/web without its French fails here, and so does a stale entry.
    extracted = {str(m.id) for m in i18n.extract() if m.id}
    catalogue = i18n.read_catalogue("fr")
    translated = {str(m.id): m.string for m in catalogue if m.id}
    assert sorted(extracted - set(translated)) == [], "run `python -m tracker.web.i18n update`"
    assert sorted(set(translated) - extracted) == [], "stale entries: run `python -m tracker.web.i18n update`"
    assert sorted(k for k, v in translated.items() if not v) == [], "translate these in the .po file"


def test_an_unknown_language_is_refused_by_name() -> None:
    with pytest.raises(i18n.UnknownLanguage, match=r"'de'.*en, fr"):
        i18n.translations("de")


def test_user_text_is_escaped_by_the_renderer() -> None:
    page = environment("en").from_string("<p>{{ text }}</p>").render(text=HOSTILE)
    assert "<script>" not in page and "\x1b" not in page
    assert "&lt;script&gt;" in page and "\u241b[31m" in page


class _Texts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.texts.append(data)


def _chart(label: str) -> str:
    with charts.figure() as fig:
        ax = fig.subplots()  # type: ignore[attr-defined]
        ax.bar([charts.label(label), "other"], [3, 5])
        ax.set_title(charts.label(label))
        return charts.to_svg(fig, "c1", f"Chart of {label}", "3 and 5")


def test_a_chart_is_svg_whose_labels_are_inert_text() -> None:
    svg = _chart(HOSTILE)
    parser = _Texts()
    parser.feed(svg)
    assert "script" not in parser.tags
    assert parser.tags[0] == "svg" and 'role="img"' in svg and 'aria-labelledby="c1-title c1-desc"' in svg
    # The label is drawn as text (not paths), dollar signs and all, and escaped.
    shown = HOSTILE.replace("\x1b", "\u241b")  # ESC shown as its control picture
    assert any(text == shown for text in parser.texts)
    assert any(text == "Chart of " + shown for text in parser.texts)
    # The same numbers give the same bytes (the page can be diffed and cached).
    assert svg == _chart(HOSTILE)


def test_a_chart_id_must_be_a_plain_name() -> None:
    with charts.figure() as fig, pytest.raises(ValueError, match="letters, digits"):
        charts.to_svg(fig, 'x" onload="y', "t", "d")


@needs_browser
@pytest.mark.slow
def test_a_page_with_a_chart_shows_in_a_real_browser(tmp_path: Path) -> None:
    template = environment("fr").from_string(
        '{% extends "base.html.j2" %}{% block body %}<h1>{{ heading }}</h1><figure>{{ chart }}</figure>{% endblock %}'
    )
    page = tmp_path / "page.html"
    page.write_text(template.render(heading="Titre d’essai", chart=_chart("barre")), encoding="utf-8")
    for name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        png = screenshot(page, tmp_path / f"{name}.png", size)
        assert distinct_colours(png) > 10, f"the {name} screenshot is blank"
    shown = dom(page)
    assert "Titre d’essai" in shown and "<svg" in shown and 'lang="fr"' in shown


def test_user_text_given_to_a_translated_string_is_inert_too() -> None:
    """A placeholder of `_()` or `{% trans %}` is formatted by gettext, not output by {{ }}:
    a unit such as "rep\\x1b[31m" must still show its ESC as a symbol, in every language."""
    for lang in ("en", "fr"):
        env = environment(lang)
        page = env.from_string(
            '{{ _("%(title)s: report of %(day)s", title=t, day="d") }}|{% trans unit=t %}{{ unit }}: x{% endtrans %}'
        ).render(t=HOSTILE)
        assert "\x1b" not in page and page.count("\u241b[31m") == 2, page
        assert "<script>" not in page
