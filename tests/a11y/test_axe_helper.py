"""The accessibility scan catches what it must: a page with known WCAG failures fails it, the
same page repaired passes. Without this a scan that silently checked nothing would look green."""

from __future__ import annotations

import pytest

from tests.axe import assert_accessible, violations
from tests.browser import chromium_page

BROKEN = """<!doctype html><html><head><title>Kapot</title></head><body><main>
<h1>Formulier</h1>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<p style="color:#bbb;background:#fff">Lichtgrijze tekst die bijna niemand kan lezen.</p>
<input name="naam">
<button></button>
</main></body></html>"""

REPAIRED = """<!doctype html><html lang="nl"><head><title>Heel</title></head><body><main>
<h1>Formulier</h1>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="Logo van de gemeente">
<p style="color:#333;background:#fff">Donkere tekst die iedereen kan lezen.</p>
<label>Naam <input name="naam"></label>
<button type="button">Versturen</button>
</main></body></html>"""


async def test_the_scan_fails_a_page_with_known_violations():
    async with chromium_page(1280, 800) as page:
        await page.set_content(BROKEN)
        found = {v["id"] for v in await violations(page)}
        assert {"image-alt", "color-contrast", "label", "button-name", "html-has-lang"} <= found
        with pytest.raises(AssertionError, match="image-alt"):
            await assert_accessible(page, "broken page")


async def test_the_scan_passes_the_repaired_page():
    async with chromium_page(1280, 800) as page:
        await page.set_content(REPAIRED)
        await assert_accessible(page, "repaired page")
