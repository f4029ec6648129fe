"""Charts for the evidence pack, drawn with matplotlib's Agg canvas (no display, no pyplot
global state) and returned as PNG bytes."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

BAR_COLOUR = "#1F4E99"
ZERO_COLOUR = "#BBBBBB"


class FrequencyChart:
    """Horizontal bars of a theme's coded segments per case; cases with none are listed with
    an empty bar, so the chart also shows where the theme is absent. One figure is reused
    for every chart of a pack, which keeps a pack of many themes fast."""

    def __init__(self, dpi: int = 100) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.dpi = dpi
        self.figure: Any = Figure(dpi=dpi)
        FigureCanvasAgg(self.figure)

    def png(self, title: str, frequency: Sequence[tuple[str, int]]) -> bytes:
        figure = self.figure
        figure.clear()
        labels = [_short(case) for case, _ in frequency]
        values = [count for _, count in frequency]
        width, height = 6.0, 0.6 + 0.24 * max(len(values), 1)
        figure.set_size_inches(width, height)
        label_width = 0.15 + 0.062 * max((len(label) for label in labels), default=4)
        # Fixed margins instead of tight_layout(), which measures every text and costs more
        # than drawing the chart.
        figure.subplots_adjust(
            left=min(label_width / width, 0.5),
            right=0.95,
            top=1 - 0.35 / height,
            bottom=0.1 / height,
        )
        axes = figure.add_subplot(1, 1, 1)
        positions = list(range(len(values)))
        colours = [BAR_COLOUR if v else ZERO_COLOUR for v in values]
        axes.barh(positions, values, color=colours, height=0.6)
        axes.set_yticks(positions, labels=labels, fontsize=8)
        axes.invert_yaxis()
        axes.xaxis.set_visible(False)  # each bar carries its count; fewer texts draw faster
        axes.set_xlim(0, max(max(values, default=0), 1) * 1.12)
        axes.set_title(_short(title, 70), fontsize=9, loc="left")
        for position, value in zip(positions, values, strict=True):
            axes.annotate(
                str(value),
                (value, position),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=7,
            )
        axes.spines[["top", "right", "bottom"]].set_visible(False)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=self.dpi)
        return buffer.getvalue()


def _short(text: str, limit: int = 32) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
