"""Web pages made from the data: the public progress page and the HTML report.

One renderer for HTML: Jinja2 templates with autoescaping on (render.py), strings from
the gettext catalogue (i18n.py) and charts as SVG from matplotlib (charts.py). Nothing here
is imported by the other commands, so they do not pay for Jinja2 or matplotlib.
"""
