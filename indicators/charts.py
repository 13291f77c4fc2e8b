"""An indicator's history as an SVG line chart, for its page and the board report.

Drawn as dashboard.charts draws (presentation attributes only, for the CSP and
WeasyPrint; role="img" with a <title> and a <desc> that state the figures), and readable
without colour: the actual is a solid line with round markers, the target a dashed line,
the amber tolerance band hatched, and a legend names each. The page puts the same figures
in a table beside it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

FONT = "Arial, 'Liberation Sans', 'DejaVu Sans', sans-serif"
INK, GRID, ACTUAL, TARGET, BAND = "#0b0c0c", "#b1b4b6", "#1d70b8", "#0b0c0c", "#f47738"


@dataclass(frozen=True)
class Point:
    label: str
    actual: Decimal
    target: Decimal | None = None
    band: tuple[Decimal, Decimal] | None = None  # the amber zone's bounds, low to high


def tolerance_band(target: Decimal, tolerance: Decimal, polarity: str) -> tuple[Decimal, Decimal]:
    """Where a figure is amber: just short of the target, by polarity."""
    if polarity == "higher":
        return target - tolerance, target
    if polarity == "lower":
        return target, target + tolerance
    return target - tolerance, target + tolerance


def _attr(value) -> str:
    return escape(str(value), quote=True)


def _text(x, y, text, *, anchor="start", size=12) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{INK}">'
        f"{escape(text)}</text>"
    )


def describe(points: Sequence[Point], fmt: Callable) -> str:
    """The chart's figures in words: its <desc> and the report's alternative text."""
    if not points:
        return "No values have been recorded yet."
    parts = []
    for p in points:
        target = f", target {fmt(p.target)}" if p.target is not None else ""
        parts.append(f"{p.label}: {fmt(p.actual)}{target}")
    return "; ".join(parts) + "."


def history_chart(points: Sequence[Point], *, chart_id: str, title: str, fmt: Callable) -> str:
    width, left, top, plot_h, right = 680, 64, 36, 220, 12
    height = top + plot_h + 70
    desc = describe(points, fmt)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'font-family="{_attr(FONT)}" font-size="12" fill="{INK}" class="app-chart" id="{chart_id}">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
        f'<defs><pattern id="{chart_id}-band" width="8" height="8" patternUnits="userSpaceOnUse">'
        f'<rect width="8" height="8" fill="#fde2d2"/><path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" '
        f'stroke="{BAND}" stroke-width="1"/></pattern></defs>'
    ]
    parts.append(_legend(chart_id, left))
    if not points:
        parts.append(_text(left, top + plot_h / 2, "No values recorded yet."))
        parts.append("</svg>")
        return "".join(parts)
    numbers = [p.actual for p in points]
    numbers += [p.target for p in points if p.target is not None]
    numbers += [b for p in points if p.band for b in p.band]
    low, high, tick = _scale(float(min(numbers)), float(max(numbers)))
    step = (width - left - right) / max(1, len(points))

    def y(value) -> float:
        return top + plot_h - plot_h * (float(value) - low) / (high - low)

    for i in range(round((high - low) / tick) + 1):
        value = low + tick * i
        parts.append(
            f'<line x1="{left}" y1="{y(value):.1f}" x2="{width - right}" y2="{y(value):.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(_text(left - 6, y(value) + 4, fmt(Decimal(f"{value:.2f}")), anchor="end", size=11))
    for i, p in enumerate(points):
        x0 = left + i * step
        if p.band:
            top_y, bottom_y = y(p.band[1]), y(p.band[0])
            parts.append(
                f'<rect x="{x0:.1f}" y="{top_y:.1f}" width="{step:.1f}" '
                f'height="{max(bottom_y - top_y, 1):.1f}" '
                f'fill="url(#{chart_id}-band)"/>'
            )
        if p.target is not None:
            parts.append(
                f'<line x1="{x0:.1f}" y1="{y(p.target):.1f}" x2="{x0 + step:.1f}" y2="{y(p.target):.1f}" '
                f'stroke="{TARGET}" stroke-width="2" stroke-dasharray="6 4"/>'
            )
    line = " ".join(f"{left + (i + 0.5) * step:.1f},{y(p.actual):.1f}" for i, p in enumerate(points))
    parts.append(f'<polyline points="{line}" fill="none" stroke="{ACTUAL}" stroke-width="3"/>')
    every = max(1, len(points) // 16)
    for i, p in enumerate(points):
        cx = left + (i + 0.5) * step
        target = f", target {fmt(p.target)}" if p.target is not None else ""
        parts.append(
            f'<circle cx="{cx:.1f}" cy="{y(p.actual):.1f}" r="4.5" fill="#ffffff" stroke="{ACTUAL}" '
            f'stroke-width="2.5"><title>{escape(p.label)}: {escape(fmt(p.actual))}{escape(target)}</title>'
            "</circle>"
        )
        if i % every == 0 or i == len(points) - 1:
            ly = top + plot_h + 12
            parts.append(
                f'<text x="{cx:.1f}" y="{ly}" font-size="11" fill="{INK}" text-anchor="end" '
                f'transform="rotate(-45 {cx:.1f} {ly})">{escape(p.label)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _scale(low: float, high: float) -> tuple[float, float, float]:
    """The axis's ends and gridline step: round numbers (1, 2, 2.5 or 5 times a power of ten),
    four to eight lines, starting from 0 when the figures are near it."""
    if low == high:
        low, high = low - 1, high + 1
    rough = (high - low) / 5
    power = 10 ** math.floor(math.log10(rough))
    tick = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= rough)
    low, high = math.floor(low / tick) * tick, math.ceil(high / tick) * tick
    if 0 < low <= 2 * tick:
        low = 0.0
    return low, high, tick


def _legend(chart_id: str, x: int) -> str:
    return (
        f'<line x1="{x}" y1="14" x2="{x + 28}" y2="14" stroke="{ACTUAL}" stroke-width="3"/>'
        f'<circle cx="{x + 14}" cy="14" r="4.5" fill="#ffffff" stroke="{ACTUAL}" stroke-width="2.5"/>'
        + _text(x + 34, 18, "Actual")
        + f'<line x1="{x + 100}" y1="14" x2="{x + 128}" y2="14" stroke="{TARGET}" stroke-width="2" '
        'stroke-dasharray="6 4"/>'
        + _text(x + 134, 18, "Target")
        + f'<rect x="{x + 200}" y="6" width="28" height="16" fill="url(#{chart_id}-band)"/>'
        + _text(x + 234, 18, "Amber: within tolerance")
    )
