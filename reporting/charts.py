"""Server-side SVG charts for the report, each with its alternative text.

Colour is never the only carrier: every bar is labelled with its words and count,
and the report prints the same figures in a table beside each chart.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reporting.figures import RAG_KEYS, RAG_LABELS, Tally

# GOV.UK Design System colours, with a text colour that passes contrast on each.
FILL = {
    "red": ("#d4351c", "#ffffff"),
    "amber": ("#ffdd00", "#0b0c0c"),
    "green": ("#00703c", "#ffffff"),
    "blue": ("#1d70b8", "#ffffff"),
    "not_reported": ("#b1b4b6", "#0b0c0c"),
}
FONT = "font-family='Liberation Sans, Arial, sans-serif'"


@dataclass(frozen=True)
class Chart:
    svg: str
    alt: str

    @property
    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode()


def rag_bars(summary: Tally, *, title: str) -> Chart:
    """One horizontal bar per RAG rating, longest = most actions."""
    rows = summary.rag_rows
    width, label_w, row_h = 640, 170, 34
    height = row_h * len(rows) + 10
    biggest = max([count for _, _, count in rows] + [1])
    parts = [_open(width, height)]
    for i, (rag, words, count) in enumerate(rows):
        y = 5 + i * row_h
        bar = round((width - label_w - 60) * count / biggest)
        fill, _ = FILL[rag]
        parts.append(
            f"<text x='{label_w - 8}' y='{y + 21}' text-anchor='end' {FONT} font-size='15'>"
            f"{escape(words)}</text>"
        )
        parts.append(f"<rect x='{label_w}' y='{y + 4}' width='{bar}' height='{row_h - 10}' fill='{fill}' />")
        parts.append(
            f"<text x='{label_w + bar + 6}' y='{y + 21}' {FONT} font-size='15' "
            f"font-weight='bold'>{count}</text>"
        )
    parts.append("</svg>")
    described = "; ".join(f"{words} {count}" for _, words, count in rows)
    return Chart("".join(parts), f"{title}: bar chart of {summary.total} actions by RAG rating. {described}.")


def theme_stacks(sections, *, title: str) -> Chart:
    """One stacked bar per theme: its actions split by RAG rating."""
    width, label_w, row_h = 640, 40, 34
    height = row_h * len(sections) + 46
    bar_w = width - label_w - 10
    parts = [_open(width, height)]
    described = []
    for i, section in enumerate(sections):
        y = 5 + i * row_h
        total = section.summary.total
        parts.append(
            f"<text x='{label_w - 8}' y='{y + 21}' text-anchor='end' {FONT} font-size='15'>"
            f"{section.theme.number}</text>"
        )
        x = label_w
        pieces = []
        for rag, words, count in section.summary.rag_rows:
            if not count:
                continue
            w = bar_w * count / total
            fill, ink = FILL[rag]
            parts.append(
                f"<rect x='{x:.1f}' y='{y + 4}' width='{w:.1f}' height='{row_h - 10}' fill='{fill}' "
                "stroke='#ffffff' stroke-width='1' />"
            )
            if w >= 22:
                parts.append(
                    f"<text x='{x + w / 2:.1f}' y='{y + 21}' text-anchor='middle' {FONT} font-size='13' "
                    f"font-weight='bold' fill='{ink}'>{count}</text>"
                )
            x += w
            pieces.append(f"{words} {count}")
        if not total:
            parts.append(f"<text x='{label_w}' y='{y + 21}' {FONT} font-size='13'>No actions</text>")
        described.append(f"theme {section.theme.number}: " + (", ".join(pieces) or "no actions"))
    legend_y = 5 + len(sections) * row_h + 14
    x = label_w
    for rag in RAG_KEYS:
        fill, _ = FILL[rag]
        words = escape(RAG_LABELS[rag])
        parts.append(f"<rect x='{x}' y='{legend_y}' width='14' height='14' fill='{fill}' stroke='#505a5f' />")
        parts.append(f"<text x='{x + 19}' y='{legend_y + 12}' {FONT} font-size='12'>{words}</text>")
        x += 19 + 7 * len(RAG_LABELS[rag]) + 16
    parts.append("</svg>")
    return Chart("".join(parts), f"{title}: stacked bars, one per theme. " + "; ".join(described) + ".")


def _open(width: int, height: int) -> str:
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"viewBox='0 0 {width} {height}'>"
    )
