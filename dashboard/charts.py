"""Charts as SVG strings, drawn on the server for the dashboard and the board report.

Pure functions of plain numbers: no database, no templates. Each chart is
self-contained (presentation attributes only: the page's CSP forbids inline
styles, and WeasyPrint embeds the same markup in the PDF), has role="img" with a
<title> and <desc> that state the figures, and never relies on colour alone:
every RAG segment has a pattern as well as a colour, and every bar a text label.
Pages put a data table beside each chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from actionplan import rules

FONT = "Arial, 'Liberation Sans', 'DejaVu Sans', sans-serif"
INK = "#0b0c0c"
GRID = "#b1b4b6"

# key: (label, fill colour, pattern kind). Patterns tell RAG apart without colour.
_RAG_LOOK = {
    "red": ("#d4351c", "hatch"),
    "amber": ("#f47738", "dots"),
    "green": ("#00703c", "solid"),
    "blue": ("#1d70b8", "lines"),
    rules.NOT_REPORTED: ("#f3f2f1", "solid"),
}
RAG_STYLE = {key: (rules.RAG_LABELS[key], *_RAG_LOOK[key]) for key in rules.RAG_KEYS}
# Stacked bottom up: done, on track, at risk, off track, then silent on top.
_STACK_ORDER = (*reversed(rules.RAG_KEYS[:-1]), rules.NOT_REPORTED)
STATUS_FILL = "#505a5f"
HATCH = "M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4"


def _attr(value) -> str:
    return escape(str(value), quote=True)


def _pct(n: int, total: int) -> str:
    return f"{round(100 * n / total)}%" if total else "0%"


def _patterns(prefix: str) -> str:
    """One <pattern> per RAG key, ids prefixed so several charts can share a page."""
    parts = []
    for key, (_label, colour, kind) in RAG_STYLE.items():
        pid = f"{prefix}-{key}"
        if kind == "hatch":
            body = f'<rect width="8" height="8" fill="{colour}"/>' + _white(
                "M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4"
            )
        elif kind == "dots":
            body = f'<rect width="8" height="8" fill="{colour}"/><circle cx="4" cy="4" r="1.6" fill="{INK}"/>'
        elif kind == "lines":
            body = f'<rect width="8" height="8" fill="{colour}"/>' + _white("M0,4 h8")
        else:
            body = f'<rect width="8" height="8" fill="{colour}"/>'
        parts.append(
            f'<pattern id="{pid}" width="8" height="8" patternUnits="userSpaceOnUse">{body}</pattern>'
        )
    return "<defs>" + "".join(parts) + "</defs>"


def _white(path: str) -> str:
    return f'<path d="{path}" stroke="#ffffff" stroke-width="1.5"/>'


def _open(chart_id: str, width: int, height: int, title: str, desc: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'font-family="{_attr(FONT)}" font-size="14" fill="{INK}" class="app-chart" id="{chart_id}">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
    )


def _text(x, y, text, *, anchor="start", size=14, weight="normal") -> str:
    return (
        f'<text x="{x}" y="{y}" text-anchor="{anchor}" font-size="{size}" '
        f'font-weight="{weight}" fill="{INK}">{escape(str(text))}</text>'
    )


def describe_counts(counts: dict[str, int], labels: dict[str, str]) -> str:
    """'Red 3 (10%), Amber 5 (17%), ...': the figures in words, for <desc> and alt text."""
    total = sum(counts.values())
    items = [f"{labels[k]} {n} ({_pct(n, total)})" for k, n in counts.items()]
    return f"{total} actions: " + ", ".join(items) + "."


def rag_bars(counts: dict[str, int], *, chart_id: str, title: str, stacked: bool = False) -> str:
    """Horizontal bars, one per RAG rating, each labelled with its name, count and share.

    `stacked` puts each label on its own line above its bar: a narrow chart whose text
    stays readable when a phone's screen scales it down (the dashboard); the PDF keeps
    labels beside the bars."""
    keys = [k for k in RAG_STYLE if k in counts]
    labels = {k: RAG_STYLE[k][0] for k in keys}
    return (_stacked_bars if stacked else _bars)(
        [(labels[k], counts[k], f"url(#{chart_id}-{k})") for k in keys],
        chart_id=chart_id,
        title=title,
        desc=describe_counts({k: counts[k] for k in keys}, labels),
        defs=_patterns(chart_id),
    )


def status_bars(rows: Sequence[tuple[str, int]], *, chart_id: str, title: str, stacked: bool = False) -> str:
    """Horizontal bars for (label, count) rows, such as actions by status."""
    counts = dict(rows)
    return (_stacked_bars if stacked else _bars)(
        [(label, n, STATUS_FILL) for label, n in rows],
        chart_id=chart_id,
        title=title,
        desc=describe_counts(counts, {k: k for k in counts}),
        defs="",
    )


# The narrow layout: drawn 360 units wide, so a 320 px screen shows its 16-unit text at
# about 13 px, and a wide one at 16 px (the figure is never drawn wider than it is).
NARROW_WIDTH, NARROW_TEXT, NARROW_LINE = 360, 16, 20


def _wrap(text: str, width: int = NARROW_WIDTH, size: int = NARROW_TEXT) -> list[str]:
    """Words to lines that fit `width` at `size` (Arial averages about half its size a letter)."""
    per_line = max(8, int(width / (size * 0.55)))
    lines: list[str] = []
    for word in str(text).split():
        if lines and len(lines[-1]) + 1 + len(word) <= per_line:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _stacked_bars(rows, *, chart_id, title, desc, defs) -> str:
    width, bar_height, count_room = NARROW_WIDTH, 22, 96
    bar_width = width - count_room - 2
    total = sum(n for _label, n, _fill in rows)
    biggest = max([n for _label, n, _fill in rows] + [1])
    parts, y = [defs], 0
    for label, n, fill in rows:
        for line in _wrap(label):
            y += NARROW_LINE
            parts.append(_text(0, y - 4, line, size=NARROW_TEXT))
        length = round(bar_width * n / biggest)
        if length:
            parts.append(
                f'<rect x="1" y="{y + 2}" width="{length}" height="{bar_height}" '
                f'fill="{fill}" stroke="{INK}" stroke-width="1"/>'
            )
        parts.append(_text(length + 8, y + 19, f"{n} ({_pct(n, total)})", size=NARROW_TEXT, weight="bold"))
        y += bar_height + 14
    return _open(chart_id, width, y, title, desc) + "".join(parts) + "</svg>"


def _bars(rows, *, chart_id, title, desc, defs) -> str:
    label_width, bar_width, row_height, width = 140, 260, 30, 480
    total = sum(n for _label, n, _fill in rows)
    biggest = max([n for _label, n, _fill in rows] + [1])
    height = row_height * len(rows) + 10
    parts = [_open(chart_id, width, height, title, desc), defs]
    for i, (label, n, fill) in enumerate(rows):
        y = 5 + i * row_height
        length = round(bar_width * n / biggest)
        parts.append(_text(label_width - 8, y + 19, label, anchor="end"))
        if length:
            parts.append(
                f'<rect x="{label_width}" y="{y + 3}" width="{length}" height="{row_height - 8}" '
                f'fill="{fill}" stroke="{INK}" stroke-width="1"/>'
            )
        parts.append(_text(label_width + length + 8, y + 19, f"{n} ({_pct(n, total)})", weight="bold"))
    parts.append(
        f'<line x1="{label_width}" y1="2" x2="{label_width}" y2="{height - 2}" '
        f'stroke="{INK}" stroke-width="1"/>'
    )
    parts.append("</svg>")
    return "".join(parts)


def rag_rows(
    rows: Sequence[tuple[str, dict[str, int]]], *, chart_id: str, title: str, stacked: bool = False
) -> str:
    """One 100% stacked bar per row (a theme, a partner), RAG shares with patterns and a legend.

    `stacked`: each row's label (a theme's whole name, wrapped) on its own lines above its bar."""
    if stacked:
        return _stacked_rag_rows(rows, chart_id=chart_id, title=title)
    label_width, bar_width, row_height = 150, 400, 34
    legend_height = 30
    width = label_width + bar_width + 100
    height = legend_height + row_height * len(rows) + 8
    descs = [
        f"{label}: " + describe_counts(counts, {k: RAG_STYLE[k][0] for k in counts}) for label, counts in rows
    ]
    parts = [
        _open(chart_id, width, height, title, " ".join(descs)),
        _patterns(chart_id),
        _legend(chart_id, 0, 4),
    ]
    for i, (label, counts) in enumerate(rows):
        y = legend_height + i * row_height
        total = sum(counts.values())
        parts.append(_text(label_width - 8, y + 21, label, anchor="end"))
        x = label_width
        for key in RAG_STYLE:
            n = counts.get(key, 0)
            if not n:
                continue
            w = bar_width * n / total
            parts.append(
                f'<rect x="{x:.1f}" y="{y + 5}" width="{w:.1f}" height="{row_height - 10}" '
                f'fill="url(#{chart_id}-{key})" stroke="{INK}" stroke-width="1">'
                f"<title>{escape(label)}: {escape(RAG_STYLE[key][0])} {n} ({_pct(n, total)})</title></rect>"
            )
            x += w
        if not total:
            parts.append(_text(label_width + 4, y + 21, "No actions"))
        else:
            parts.append(_text(label_width + bar_width + 8, y + 21, f"{total} actions"))
    parts.append("</svg>")
    return "".join(parts)


def _descs(rows) -> str:
    return " ".join(
        f"{label}: " + describe_counts(counts, {k: RAG_STYLE[k][0] for k in counts}) for label, counts in rows
    )


def _stacked_rag_rows(rows, *, chart_id: str, title: str) -> str:
    width, bar_height = NARROW_WIDTH, 24
    bar_width = width - 2
    parts = [_patterns(chart_id)]
    # The legend as a column: five keys side by side would not fit 360 units.
    y = 0
    for key, (label, _colour, _kind) in RAG_STYLE.items():
        parts.append(
            f'<rect x="1" y="{y + 3}" width="16" height="16" fill="url(#{chart_id}-{key})" '
            f'stroke="{INK}" stroke-width="1"/>'
        )
        parts.append(_text(24, y + 16, label, size=NARROW_TEXT))
        y += NARROW_LINE + 2
    y += 8
    for label, counts in rows:
        total = sum(counts.values())
        lines = _wrap(label)
        lines[-1] += f" ({total} action{'' if total == 1 else 's'})" if total else " (no actions)"
        for line in _wrap(" ".join(lines)):
            y += NARROW_LINE
            parts.append(_text(0, y - 4, line, size=NARROW_TEXT))
        x = 1.0
        for key in RAG_STYLE:
            n = counts.get(key, 0)
            if not n:
                continue
            w = bar_width * n / total
            parts.append(
                f'<rect x="{x:.1f}" y="{y + 2}" width="{w:.1f}" height="{bar_height}" '
                f'fill="url(#{chart_id}-{key})" stroke="{INK}" stroke-width="1">'
                f"<title>{escape(label)}: {escape(RAG_STYLE[key][0])} {n} ({_pct(n, total)})</title></rect>"
            )
            x += w
        y += bar_height + 16
    return _open(chart_id, width, y, title, _descs(rows)) + "".join(parts) + "</svg>"


def _legend(chart_id: str, x: int, y: int) -> str:
    parts = []
    for key, (label, _colour, _kind) in RAG_STYLE.items():
        parts.append(
            f'<rect x="{x}" y="{y}" width="16" height="16" fill="url(#{chart_id}-{key})" '
            f'stroke="{INK}" stroke-width="1"/>'
        )
        parts.append(_text(x + 22, y + 13, label, size=13))
        x += 30 + len(label) * 7
    return "".join(parts)


def rag_trend(points: Sequence[tuple[str, dict[str, int]]], *, chart_id: str, title: str) -> str:
    """One 100% stacked column per quarter: how RAG shares moved over the strategy."""
    columns = max(1, len(points))
    left, top, plot_height = 44, 40, 220
    col_width = max(18, min(44, 600 // columns))
    gap = 6
    width = max(640, left + columns * (col_width + gap) + 10)
    height = top + plot_height + 70
    descs = []
    for label, counts in points:
        total = sum(counts.values())
        shares = ", ".join(f"{RAG_STYLE[k][0]} {_pct(counts.get(k, 0), total)}" for k in RAG_STYLE)
        descs.append(f"{label}: {shares} of {total} actions.")
    desc = "Share of actions by RAG rating at the end of each quarter. " + " ".join(descs)
    parts = [_open(chart_id, width, height, title, desc), _patterns(chart_id), _legend(chart_id, 0, 4)]
    for share in (0, 25, 50, 75, 100):
        y = top + plot_height - plot_height * share / 100
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - 4}" y2="{y:.1f}" stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(_text(left - 6, y + 5, f"{share}%", anchor="end", size=12))
    for i, (label, counts) in enumerate(points):
        x = left + gap + i * (col_width + gap)
        total = sum(counts.values())
        y = top + plot_height
        for key in _STACK_ORDER:
            n = counts.get(key, 0)
            if not n or not total:
                continue
            h = plot_height * n / total
            y -= h
            parts.append(
                f'<rect x="{x}" y="{y:.1f}" width="{col_width}" height="{h:.1f}" '
                f'fill="url(#{chart_id}-{key})" stroke="{INK}" stroke-width="0.75">'
                f"<title>{escape(label)}: {escape(RAG_STYLE[key][0])} {n} ({_pct(n, total)})</title></rect>"
            )
        cx, cy = x + col_width / 2, top + plot_height + 12
        parts.append(
            f'<text x="{cx:.1f}" y="{cy}" font-size="11" fill="{INK}" text-anchor="end" '
            f'transform="rotate(-60 {cx:.1f} {cy})">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
