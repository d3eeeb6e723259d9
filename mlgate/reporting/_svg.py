"""SVG primitives for the HTML report's plots: a chart with linear axes, lines, bars and text.

The report's plots need only axes, polylines, rectangles, text and a legend, so they are written as
SVG markup here instead of importing a plotting library (matplotlib cost about a second per gate).
Output is deterministic (no date, no random id; the one gradient id is fixed) and coordinates have
one decimal, so the same report gives the same bytes and files stay small. Text from the data is
escaped and stripped of characters XML cannot hold, so a label is always text, never markup.

Non-finite values (``None``, NaN, infinity) are never written: a line breaks around them, a point,
bar or rule is left out, and an axis range comes from the finite values only.
"""

from __future__ import annotations

import base64
import itertools
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeGuard
from xml.sax.saxutils import escape, quoteattr

from mlgate.reporting.junit import xml_text

FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
FONT_SIZE = 10
SMALL_FONT_SIZE = 9
CHAR_WIDTH = 0.6  # a sans-serif character's average advance, in font sizes (for margins only)
TEXT_COLOUR = "#24292f"
TICK_TEXT_COLOUR = "#57606a"
AXIS_COLOUR = "#8c959f"
LEGEND_BORDER = "#d0d7de"
DOTTED = "1.5,2.5"
DASHED = "5,3"
TARGET_TICKS = 5
TICK_LENGTH = 4
LEGEND_SAMPLE = 20  # pixels from a legend entry's start to its text
MIN_TICK_GAP = 6  # pixels between neighbouring numeric tick labels
EPSILON = 1e-9
SUFFIXES = ((1e9, 1e9, "G"), (1e6, 1e6, "M"), (1e4, 1e3, "k"))  # from, divide by, suffix
# matplotlib's "Blues" (ColorBrewer): light for 0, dark for 1.
RAMP = (
    "#f7fbff",
    "#deebf7",
    "#c6dbef",
    "#9ecae1",
    "#6baed6",
    "#4292c6",
    "#2171b5",
    "#08519c",
    "#08306b",
)
RAMP_ID = "ramp"
MSG_LENGTHS = "{x} x values and {y} y values: a plot needs one of each per point"
MSG_RANGE = "axis range {low}..{high} is not a finite interval"


def finite(value: object) -> TypeGuard[float]:
    """True for an int or float that is neither NaN nor infinite (``None`` and text are not)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def number(value: float) -> str:
    """A coordinate with one decimal, ``.0`` dropped: enough for pixels, small in the file."""
    text = f"{value:.1f}".removesuffix(".0")
    return "0" if text == "-0" else text


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """Estimated width of ``text`` in pixels, for sizing margins (no font metrics at hand)."""
    return len(text) * CHAR_WIDTH * size


def extent(
    values: Sequence[object], *, pad: float = 0.05, sticky: Sequence[float] = ()
) -> tuple[float, float]:
    """The finite values' range widened by ``pad`` of its span on each side, as axes want it.

    A bound equal to a ``sticky`` value is not widened (bars start on their baseline, not below
    it). A single value (or none) gets a range around it, so a scale never divides by zero.
    """
    points = [float(v) for v in values if finite(v)]
    if not points:
        return 0.0, 1.0
    low, high = min(points), max(points)
    if high - low <= EPSILON * max(abs(low), abs(high), 1.0):
        half = abs(low) * 0.1 or 1.0
        return low - half, high + half
    margin = (high - low) * pad
    return (
        low if low in sticky else low - margin,
        high if high in sticky else high + margin,
    )


def nice_step(span: float, count: int = TARGET_TICKS) -> float:
    """The 1, 2 or 5 x 10^k step closest (on a log scale) to ``span / count``."""
    raw = span / count
    power = 10.0 ** math.floor(math.log10(raw))
    error = raw / power
    if error >= math.sqrt(50):
        return 10 * power
    if error >= math.sqrt(10):
        return 5 * power
    return (2 if error >= math.sqrt(2) else 1) * power


def ticks(low: float, high: float, count: int = TARGET_TICKS) -> tuple[list[float], float]:
    """Tick values at multiples of a nice step inside ``[low, high]``, and that step.

    An empty range (``low == high``) has one tick at that value.
    """
    low, high = min(low, high), max(low, high)
    if high - low <= 0:
        return [low], 1.0
    step = nice_step(high - low, count)
    first = math.ceil(low / step - EPSILON)
    last = math.floor(high / step + EPSILON)
    return [index * step for index in range(first, last + 1)], step


def tick_labels(values: Sequence[float], step: float) -> list[str]:
    """Labels with the decimals the step needs; k, M or G from 10,000 up, ``g`` for tiny steps."""
    largest = max((abs(v) for v in values), default=0.0)
    _from, divide, suffix = next((s for s in SUFFIXES if largest >= s[0]), (0.0, 1.0, ""))
    decimals = max(0, -math.floor(math.log10(step / divide) + EPSILON))
    if decimals > 4:
        return [f"{value:.3g}" for value in values]
    return [_tick_label(value / divide, decimals, suffix) for value in values]


def _tick_label(value: float, decimals: int, suffix: str) -> str:
    """``value`` with ``decimals`` decimals and ``suffix``; zero plain and never ``-0``."""
    text = f"{value:.{decimals}f}"
    if float(text) == 0:
        return "0" if suffix else text.lstrip("-")
    return text + suffix


@dataclass(frozen=True)
class Scale:
    """Linear map from data ``[low, high]`` to pixels ``[start, end]`` (``low > high`` flips)."""

    low: float
    high: float
    start: float
    end: float

    def __call__(self, value: float) -> float:
        return self.start + (value - self.low) * (self.end - self.start) / (self.high - self.low)

    def inside(self, value: float) -> bool:
        """Whether ``value`` lies in the axis range (either orientation)."""
        return min(self.low, self.high) <= value <= max(self.low, self.high)


@dataclass(frozen=True)
class Axis:
    """One axis: a label and either a numeric range or category names at 0, 1, ..., n-1.

    Category names are drawn in order from the origin, except on a vertical axis where the first
    name is on top (as in a table). ``rotate`` turns horizontal names by 45 degrees.
    """

    label: str
    low: float = 0.0
    high: float = 1.0
    names: Sequence[str] = ()
    rotate: bool = False

    def __post_init__(self) -> None:
        if not self.names and not (
            finite(self.low) and finite(self.high) and self.low != self.high
        ):
            raise ValueError(MSG_RANGE.format(low=self.low, high=self.high))

    def bounds(self, vertical: bool) -> tuple[float, float]:
        """The data range; categories span half a step beyond the first and last."""
        if not self.names:
            return self.low, self.high
        first, last = -0.5, len(self.names) - 0.5
        return (last, first) if vertical else (first, last)

    def ticks(self, length: float, vertical: bool) -> list[tuple[float, str]]:
        """(value, label) pairs that fit in ``length`` pixels without overlapping.

        Numeric ticks get fewer steps until their labels fit; stacked or turned names (one line
        high each) are thinned to every k-th when the rows are narrower than a line.
        """
        if self.names:
            pitch = length / len(self.names)
            every = 1 if not (vertical or self.rotate) else math.ceil((FONT_SIZE + 2) / pitch)
            return [(float(i), name) for i, name in enumerate(self.names) if i % every == 0]
        for count in range(TARGET_TICKS, 1, -1):
            values, step = ticks(self.low, self.high, count)
            labels = tick_labels(values, step)
            needed = FONT_SIZE if vertical else max(text_width(label) for label in labels)
            if length * step / abs(self.high - self.low) >= needed + MIN_TICK_GAP:
                break
        return list(zip(values, labels, strict=True))


@dataclass(frozen=True)
class LegendEntry:
    """One legend row: a line sample (``dash`` as in :meth:`Chart.line`) or a filled box."""

    text: str
    colour: str
    dash: str = ""
    box: bool = False
    opacity: float = 1.0


def element(tag: str, attributes: Mapping[str, object], text: str | None = None) -> str:
    """One SVG element; attribute values quoted and escaped, ``text`` escaped as content."""
    if text is None:
        return opening(tag, attributes).removesuffix(">") + "/>"
    return f"{opening(tag, attributes)}{escape(xml_text(text))}</{tag}>"


def opening(tag: str, attributes: Mapping[str, object]) -> str:
    """The start tag of an element with children; attribute values quoted and escaped."""
    attrs = "".join(f" {name}={quoteattr(xml_text(value))}" for name, value in attributes.items())
    return f"<{tag}{attrs}>"


@dataclass
class Chart:
    """A plot area of ``width`` x ``height`` pixels, with margins sized for its axes' labels.

    Data marks (lines, points, bars, rules, cell text) go in data coordinates; the axes are drawn
    over them and the legend and colour bar last, when :meth:`uri` writes the document.
    """

    x: Axis
    y: Axis
    width: float
    height: float
    top: float = 10.0
    right: float = 14.0
    below: float = 0.0  # extra room under the x label, for a legend placed "below"
    marks: list[str] = field(default_factory=list)
    overlay: list[str] = field(default_factory=list)
    definitions: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.x_ticks = self.x.ticks(self.width, vertical=False)
        self.y_ticks = self.y.ticks(self.height, vertical=True)
        widest = max((text_width(label) for _, label in self.y_ticks), default=0.0)
        title = 2 * FONT_SIZE if self.y.label else 0
        self.left = max(title + 8 + widest + TICK_LENGTH, self._overhang())
        self.bottom = TICK_LENGTH + 2 + self._x_label_height() + 2 * FONT_SIZE + self.below
        self.sx = Scale(*self.x.bounds(False), self.left, self.left + self.width)
        self.sy = Scale(*self.y.bounds(True), self.top + self.height, self.top)

    def _overhang(self) -> float:
        """The left margin turned x names need so the first ones do not run off the image."""
        if not self.x.rotate:
            return 0.0
        low, high = self.x.bounds(False)
        return max(
            text_width(text) * math.sqrt(0.5)
            + FONT_SIZE
            - (value - low) / (high - low) * self.width
            for value, text in self.x_ticks
        )

    def _x_label_height(self) -> float:
        """Height of the x tick labels: one line, or the longest name turned 45 degrees."""
        if not self.x.rotate:
            return FONT_SIZE + 2
        return max(text_width(label) for _, label in self.x_ticks) * math.sqrt(0.5) + FONT_SIZE

    @property
    def size(self) -> tuple[float, float]:
        """The whole image: plot area and margins."""
        return self.left + self.width + self.right, self.top + self.height + self.bottom

    def line(
        self,
        xs: Sequence[object],
        ys: Sequence[object],
        colour: str,
        *,
        dash: str = "",
        width: float = 1.5,
        markers: bool = False,
    ) -> None:
        """A polyline through the points, broken where a value is missing or not finite."""
        for run in _runs(xs, ys):
            if len(run) > 1:
                points = " ".join(f"{number(self.sx(x))},{number(self.sy(y))}" for x, y in run)
                attributes = {"points": points, "fill": "none", "stroke": colour}
                attributes["stroke-width"] = number(width)
                if dash:
                    attributes["stroke-dasharray"] = dash
                self.marks.append(element("polyline", attributes))
            if markers:
                self.points([x for x, _ in run], [y for _, y in run], colour, radius=3, opacity=1)

    def points(
        self,
        xs: Sequence[object],
        ys: Sequence[object],
        colour: str,
        *,
        radius: float = 2.2,
        opacity: float = 0.6,
    ) -> None:
        """A circle per point with finite coordinates."""
        for run in _runs(xs, ys):
            for x, y in run:
                attributes: dict[str, object] = {
                    "cx": number(self.sx(x)),
                    "cy": number(self.sy(y)),
                    "r": number(radius),
                    "fill": colour,
                }
                if opacity < 1:
                    attributes["fill-opacity"] = opacity
                self.marks.append(element("circle", attributes))

    def rule(self, colour: str, *, x: object = None, y: object = None, dash: str = "") -> None:
        """A line across the plot area at ``x`` (vertical) or ``y`` (horizontal), if inside it."""
        left, right = self.sx.start, self.sx.end
        top, bottom = self.sy.end, self.sy.start
        if finite(x) and self.sx.inside(x):
            left = right = self.sx(x)
        elif finite(y) and self.sy.inside(y):
            top = bottom = self.sy(y)
        else:
            return
        self.marks.append(_segment(left, top, right, bottom, colour, dash, 1.2 if dash else 1.0))

    def bar(
        self, x0: object, x1: object, y0: object, y1: object, colour: str, opacity: float = 1.0
    ) -> None:
        """A rectangle between two data corners, left out when a corner is not finite."""
        if not (finite(x0) and finite(x1) and finite(y0) and finite(y1)):
            return
        xs = sorted((self.sx(x0), self.sx(x1)))
        ys = sorted((self.sy(y0), self.sy(y1)))
        attributes: dict[str, object] = {
            "x": number(xs[0]),
            "y": number(ys[0]),
            "width": number(xs[1] - xs[0]),
            "height": number(ys[1] - ys[0]),
            "fill": colour,
        }
        if opacity < 1:
            attributes["fill-opacity"] = opacity
        self.marks.append(element("rect", attributes))

    def cell_text(
        self, x: float, y: float, text: str, colour: str = TEXT_COLOUR, size: float = FONT_SIZE
    ) -> None:
        """Text centred on a data point (a confusion matrix cell's count)."""
        self.marks.append(
            _text(self.sx(x), self.sy(y), text, anchor="middle", colour=colour, size=size)
        )

    def legend(self, entries: Sequence[LegendEntry], where: str) -> None:
        """The entries: stacked in a box in a corner of the plot area (``"upper left"``, ...),
        stacked without a box under the x label (``"below"``, in the room ``below`` reserved), or
        in one row over the plot area, right-aligned (``"above"``, in the room ``top`` leaves).
        """
        places = (
            self._legend_row(entries) if where == "above" else self._legend_stack(entries, where)
        )
        for entry, (left, middle) in zip(entries, places, strict=True):
            self.overlay.append(_swatch(entry, left, middle))
            self.overlay.append(
                _text(left + LEGEND_SAMPLE, middle, entry.text, size=SMALL_FONT_SIZE)
            )

    def _legend_row(self, entries: Sequence[LegendEntry]) -> list[tuple[float, float]]:
        """Where each entry starts in a row that ends at the plot area's right edge."""
        widths = [LEGEND_SAMPLE + text_width(e.text, SMALL_FONT_SIZE) + 12 for e in entries]
        left, middle = self.sx.end - sum(widths), self.top / 2
        starts = itertools.accumulate(widths[:-1], initial=left)
        return [(start, middle) for start in starts]

    def _legend_stack(
        self, entries: Sequence[LegendEntry], where: str
    ) -> list[tuple[float, float]]:
        """Where each entry starts, one per line, in a boxed corner or under the x label."""
        row = FONT_SIZE + 4
        width = LEGEND_SAMPLE + 12 + max(text_width(e.text, SMALL_FONT_SIZE) for e in entries)
        height = row * len(entries) + 6
        if where == "below":
            left, top = self.sx.start, self.size[1] - self.below
        else:
            vertical, horizontal = where.split()
            inset = 6
            left = self.sx.start + inset if horizontal == "left" else self.sx.end - inset - width
            top = self.sy.end + inset if vertical == "upper" else self.sy.start - inset - height
            self.overlay.append(_box(left, top, width, height))
        return [(left + 6, top + 3 + row * (index + 0.5)) for index in range(len(entries))]

    def colour_bar(self, label: str) -> None:
        """The heatmap's ramp from 0 (bottom) to 1 (top) in the right margin, with ticks."""
        stops = "".join(
            element("stop", {"offset": number(i / (len(RAMP) - 1) * 100) + "%", "stop-color": c})
            for i, c in enumerate(RAMP)
        )
        gradient = opening("linearGradient", {"id": RAMP_ID, "x1": 0, "y1": 1, "x2": 0, "y2": 0})
        self.definitions.append(f"{gradient}{stops}</linearGradient>")
        left = self.sx.end + 16
        top, bottom = self.sy.end, self.sy.start
        fill = f"url(#{RAMP_ID})"
        box = {"x": number(left), "y": number(top), "width": 12, "height": number(bottom - top)}
        self.overlay.append(element("rect", {**box, "fill": fill, "stroke": AXIS_COLOUR}))
        values, step = ticks(0.0, 1.0)
        for value, text in zip(values, tick_labels(values, step), strict=True):
            y = bottom - value * (bottom - top)
            self.overlay.append(_segment(left + 12, y, left + 12 + TICK_LENGTH, y, AXIS_COLOUR))
            self.overlay.append(_text(left + 18, y, text, colour=TICK_TEXT_COLOUR))
        self.overlay.append(_text(left + 46, (top + bottom) / 2, label, anchor="middle", angle=-90))

    def uri(self) -> str:
        """The chart as a ``data:image/svg+xml;base64,...`` URI."""
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg().encode()).decode("ascii")

    def svg(self) -> str:
        """The chart as an SVG document."""
        width, height = (number(v) for v in self.size)
        root = {
            "xmlns": "http://www.w3.org/2000/svg",
            "width": width,
            "height": height,
            "viewBox": f"0 0 {width} {height}",
            "font-family": FONT,
            "font-size": FONT_SIZE,
            "fill": TEXT_COLOUR,
        }
        head = opening("svg", root)
        defs = f"<defs>{''.join(self.definitions)}</defs>" if self.definitions else ""
        background = element("rect", {"width": "100%", "height": "100%", "fill": "#ffffff"})
        body = [*self.marks, *self._axes(), *self.overlay]
        return "\n".join([head + defs, background, *body, "</svg>"]) + "\n"

    def _axes(self) -> Iterator[str]:
        """Left and bottom axis lines, ticks with their labels, and both axis titles."""
        left, right, top, bottom = self.sx.start, self.sx.end, self.sy.end, self.sy.start
        yield _segment(left, bottom, right, bottom, AXIS_COLOUR)
        yield _segment(left, top, left, bottom, AXIS_COLOUR)
        for value, text in self.x_ticks:
            x = self.sx(value)
            yield _segment(x, bottom, x, bottom + TICK_LENGTH, AXIS_COLOUR)
            under = bottom + TICK_LENGTH + 2
            if self.x.rotate:
                yield _text(x, under + 3, text, anchor="end", colour=TICK_TEXT_COLOUR, angle=-45)
            else:
                yield _text(
                    x, under + FONT_SIZE / 2, text, anchor="middle", colour=TICK_TEXT_COLOUR
                )
        for value, text in self.y_ticks:
            y = self.sy(value)
            yield _segment(left - TICK_LENGTH, y, left, y, AXIS_COLOUR)
            yield _text(left - TICK_LENGTH - 2, y, text, anchor="end", colour=TICK_TEXT_COLOUR)
        title_y = bottom + TICK_LENGTH + 2 + self._x_label_height() + FONT_SIZE
        yield _text((left + right) / 2, title_y, self.x.label, anchor="middle")
        if self.y.label:
            yield _text(FONT_SIZE, (top + bottom) / 2, self.y.label, anchor="middle", angle=-90)


def crowded(names: Sequence[str], length: float) -> bool:
    """Whether ``names`` side by side on ``length`` pixels would overlap (then turn them)."""
    pitch = length / max(len(names), 1)
    return any(text_width(name) + MIN_TICK_GAP > pitch for name in names)


def ramp(share: float) -> str:
    """The colour of ``share`` (0 to 1, clipped) on :data:`RAMP`, interpolated between stops."""
    position = min(max(share, 0.0), 1.0) * (len(RAMP) - 1)
    index = min(int(position), len(RAMP) - 2)
    low, high = _rgb(RAMP[index]), _rgb(RAMP[index + 1])
    weight = position - index
    return "#" + "".join(
        f"{round(a + (b - a) * weight):02x}" for a, b in zip(low, high, strict=True)
    )


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _runs(xs: Sequence[object], ys: Sequence[object]) -> Iterator[list[tuple[float, float]]]:
    """Consecutive points with finite coordinates; a missing or non-finite value ends a run."""
    if len(xs) != len(ys):
        raise ValueError(MSG_LENGTHS.format(x=len(xs), y=len(ys)))
    run: list[tuple[float, float]] = []
    for x, y in zip(xs, ys, strict=True):
        if finite(x) and finite(y):
            run.append((float(x), float(y)))
        elif run:
            yield run
            run = []
    if run:
        yield run


def _segment(
    x1: float, y1: float, x2: float, y2: float, colour: str, dash: str = "", width: float = 1.0
) -> str:
    attributes: dict[str, object] = {
        "x1": number(x1),
        "y1": number(y1),
        "x2": number(x2),
        "y2": number(y2),
        "stroke": colour,
        "stroke-width": number(width),
    }
    if dash:
        attributes["stroke-dasharray"] = dash
    return element("line", attributes)


def _text(
    x: float,
    y: float,
    text: str,
    *,
    anchor: str = "start",
    colour: str = TEXT_COLOUR,
    size: float = FONT_SIZE,
    angle: float = 0,
) -> str:
    """Text vertically centred on ``y``, turned ``angle`` degrees around its anchor point."""
    attributes: dict[str, object] = {"x": number(x), "y": number(y), "dy": "0.35em"}
    if anchor != "start":
        attributes["text-anchor"] = anchor
    if colour != TEXT_COLOUR:
        attributes["fill"] = colour
    if size != FONT_SIZE:
        attributes["font-size"] = number(size)
    if angle:
        attributes["transform"] = f"rotate({number(angle)} {number(x)} {number(y)})"
    return element("text", attributes, text)


def _box(left: float, top: float, width: float, height: float) -> str:
    attributes = {"x": number(left), "y": number(top), "width": number(width)}
    attributes["height"] = number(height)
    style = {"fill": "#ffffff", "fill-opacity": "0.85", "stroke": LEGEND_BORDER}
    return element("rect", {**attributes, **style})


def _swatch(entry: LegendEntry, left: float, middle: float) -> str:
    """A legend entry's sample: a short line, or a box filled like the entry's bars."""
    if not entry.box:
        return _segment(left, middle, left + 16, middle, entry.colour, entry.dash, 1.5)
    attributes: dict[str, object] = {
        "x": number(left + 3),
        "y": number(middle - 5),
        "width": 10,
        "height": 10,
        "fill": entry.colour,
    }
    if entry.opacity < 1:
        attributes["fill-opacity"] = entry.opacity
    return element("rect", attributes)
