"""The one HTML renderer: Jinja2 with autoescaping on and the pages' translations.

User text reaches a page only as template data, which Jinja2 escapes after `_inert` has
shown its control characters; templates never mark user text safe. Charts (SVG made by
charts.py from numbers and escaped labels) are the only markup passed in.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup

from tracker.text import visible_controls
from tracker.web.i18n import translations


def _inert(value: object) -> object:
    """Every `{{ ... }}` of a template passes here before escaping: user text shows its
    control and invisible characters as symbols (tracker.text), as in every other output."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return visible_controls(value)
    return value


@cache
def environment(lang: str) -> Environment:
    env = Environment(
        loader=PackageLoader("tracker.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_inert,
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    _inert_placeholders(env)
    env.globals["lang"] = lang
    env.globals["inert"] = visible_controls
    return env


def _inert_placeholders(env: Environment) -> None:
    """Values given to a translated string (`_("%(unit)s ...", unit=...)`, `{% trans unit=... %}`)
    are formatted into it by gettext, not output by `{{ }}`, so `finalize` never sees them:
    they pass through `_inert` here instead, whoever writes the template."""
    gettext, ngettext = env.globals["gettext"], env.globals["ngettext"]

    @pass_context
    def inert_gettext(context: Context, message: str, **variables: Any) -> str:
        return gettext(context, message, **{k: _inert(v) for k, v in variables.items()})  # type: ignore[operator, no-any-return]

    @pass_context
    def inert_ngettext(context: Context, singular: str, plural: str, n: int, **variables: Any) -> str:
        shown = {k: _inert(v) for k, v in variables.items()}
        return ngettext(context, singular, plural, n, **shown)  # type: ignore[operator, no-any-return]

    env.globals.update(gettext=inert_gettext, _=inert_gettext, ngettext=inert_ngettext)


def render(template: str, lang: str, **context: object) -> str:
    """`template` (a file under templates/) rendered in `lang` with `context` as data."""
    return environment(lang).get_template(template).render(**context)


def gettext(lang: str, message: str) -> str:
    """A string of ours, translated for Python code that builds page data."""
    return translations(lang).gettext(message)
