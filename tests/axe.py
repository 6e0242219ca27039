"""The WCAG 2.1 AA scan: axe-core (from npm, pinned in package-lock.json, installed by
`scripts/setup.sh node`; no CDN) run inside a Playwright page of Debian's Chromium.

    async with chromium_page(1280, 900) as page:
        await page.goto(url)
        await assert_accessible(page, "console queue")

Fails on any serious or critical violation; minor and moderate ones are reported by
`violations()` for whoever wants to look. The script is evaluated through the DevTools
protocol, so a Content-Security-Policy without inline scripts does not block it."""

from __future__ import annotations

from pathlib import Path

import pytest

AXE_JS = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = ("serious", "critical")


def axe_source() -> str:
    if not AXE_JS.is_file():
        pytest.fail(f"axe-core is missing at {AXE_JS}: run `make test-tools` (scripts/setup.sh node)")
    return AXE_JS.read_text(encoding="utf-8")


async def violations(page, impacts: tuple[str, ...] = FAILING_IMPACTS) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now, of the given impacts."""
    if not await page.evaluate("() => typeof window.axe === 'object'"):
        await page.evaluate(axe_source())
    result = await page.evaluate(
        """(tags) => axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]})
             .then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                                 targets: v.nodes.map(n => n.target.join(" ")),
                                                 summary: v.nodes.length ? v.nodes[0].failureSummary : ""})))""",
        WCAG_21_AA,
    )
    return [v for v in result if v["impact"] in impacts]


def describe(found: list[dict]) -> str:
    return "\n".join(f"- {v['impact']} {v['id']}: {v['help']} at {', '.join(v['targets'][:4])}"
                     f"\n    {v['summary'].splitlines()[-1] if v['summary'] else ''}" for v in found)


async def assert_accessible(page, what: str) -> None:
    """Fail the test when axe-core finds a serious or critical WCAG 2.1 AA violation."""
    found = await violations(page)
    assert not found, f"{what}: {len(found)} serious/critical WCAG 2.1 AA violation(s)\n{describe(found)}"
