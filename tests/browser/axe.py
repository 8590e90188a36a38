"""axe-core in the browser tests: the copy of axe.min.js that the axe-playwright-python package ships.

The script is evaluated through Playwright (the DevTools protocol), not added as a <script> element, so
the page's Content Security Policy stays in force and the CSP watcher of conftest.py keeps reporting the
page's own violations only.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import axe_playwright_python

# Every rule axe runs by default (WCAG 2.0/2.1/2.2 A and AA and axe's best practices), nothing turned off,
# and target-size (WCAG 2.2 AA 2.5.8: touch targets of 24 by 24 px), which axe leaves off by default and
# Lighthouse turns on.
RUN_AXE = """
async () => {
  const results = await window.axe.run(document, {
    resultTypes: ["violations"],
    rules: {"target-size": {enabled: true}},
  });
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(" ")}: ${n.failureSummary.replace(/\\s+/g, " ")}`),
    count: v.nodes.length,
  }));
}
"""


@cache
def axe_source() -> str:
    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


def axe_violations(page) -> list[str]:
    """Run axe-core on the page as it is now; one line per violated rule, with up to five of its nodes."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source() + "\n;undefined")
    found = page.evaluate(RUN_AXE)
    return [
        f"{v['id']} ({v['impact']}, {v['count']} node(s)): {v['help']}\n    " + "\n    ".join(v["nodes"])
        for v in found
    ]
