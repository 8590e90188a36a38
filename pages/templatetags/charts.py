"""Server-rendered SVG bar charts: readable at a glance, no JavaScript, the same numbers as the table."""

from __future__ import annotations

import textwrap

from django import template

from pages.selectors.participants import Bar

register = template.Library()

ROW_HEIGHT = 24
LABEL_WIDTH = 220
# A label longer than this wraps onto more lines (the row grows), so "Democratic Republic of the Congo" is
# never cut; at 13 px about 28 characters fill LABEL_WIDTH.
LABEL_CHARS = 26
LINE_HEIGHT = 15
BAR_SPACE = 320
WIDTH = LABEL_WIDTH + BAR_SPACE + 60
# The labels' baseline. Rounded: 24 * 0.65 is 15.600000000000001, written out for every bar of the page.
TEXT_Y = round(ROW_HEIGHT * 0.65, 1)


def label_lines(label: str) -> list[dict]:
    """The label's lines, each with its offset from the row's first line (SVG text does not wrap)."""
    lines = textwrap.wrap(str(label), LABEL_CHARS, break_long_words=True) or [""]
    return [{"text": line, "dy": 0 if index == 0 else LINE_HEIGHT} for index, line in enumerate(lines)]


def row_height(lines: list[dict]) -> int:
    return max(ROW_HEIGHT, ROW_HEIGHT + (len(lines) - 1) * LINE_HEIGHT)


@register.inclusion_tag("pages/_bar_chart.html")
def bar_chart(bars: list[Bar], title: str, chart_id: str) -> dict:
    largest = max((bar.value for bar in bars), default=0) or 1
    rows, y = [], 0
    for bar in bars:
        lines = label_lines(bar.label)
        rows.append(
            {
                "label": bar.label,
                "lines": lines,
                "value": bar.value,
                "y": y,
                "width": max(1, round(bar.value / largest * BAR_SPACE)),
            }
        )
        y += row_height(lines)
    return {
        "rows": rows,
        "title": title,
        "chart_id": chart_id,
        "height": y,
        "width": WIDTH,
        "label_width": LABEL_WIDTH,
        "text_y": TEXT_Y,
        "bar_height": ROW_HEIGHT - 6,
    }


GROUP_GAP = 10


@register.inclusion_tag("pages/_grouped_bar_chart.html")
def grouped_bar_chart(groups: list, title: str, chart_id: str) -> dict:
    """Bars in groups (e.g. agency and officer accounts per edition), each bar labelled with its text."""
    largest = max((bar.value for group in groups for bar in group.bars), default=0) or 1
    rows, y = [], 0
    for group in groups:
        for index, bar in enumerate(group.bars):
            lines = label_lines(group.label) if index == 0 else []
            rows.append(
                {
                    "label": group.label if index == 0 else "",
                    "lines": lines,
                    "series": bar.series,
                    "text": bar.text,
                    "y": y,
                    "width": max(1, round(bar.value / largest * BAR_SPACE)),
                }
            )
            y += row_height(lines)
        y += GROUP_GAP
    return {
        "rows": rows,
        "title": title,
        "chart_id": chart_id,
        "height": max(0, y - GROUP_GAP),
        "width": WIDTH + 120,  # room for "over 250"-style labels
        "label_width": LABEL_WIDTH,
        "text_y": TEXT_Y,
        "bar_height": ROW_HEIGHT - 6,
    }
