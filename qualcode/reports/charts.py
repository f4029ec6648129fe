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
    """Bars of a theme's coded segments per case; cases with none keep an empty place, so the
    chart also shows where the theme is absent. A few cases are drawn as labelled horizontal
    bars with their counts, many as upright bars over a count axis.

    A pack draws one chart per theme over the same cases, and drawing the case labels is most
    of the work. So the frame (labels, spines) is drawn once per list of cases and kept as a
    background; each chart restores it and draws only its bars, counts, count axis and title
    on top (matplotlib's blitting), then encodes the canvas as PNG."""

    def __init__(self, dpi: int = 100) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.dpi = dpi
        self.figure: Any = Figure(dpi=dpi, facecolor="white")
        self.canvas: Any = FigureCanvasAgg(self.figure)
        self._key: tuple[bool, tuple[str, ...]] | None = None
        self._background: Any = None
        self._axes: Any = None
        self._bars: list[Any] = []
        self._title: Any = None

    def png(self, title: str, frequency: Sequence[tuple[str, int]]) -> bytes:
        labels = tuple(_short(case) for case, _ in frequency)
        values = [count for _, count in frequency]
        horizontal = len(values) <= HORIZONTAL_UP_TO
        if self._key != (horizontal, labels):
            self._frame(horizontal, labels)
            self._key = (horizontal, labels)
        return self._draw(horizontal, _short(title, 70), values)

    def _frame(self, horizontal: bool, labels: tuple[str, ...]) -> None:
        figure = self.figure
        figure.clear()
        longest = max((len(label) for label in labels), default=4)
        positions = list(range(len(labels)))
        if horizontal:
            height = 0.6 + 0.24 * max(len(labels), 1)
            figure.set_size_inches(WIDTH, height)
            figure.subplots_adjust(
                left=min((0.15 + 0.062 * longest) / WIDTH, 0.5),
                right=0.95,
                top=1 - 0.35 / height,
                bottom=0.1 / height,
            )
            axes = figure.add_subplot(1, 1, 1)
            bars = axes.barh(positions, [0] * len(labels), height=0.6)
            axes.set_yticks(positions, labels=labels, fontsize=8)
            axes.invert_yaxis()
            axes.xaxis.set_visible(False)  # each bar carries its count
            axes.spines["bottom"].set_visible(False)
        else:
            label_height = 0.15 + 0.05 * longest
            height = 1.6 + label_height
            figure.set_size_inches(WIDTH, height)
            figure.subplots_adjust(
                left=0.08, right=0.98, top=1 - 0.3 / height, bottom=label_height / height
            )
            axes = figure.add_subplot(1, 1, 1)
            bars = axes.bar(positions, [0] * len(labels), width=0.7)
            axes.set_xticks(positions, labels=labels, fontsize=6, rotation=90)
            axes.set_xlim(-0.6, len(labels) - 0.4)
            axes.tick_params(axis="y", labelsize=7)
            axes.yaxis.get_major_locator().set_params(integer=True, nbins=4)
            axes.yaxis.set_animated(True)  # its scale changes from chart to chart
            axes.set_ylabel("segments", fontsize=7)
        axes.spines[["top", "right"]].set_visible(False)
        self._title = axes.set_title("", fontsize=9, loc="left", animated=True)
        self._bars = list(bars)
        for bar in self._bars:
            bar.set_animated(True)
        self._axes = axes
        self.canvas.draw()
        self._background = self.canvas.copy_from_bbox(figure.bbox)

    def _draw(self, horizontal: bool, title: str, values: list[int]) -> bytes:
        axes, canvas = self._axes, self.canvas
        canvas.restore_region(self._background)
        top = max(max(values, default=0), 1)
        if horizontal:
            axes.set_xlim(0, top * 1.12)
        else:
            axes.set_ylim(0, top * 1.05)
        for bar, value in zip(self._bars, values, strict=True):
            if horizontal:
                bar.set_width(value)
            else:
                bar.set_height(value)
            bar.set_color(BAR_COLOUR if value else ZERO_COLOUR)
            axes.draw_artist(bar)
        if horizontal:
            for position, value in enumerate(values):
                count = axes.annotate(
                    str(value),
                    (value, position),
                    xytext=(3, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize=7,
                    animated=True,
                )
                axes.draw_artist(count)
                count.remove()
        else:
            axes.draw_artist(axes.yaxis)
        self._title.set_text(title)
        axes.draw_artist(self._title)
        return _encode(canvas)


def _encode(canvas: Any) -> bytes:
    import numpy as np
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.asarray(canvas.buffer_rgba())).convert("RGB").save(
        buffer, format="PNG", compress_level=3
    )
    return buffer.getvalue()


def _short(text: str, limit: int = 32) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
