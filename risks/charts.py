"""The heat map: a 5x5 SVG matrix of current scores, drawn on the server for the register
and the board report.

A pure function of the register's cells (risks.selectors.Cell). Readable without colour:
each cell prints its count and its band's name, and the bands differ by pattern as well
as colour. On the page each cell with risks is a link to them (the SVG is then a group
of links, each with its label in words); in the report it is one image whose <title>
and <desc> state every figure. A table of the same figures sits beside it either way.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from dashboard.charts import FONT, INK
from risks import rules

CELL_W, CELL_H = 96, 64
LEFT, TOP = 150, 40
# band level: (fill, pattern). Light fills keep the black text at AA contrast.
_LOOK = {
    "high": ("#f6d2cc", "hatch"),
    "medium": ("#fff2bf", "dots"),
    "low": ("#d2e8dc", "solid"),
    "": ("#f3f2f1", "solid"),
}


def _patterns(prefix: str) -> str:
    parts = []
    for level, (fill, kind) in _LOOK.items():
        body = f'<rect width="10" height="10" fill="{fill}"/>'
        if kind == "hatch":
            body += '<path d="M-2,2 l4,-4 M0,10 l10,-10 M8,12 l4,-4" stroke="#d4351c" stroke-width="1"/>'
        elif kind == "dots":
            body += '<circle cx="5" cy="5" r="1.2" fill="#b58800"/>'
        parts.append(
            f'<pattern id="{prefix}-{level or "none"}" width="10" height="10" '
            f'patternUnits="userSpaceOnUse">{body}</pattern>'
        )
    return "<defs>" + "".join(parts) + "</defs>"


def _text(x, y, text, *, anchor="middle", size=14, weight="normal") -> str:
    return (
        f'<text x="{x}" y="{y}" text-anchor="{anchor}" font-size="{size}" font-weight="{weight}" '
        f'fill="{INK}">{escape(str(text))}</text>'
    )


def describe(cells: list[list]) -> str:
    """Every cell with risks, in words (the <desc> and the report's alt text)."""
    filled = [c for line in cells for c in line if c.count]
    total = sum(c.count for c in filled)
    if not filled:
        return "No risks have a current score."
    parts = [
        f"likelihood {c.likelihood} by impact {c.impact} (score {c.score}, {c.band.label.lower()}): {c.count}"
        for c in filled
    ]
    return f"{total} risk{'s' if total != 1 else ''} by current score. " + "; ".join(parts) + "."


def heat_map(cells: list[list], *, chart_id: str, title: str, link: Callable | None = None) -> str:
    """The matrix: likelihood up the side (5 at the top), impact along the bottom.

    With `link` (a cell -> URL function), each cell with risks is a link and the SVG a
    labelled group; without, the SVG is one image (the PDF)."""
    width = LEFT + 5 * CELL_W + 10
    height = TOP + 5 * CELL_H + 70
    role = (
        f'role="group" aria-labelledby="{chart_id}-title"'
        if link
        else f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc"'
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" {role} font-family="{escape(FONT, quote=True)}" font-size="14" '
        f'fill="{INK}" class="app-chart app-heat-map" id="{chart_id}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(describe(cells))}</desc>',
        _patterns(chart_id),
        _text(LEFT + 5 * CELL_W / 2, 22, "Current score: likelihood by impact", size=15, weight="bold"),
    ]
    for row_index, line in enumerate(cells):
        y = TOP + row_index * CELL_H
        level = line[0].likelihood
        out.append(_text(LEFT - 8, y + CELL_H / 2 - 2, f"{level}", anchor="end", weight="bold"))
        out.append(
            _text(LEFT - 8, y + CELL_H / 2 + 15, rules.LIKELIHOOD_LABELS[level], anchor="end", size=12)
        )
        for col_index, cell in enumerate(line):
            x = LEFT + col_index * CELL_W
            fill = f"url(#{chart_id}-{cell.band.level or 'none'})"
            body = (
                f'<rect x="{x}" y="{y}" width="{CELL_W}" height="{CELL_H}" fill="{fill}" '
                f'stroke="{INK}" stroke-width="1"/>'
                f'<rect x="{x + 24}" y="{y + 8}" width="{CELL_W - 48}" height="26" fill="#ffffff" '
                f'stroke="{INK}" stroke-width="0.5"/>'
                + _text(x + CELL_W / 2, y + 27, cell.count, size=18, weight="bold")
                + _text(x + CELL_W / 2, y + 53, f"{cell.band.label} {cell.score}", size=12)
            )
            if link and cell.count:
                href, label = escape(link(cell), quote=True), escape(cell.label, quote=True)
                out.append(f'<a href="{href}" aria-label="{label}">{body}</a>')
            else:
                out.append(f'<g aria-hidden="true">{body}</g>' if link else body)
    base = TOP + 5 * CELL_H
    for col_index in range(5):
        x = LEFT + col_index * CELL_W + CELL_W / 2
        level = col_index + 1
        out.append(_text(x, base + 18, f"{level}", weight="bold"))
        out.append(_text(x, base + 34, rules.IMPACT_LABELS[level], size=12))
    out.append(_text(LEFT + 5 * CELL_W / 2, base + 58, "Impact", weight="bold"))
    out.append(_text(16, TOP + 5 * CELL_H / 2, "Likelihood", anchor="start", weight="bold"))
    out.append("</svg>")
    return "".join(out)
