"""Matplotlib charts rendered to accessible inline SVG (no external references, stable ids).

Every chart is drawn twice: a wide layout for screens and a narrow one for phones (narrower
figure, wrapped titles, fewer tick labels), so its text keeps about the same size on screen as
the page's small print. The page's CSS shows one of the two by the width of the screen."""

from __future__ import annotations

import contextvars
import functools
import hashlib
import html
import io
import math
import re
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ParamSpec

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

# Figures are built with matplotlib.figure.Figure directly (no pyplot): no global backend or
# figure registry is touched, and the SVG writer needs no display.

PALETTE = ("#1f5f8b", "#e07b39", "#3a9d5d", "#c0392b", "#8e6bbf", "#7f8c8d", "#d4a017", "#2c3e50")

STYLE = {
    "svg.fonttype": "none",  # text stays text: readable by screen readers, selectable, small
    "svg.hashsalt": "customer-analytics",  # deterministic ids
    "font.family": "DejaVu Sans",
    "font.size": 11,
    "axes.titlesize": 13,
    "axes.titleweight": "bold",
    "axes.labelsize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
}

_ID = re.compile(r'\bid="([^"]+)"')

# The phone layout: figures this many inches wide (one SVG unit per point, so text of 11 units
# renders at about 11 px in a phone's text column), titles and labels wrapped to fit.
NARROW_WIDTH_IN = 4.4
NARROW_TITLE_CHARS = 38
NARROW_LABEL_CHARS = 46
NARROW_MAX_TICK_LABELS = 9
WIDE_MAX_TICK_LABELS = 24
# Which layout is being drawn (set by `styled` around each chart function).
_NARROW = contextvars.ContextVar("narrow_layout", default=False)


def narrow() -> bool:
    return _NARROW.get()


# Money axes take a tick formatter, e.g. models_py.report.money.Currency.axis (₹ with L/Cr for
# INR, K/M otherwise).
AxisFormat = Callable[[float, object], str]


P = ParamSpec("P")


def styled(chart: Callable[P, str]) -> Callable[P, str]:
    """Draw the chart in both layouts under the report's rcParams (artists read them when
    created): <div class="chart-wide">svg</div><div class="chart-narrow">svg</div>."""

    @functools.wraps(chart)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> str:
        variants = []
        for is_narrow, css_class in ((False, "chart-wide"), (True, "chart-narrow")):
            token = _NARROW.set(is_narrow)
            try:
                with mpl.rc_context(STYLE):
                    variants.append(f'<div class="{css_class}">{chart(*args, **kwargs)}</div>')
            finally:
                _NARROW.reset(token)
        return "".join(variants)

    return wrapper


def new_figure(width: float = 7.5, height: float = 3.8) -> tuple[Figure, Axes]:
    size = (min(width, NARROW_WIDTH_IN), height) if narrow() else (width, height)
    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.subplots()


def fit(label: str, chars: int) -> str:
    """The label wrapped to lines of `chars` characters in the narrow layout, as is otherwise."""
    return textwrap.fill(label, chars) if narrow() else label


def label_axes(ax: Axes, title: str, xlabel: str, ylabel: str, title_pad: float = 6) -> None:
    """Title and axis labels; in the narrow layout the title spans the figure, not the axes."""
    if narrow():
        ax.figure.suptitle(fit(title, NARROW_TITLE_CHARS), fontweight="bold", fontsize=13)
    else:
        ax.set_title(title, pad=title_pad)
    ax.set_xlabel(fit(xlabel, NARROW_LABEL_CHARS))
    ax.set_ylabel(fit(ylabel, NARROW_LABEL_CHARS * 3 // 4))


def thin_ticks(labels: Sequence[str]) -> tuple[list[int], list[str]]:
    """Positions and labels of every n-th category, so at most a layout's maximum are written."""
    limit = NARROW_MAX_TICK_LABELS if narrow() else WIDE_MAX_TICK_LABELS
    step = max(1, math.ceil(len(labels) / limit))
    positions = list(range(0, len(labels), step))
    return positions, [labels[i] for i in positions]


def to_svg(fig: Figure, title: str, description: str) -> str:
    """Serialise `fig` to an inline <svg> with <title>/<desc>, role=img and aria-labelledby.

    Drops the XML prolog, DOCTYPE and namespace URLs (inline SVG in HTML needs none) and prefixes
    every id (from a hash of the title) so several charts on one page never clash."""
    buffer = io.StringIO()
    fig.savefig(
        buffer,
        format="svg",
        metadata={"Date": None, "Creator": None, "Format": None, "Type": None},
    )
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = re.sub(r'\s+xmlns(:xlink)?="[^"]*"', "", svg)
    layout = "n" if narrow() else "w"
    prefix = "c" + hashlib.sha1((title + description).encode()).hexdigest()[:8] + layout + "-"
    for old in sorted(set(_ID.findall(svg)), key=len, reverse=True):
        new = prefix + old
        svg = svg.replace(f'id="{old}"', f'id="{new}"')
        svg = svg.replace(f'href="#{old}"', f'href="#{new}"')
        svg = svg.replace(f"url(#{old})", f"url(#{new})")
    title_id, desc_id = f"{prefix}title", f"{prefix}desc"
    svg = svg.replace(
        "<svg ",
        f'<svg role="img" aria-labelledby="{title_id} {desc_id}" ',
        1,
    )
    head_end = svg.index(">") + 1
    svg = (
        svg[:head_end]
        + f'<title id="{title_id}">{html.escape(title)}</title>'
        + f'<desc id="{desc_id}">{html.escape(description)}</desc>'
        + svg[head_end:]
    )
    # scale to the column width; the viewBox keeps proportions
    svg = re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r"<svg\1", svg, count=1)
    return svg


@dataclass(frozen=True)
class Highlight:
    """Bars drawn in the accent colour (one flag per bar) and the legend's name for them."""

    bars: Sequence[bool]
    label: str


@styled
def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    xlabel: str,
    ylabel: str,
    description: str,
    money: AxisFormat | None = None,
    highlight: Highlight | None = None,
) -> str:
    fig, ax = new_figure(min(max(7.5, 0.3 * len(labels) + 2), 10), 4.2)
    flags = list(highlight.bars) if highlight is not None else [False] * len(values)
    ax.bar(range(len(labels)), list(values), color=[PALETTE[1] if f else PALETTE[0] for f in flags])
    ax.grid(axis="x", visible=False)
    if money:
        ax.yaxis.set_major_formatter(FuncFormatter(money))
    positions, shown = thin_ticks(list(labels))
    ax.set_xticks(positions, shown, rotation=60 if len(labels) > 8 else 0)
    if highlight is not None and any(flags):
        ax.legend(
            handles=[Patch(color=PALETTE[1], label=highlight.label), Patch(color=PALETTE[0])],
            labels=[highlight.label, "other months"],
            frameon=False,
            ncols=1 if narrow() else 2,
            loc="lower center",
            bbox_to_anchor=(0.5, 1.0),
        )
    # With a legend above the axes, lift the title clear of it.
    label_axes(ax, title, xlabel, ylabel, title_pad=28 if highlight is not None else 6)
    return to_svg(fig, title, description)


@styled
def horizontal_bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    xlabel: str,
    ylabel: str,
    description: str,
    money: AxisFormat | None = None,
) -> str:
    fig, ax = new_figure(7.5, max(3.2, 0.32 * len(labels) + 1.2))
    ax.barh(list(labels)[::-1], list(values)[::-1], color=[PALETTE[0]] * len(values))
    ax.grid(axis="y", visible=False)
    if money:
        ax.xaxis.set_major_formatter(FuncFormatter(money))
    label_axes(ax, title, xlabel, ylabel, title_pad=6)
    return to_svg(fig, title, description)


@styled
def grouped_bar_chart(
    labels: Sequence[str],
    series: dict[str, Sequence[float]],
    *,
    title: str,
    xlabel: str,
    ylabel: str,
    description: str,
    percent: bool = False,
) -> str:
    fig, ax = new_figure()
    width = 0.8 / max(len(series), 1)
    x = np.arange(len(labels))
    for i, (name, values) in enumerate(series.items()):
        ax.bar(x + (i - (len(series) - 1) / 2) * width, values, width, label=name, color=PALETTE[i])
    rotation = (40 if narrow() else 20) if len(labels) > 4 else 0
    ax.set_xticks(x, list(labels), rotation=rotation, ha="right" if rotation else "center")
    if percent:
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:.0%}"))
    ax.grid(axis="x", visible=False)
    ax.legend(frameon=False)
    label_axes(ax, title, xlabel, ylabel)
    return to_svg(fig, title, description)


@styled
def histogram(
    values: Sequence[float],
    *,
    title: str,
    xlabel: str,
    description: str,
    log_x: bool = False,
    money: AxisFormat | None = None,
    bins: int = 30,
) -> str:
    fig, ax = new_figure(5.2, 3.4)
    data = np.asarray([v for v in values if v is not None and np.isfinite(v)], dtype=float)
    integer = bool(np.all(data == np.round(data)))
    if log_x:
        data = data[data > 0]
        edges = np.geomspace(max(data.min(), 1.0), data.max() * 1.001, bins + 1)
        if integer:  # whole numbers: bin edges between integers, so no empty slivers
            edges = np.unique(np.round(edges)) - 0.5
        ax.hist(data, bins=edges, color=PALETTE[0], edgecolor="white", linewidth=0.4)
        ax.set_xscale("log")
    else:
        if integer and data.max() - data.min() <= 3 * bins:
            edges = np.arange(data.min(), data.max() + 2) - 0.5
        else:
            edges = np.histogram_bin_edges(data, bins=bins)
        ax.hist(data, bins=edges, color=PALETTE[0], edgecolor="white", linewidth=0.4)
    if money:
        ax.xaxis.set_major_formatter(FuncFormatter(money))
    elif log_x:
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:g}"))
    label_axes(ax, title, xlabel, "customers")
    return to_svg(fig, title, description)


@styled
def line_chart(
    x: Sequence[float],
    series: dict[str, Sequence[float]],
    *,
    title: str,
    xlabel: str,
    ylabel: str,
    description: str,
    percent_x: bool = False,
    reference: dict[str, Sequence[float]] | None = None,
) -> str:
    fig, ax = new_figure(6.5, 3.8)
    for i, (name, values) in enumerate(series.items()):
        ax.plot(list(x), list(values), marker="o", label=name, color=PALETTE[i % len(PALETTE)])
    for name, values in (reference or {}).items():
        ax.plot(list(x), list(values), linestyle="--", color=PALETTE[5], label=name)
    if percent_x:
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:.0%}"))
    ax.legend(frameon=False)
    label_axes(ax, title, xlabel, ylabel)
    return to_svg(fig, title, description)


@styled
def heatmap(
    matrix: np.ndarray,
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    *,
    title: str,
    xlabel: str,
    ylabel: str,
    description: str,
    colorbar_label: str,
) -> str:
    fig, ax = new_figure(6.5, max(3.6, 0.5 * len(row_labels) + 1.6))
    image = ax.imshow(matrix, cmap="Blues", aspect="auto")
    ax.grid(False)
    ax.set_xticks(
        range(len(col_labels)), list(col_labels), rotation=40 if narrow() else 20, ha="right"
    )
    ax.set_yticks(range(len(row_labels)), list(row_labels))
    top = np.nanmax(matrix) if matrix.size else 0
    for (i, j), value in np.ndenumerate(matrix):
        if np.isfinite(value):
            ax.text(
                j,
                i,
                f"{value:,.0f}",
                ha="center",
                va="center",
                color="white" if value > top * 0.6 else "black",
                fontsize=10,
            )
    fig.colorbar(image, ax=ax, label=colorbar_label)
    label_axes(ax, title, xlabel, ylabel)
    return to_svg(fig, title, description)


@styled
def predicted_vs_actual(
    predicted: Sequence[float],
    actual: Sequence[float],
    *,
    title: str,
    xlabel: str,
    ylabel: str,
    description: str,
    money: AxisFormat,
) -> str:
    fig, ax = new_figure(6.5, 4.6)
    ax.scatter(predicted, actual, s=28, color=PALETTE[0], label="decile (mean per customer)")
    top = max(max(predicted, default=0), max(actual, default=0)) * 1.1 or 1
    line = np.geomspace(1, top, 50)
    ax.plot(line, line, linestyle="--", color=PALETTE[5], label="perfect prediction")
    # spend is skewed: a symmetric log scale keeps small deciles and zero visible
    ax.set_xscale("symlog", linthresh=100)
    ax.set_yscale("symlog", linthresh=100)
    ax.xaxis.set_major_formatter(FuncFormatter(money))
    ax.yaxis.set_major_formatter(FuncFormatter(money))
    ax.legend(frameon=False)
    label_axes(ax, title, xlabel, ylabel)
    return to_svg(fig, title, description)
