"""Charts for the evidence pack, drawn with matplotlib's Agg canvas (no display, no pyplot
global state) and returned as PNG bytes."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

BAR_COLOUR = "#1F4E99"
ZERO_COLOUR = "#BBBBBB"
HORIZONTAL_UP_TO = 16  # cases; more get upright bars, so the chart keeps to a third of a page
WIDTH = 6.0  # inches


class FrequencyChart:
    """Bars of a theme's coded segments per case; cases with none keep an empty place, so
    the chart also shows where the theme is absent. A few cases are drawn as labelled
    horizontal bars with their counts, many as upright bars over a count axis. One figure is
    reused for every chart of a pack, and margins are fixed rather than measured
    (``tight_layout`` costs more than drawing), which keeps a pack of many themes fast."""

    def __init__(self, dpi: int = 100) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.dpi = dpi
        self.figure: Any = Figure(dpi=dpi)
        FigureCanvasAgg(self.figure)

    def png(self, title: str, frequency: Sequence[tuple[str, int]]) -> bytes:
        self.figure.clear()
        labels = [_short(case) for case, _ in frequency]
        values = [count for _, count in frequency]
        if len(values) <= HORIZONTAL_UP_TO:
            axes = self._horizontal(labels, values)
        else:
            axes = self._upright(labels, values)
        axes.set_title(_short(title, 70), fontsize=9, loc="left")
        axes.spines[["top", "right"]].set_visible(False)
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=self.dpi)
        return buffer.getvalue()

    def _horizontal(self, labels: list[str], values: list[int]) -> Any:
        height = 0.6 + 0.24 * max(len(values), 1)
        label_width = 0.15 + 0.062 * max((len(label) for label in labels), default=4)
        self.figure.set_size_inches(WIDTH, height)
        self.figure.subplots_adjust(
            left=min(label_width / WIDTH, 0.5),
            right=0.95,
            top=1 - 0.35 / height,
            bottom=0.1 / height,
        )
        axes = self.figure.add_subplot(1, 1, 1)
        positions = list(range(len(values)))
        axes.barh(positions, values, color=_colours(values), height=0.6)
        axes.set_yticks(positions, labels=labels, fontsize=8)
        axes.invert_yaxis()
        axes.xaxis.set_visible(False)  # each bar carries its count
        axes.spines["bottom"].set_visible(False)
        axes.set_xlim(0, max(max(values, default=0), 1) * 1.12)
        for position, value in zip(positions, values, strict=True):
            axes.annotate(
                str(value),
                (value, position),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=7,
            )
        return axes

    def _upright(self, labels: list[str], values: list[int]) -> Any:
        label_height = 0.15 + 0.05 * max((len(label) for label in labels), default=4)
        height = 1.6 + label_height
        self.figure.set_size_inches(WIDTH, height)
        self.figure.subplots_adjust(
            left=0.08, right=0.98, top=1 - 0.3 / height, bottom=label_height / height
        )
        axes = self.figure.add_subplot(1, 1, 1)
        positions = list(range(len(values)))
        axes.bar(positions, values, color=_colours(values), width=0.7)
        axes.set_xticks(positions, labels=labels, fontsize=6, rotation=90)
        axes.set_xlim(-0.6, len(values) - 0.4)
        axes.tick_params(axis="y", labelsize=7)
        axes.yaxis.get_major_locator().set_params(integer=True, nbins=4)
        axes.set_ylabel("segments", fontsize=7)
        return axes


def _colours(values: list[int]) -> list[str]:
    return [BAR_COLOUR if v else ZERO_COLOUR for v in values]


def _short(text: str, limit: int = 32) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
