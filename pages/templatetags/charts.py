"""Server-rendered SVG bar charts: readable at a glance, no JavaScript, the same numbers as the table."""

from __future__ import annotations

from django import template

from pages.selectors.participants import Bar

register = template.Library()

ROW_HEIGHT = 24
LABEL_WIDTH = 220
BAR_SPACE = 320
WIDTH = LABEL_WIDTH + BAR_SPACE + 60


@register.inclusion_tag("pages/_bar_chart.html")
def bar_chart(bars: list[Bar], title: str, chart_id: str) -> dict:
    largest = max((bar.value for bar in bars), default=0) or 1
    rows = [
        {
            "label": bar.label,
            "value": bar.value,
            "y": index * ROW_HEIGHT,
            "width": max(1, round(bar.value / largest * BAR_SPACE)),
        }
        for index, bar in enumerate(bars)
    ]
    return {
        "rows": rows,
        "title": title,
        "chart_id": chart_id,
        "height": len(rows) * ROW_HEIGHT,
        "width": WIDTH,
        "label_width": LABEL_WIDTH,
        "text_y": ROW_HEIGHT * 0.65,
        "bar_height": ROW_HEIGHT - 6,
    }
