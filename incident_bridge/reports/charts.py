"""Charts drawn on the server as SVG (the product runs offline: no chart library from a CDN).

Every label is escaped: body and executor names are data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, LABEL_W, BAR_H, GAP = 720, 260, 14, 10
NOW_COLOUR, BEFORE_COLOUR = "#2f6fb3", "#b8c7d9"
FEEDBACK_COLOURS = {"satisfied": "#3c8d40", "neutral": "#b9b9b9", "dissatisfied": "#c0392b"}


@dataclass(frozen=True, slots=True)
class Bar:
    """One row: a share (0..1) now, the period before's, and the text printed after it."""

    label: str
    now: float
    before: float | None
    text: str


def bars(title: str, rows: Sequence[Bar], *, legend: tuple[str, str]) -> Markup:
    """Horizontal bars of shares, this period over the one before."""
    span = WIDTH - LABEL_W - 90
    row_h = 2 * BAR_H + GAP
    height = 30 + row_h * max(1, len(rows)) + 24
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{WIDTH}" '
        f'height="{height}" viewBox="0 0 {WIDTH} {height}"><title>{escape(title)}</title>'
    ]
    for i, row in enumerate(rows):
        y = 24 + i * row_h
        parts.append(
            f'<text x="{LABEL_W - 8}" y="{y + BAR_H + 2}" text-anchor="end" '
            f'font-size="12">{escape(_short(row.label))}</text>'
        )
        parts.append(_rect(LABEL_W, y, span * _clip(row.now), NOW_COLOUR, row.text))
        parts.append(
            f'<text x="{LABEL_W + span * _clip(row.now) + 6:.1f}" y="{y + BAR_H - 3}" '
            f'font-size="11">{escape(row.text)}</text>'
        )
        if row.before is not None:
            parts.append(_rect(LABEL_W, y + BAR_H, span * _clip(row.before), BEFORE_COLOUR, ""))
    legend_y = height - 8
    parts.append(_legend(LABEL_W, legend_y, NOW_COLOUR, legend[0]))
    parts.append(_legend(LABEL_W + 220, legend_y, BEFORE_COLOUR, legend[1]))
    parts.append("</svg>")
    return Markup("".join(parts))


def stacked(
    title: str, rows: Sequence[tuple[str, dict[str, int]]], labels: dict[str, str]
) -> Markup:
    """One bar per row split by the feedback values (доволен / нейтрален / недоволен)."""
    span = WIDTH - LABEL_W - 20
    height = 30 + (BAR_H + GAP) * max(1, len(rows)) + 24
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{WIDTH}" '
        f'height="{height}" viewBox="0 0 {WIDTH} {height}"><title>{escape(title)}</title>'
    ]
    for i, (label, counts) in enumerate(rows):
        y = 24 + i * (BAR_H + GAP)
        parts.append(
            f'<text x="{LABEL_W - 8}" y="{y + BAR_H - 2}" text-anchor="end" '
            f'font-size="12">{escape(_short(label))}</text>'
        )
        whole, x = sum(counts.values()), float(LABEL_W)
        for key, colour in FEEDBACK_COLOURS.items():
            n = counts.get(key, 0)
            if whole and n:
                w = span * n / whole
                parts.append(_rect(x, y, w, colour, f"{labels[key]}: {n}"))
                x += w
    x = LABEL_W
    for key, colour in FEEDBACK_COLOURS.items():
        parts.append(_legend(x, height - 8, colour, labels[key]))
        x += 150
    parts.append("</svg>")
    return Markup("".join(parts))


def _rect(x: float, y: float, w: float, colour: str, tip: str) -> str:
    title = f"<title>{escape(tip)}</title>" if tip else ""
    return (
        f'<rect x="{x:.1f}" y="{y}" width="{max(w, 0):.1f}" height="{BAR_H}" '
        f'fill="{colour}">{title}</rect>'
    )


def _legend(x: float, y: float, colour: str, text: str) -> str:
    return (
        f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{colour}"></rect>'
        f'<text x="{x + 18}" y="{y}" font-size="12">{escape(text)}</text>'
    )


def _clip(value: float) -> float:
    return min(1.0, max(0.0, value))


def _short(text: str, limit: int = 38) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
