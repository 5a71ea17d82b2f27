"""axe-core accessibility checks (the axe.min.js that axe-playwright-python ships)."""

import json
from pathlib import Path

import axe_playwright_python

AXE_JS = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()


def serious_violations(page) -> list[str]:
    """Rules with serious or critical impact that the current page violates."""
    page.evaluate(AXE_JS)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + json.dumps([(n["target"], n.get("failureSummary", "")[:200]) for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def assert_accessible(page) -> None:
    """No serious or critical axe-core violations on the current page."""
    assert serious_violations(page) == []
