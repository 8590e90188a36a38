"""The statistics charts: long labels wrap onto more lines instead of being cut."""

from __future__ import annotations

import re

from django.template import Context, Template

from pages.selectors.participants import Bar

LONG = "Democratic Republic of the Congo"


def render(bars: list[Bar]) -> str:
    template = Template('{% load charts %}{% bar_chart bars "Accounts by country" "by-country" %}')
    return template.render(Context({"bars": bars}))


def test_a_long_country_name_wraps_and_is_never_cut():
    svg = render([Bar(label=LONG, value=3), Bar(label="Chad", value=1)])
    label = re.search(r'<text [^>]*class="bar-label">(.*?)</text>', svg, re.S).group(1)
    lines = re.findall(r"<tspan [^>]*>([^<]*)</tspan>", label)
    assert len(lines) == 2 and " ".join(lines) == LONG
    assert "…" not in svg
    # The next row starts below both lines, and the chart is tall enough for them.
    offsets = [int(y) for y in re.findall(r'<g transform="translate\(0 (\d+)\)"', svg)]
    assert offsets == [0, 39]
    assert 'viewBox="0 0 600 63"' in svg


def test_short_labels_keep_one_line_per_row():
    svg = render([Bar(label="Chad", value=1), Bar(label="Peru", value=2)])
    assert re.findall(r'<g transform="translate\(0 (\d+)\)"', svg) == ["0", "24"]
