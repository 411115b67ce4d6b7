"""Small HTML helpers: escaping, percentages and plain numbers, tables, the page shell. Money and
counts are formatted by models_py.report.money (they follow the currency of the build)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

import pandas as pd

from models_py.report.money import MISSING, is_missing


def pct(value: object, decimals: int = 1) -> str:
    return MISSING if is_missing(value) else f"{float(value):.{decimals}%}"  # type: ignore[arg-type]


def num(value: object, decimals: int = 1) -> str:
    return MISSING if is_missing(value) else f"{float(value):,.{decimals}f}"  # type: ignore[arg-type]


def text(value: object) -> str:
    return MISSING if is_missing(value) else escape(str(value))


def raw_html(value: object) -> str:
    """A cell that is already HTML (e.g. a link)."""
    return MISSING if is_missing(value) else str(value)


Formatter = Callable[[object], str]


def table(
    frame: pd.DataFrame,
    columns: Sequence[tuple[str, str, Formatter]],
    caption: str | None = None,
    css_class: str = "",
) -> str:
    """An HTML table of `frame`: (column, header, formatter); numbers right-aligned."""
    head = "".join(f'<th scope="col">{escape(header)}</th>' for _, header, _ in columns)
    rows = []
    for record in frame.itertuples(index=False):
        values = record._asdict()
        cells = []
        for column, _, fmt in columns:
            value = values[column]
            numeric = fmt not in (text, raw_html)
            cells.append(f"<td{' class=num' if numeric else ''}>{fmt(value)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    return (
        f'<div class="table-wrap"><table class="{css_class}">{cap}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def figure(chart: str, caption_html: str) -> str:
    """A chart with its caption; the caption is HTML (amounts carry their exact value)."""
    return f"<figure>{chart}<figcaption>{caption_html}</figcaption></figure>"


def link(href: str, label: str) -> str:
    return f'<a href="{escape(href)}">{escape(label)}</a>'


def unavailable(reason: str) -> str:
    return (
        f'<p class="unavailable" role="note"><strong>Not available:</strong> {escape(reason)}</p>'
    )


CSS = """
:root { --ink: #1d2733; --muted: #5b6675; --accent: #1f5f8b; --warm: #e07b39; --line: #d9dee5;
        --bg: #f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 "DejaVu Sans", "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       color: var(--ink); background: var(--bg); }
header { background: var(--accent); color: #fff; padding: 1.5rem 2rem; }
header h1 { margin: 0 0 .3rem; font-size: 1.8rem; }
header p { margin: 0; opacity: .9; }
nav { padding: .6rem 2rem; background: #fff; border-bottom: 1px solid var(--line);
      font-size: .92rem; }
nav a { color: var(--accent); margin-right: 1rem; white-space: nowrap; }
main { max-width: 1200px; margin: 0 auto; padding: 1rem 2rem 3rem; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px;
          padding: 1rem 1.5rem 1.3rem; margin: 1.2rem 0; }
h2 { margin: .2rem 0 .5rem; font-size: 1.35rem; color: var(--accent); }
h3 { margin: 1rem 0 .4rem; font-size: 1.1rem; }
p.intro { color: var(--muted); margin-top: 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap: .8rem; }
.card { border: 1px solid var(--line); border-left: 5px solid var(--accent); border-radius: 6px;
        padding: .7rem .9rem; }
.card .label { color: var(--muted); font-size: .9rem; }
.card .value { font-size: 1.6rem; font-weight: bold; }
.card .note { color: var(--muted); font-size: .8rem; }
.grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(420px, 100%), 1fr));
         gap: 1rem; }
.grid2 > * { min-width: 0; }
figure { margin: .5rem 0 1rem; }
figure svg { width: 100%; max-width: 860px; height: auto; display: block; }
.grid2 figure svg { max-width: 560px; }
.chart-narrow { display: none; }
.money { text-decoration: underline dotted #9aa5b1; text-underline-offset: .2em; }
figcaption { color: var(--muted); font-size: .88rem; margin-top: .2rem; }
.table-wrap { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; font-size: .9rem; margin: .4rem 0 .8rem; min-width: 50%; }
caption { text-align: left; font-weight: bold; padding: .3rem 0; }
th, td { border-bottom: 1px solid var(--line); padding: .3rem .6rem; text-align: left;
         vertical-align: top; }
th { background: #eef2f6; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.published td, .published { background: #fdf3ea; font-weight: bold; }
.unavailable { background: #fff7e0; border: 1px solid #f0d890; padding: .6rem .8rem;
               border-radius: 6px; }
p.note { background: #eef4f9; border: 1px solid #c9dceb; padding: .6rem .8rem;
         border-radius: 6px; }
details { margin-top: .6rem; font-size: .85rem; color: var(--muted); }
details pre { background: #f3f5f8; padding: .6rem; overflow-x: auto; white-space: pre-wrap; }
footer { color: var(--muted); font-size: .85rem; text-align: center; padding: 1rem; }
/* Phones: narrow margins, and each chart's phone layout (narrower, fewer ticks, same text size) */
@media (max-width: 760px) {
  header, nav { padding-left: 1rem; padding-right: 1rem; }
  main { padding: .5rem .5rem 2rem; }
  section { padding: .8rem .8rem 1rem; }
  th, td { padding: .25rem .4rem; }
  .chart-wide { display: none; }
  .chart-narrow { display: block; }
  .chart-narrow svg, .grid2 .chart-narrow svg { max-width: 480px; }
}
"""


def page(title: str, subtitle: str, nav: Sequence[tuple[str, str]], body: str) -> str:
    links = "\n".join(f'<a href="#{escape(key)}">{escape(label)}</a>' for key, label in nav)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head>"
        f"<body><header><h1>{escape(title)}</h1><p>{escape(subtitle)}</p></header>"
        f'<nav aria-label="Sections">{links}</nav><main>{body}</main>'
        "<footer>Generated from the served warehouse (analytics.duckdb) by "
        "<code>python -m models_py.report</code>. Every table and chart above comes from the "
        "SQL shown under it.</footer></body></html>\n"
    )
