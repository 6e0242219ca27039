"""Debian's Chromium driven by Playwright (no browser download), shared by the page tests.

In a test session one Chromium serves every page (tests/conftest.py's `one_chromium`): starting
Playwright and Chromium takes 1-2 s, a new browser context (its own cookies, storage and
viewport, as a fresh browser has) takes milliseconds. Elsewhere (scripts/) each page gets its
own browser."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
_shared: dict[str, Any] = {}  # "loop" while one_browser() runs; "playwright", "browser" once started


async def _launch(playwright):
    return await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


@contextlib.asynccontextmanager
async def one_browser():
    """Within this block, every chromium_page on this event loop shares one Chromium."""
    _shared["loop"] = asyncio.get_running_loop()
    try:
        yield
    finally:
        loop = _shared.pop("loop")
        browser, playwright = _shared.pop("browser", None), _shared.pop("playwright", None)
        if loop is asyncio.get_running_loop():
            if browser is not None:
                await browser.close()
            if playwright is not None:
                await playwright.stop()


async def _shared_browser():
    from playwright.async_api import async_playwright

    if "playwright" not in _shared:
        _shared["playwright"] = await async_playwright().start()
    browser = _shared.get("browser")
    if browser is None or not browser.is_connected():  # the first page, or Chromium died
        _shared["browser"] = browser = await _launch(_shared["playwright"])
    return browser


@contextlib.asynccontextmanager
async def chromium_page(width: int = 390, height: int = 844):
    """A page in headless Chromium, in a context of its own; the default size is a phone's."""
    from playwright.async_api import async_playwright

    if not shutil.which("chromium") and not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is missing: run `make system-packages`")
    if _shared.get("loop") is asyncio.get_running_loop():
        context = await (await _shared_browser()).new_context(viewport={"width": width, "height": height})
        try:
            yield await context.new_page()
        finally:
            await context.close()
        return
    async with async_playwright() as playwright:
        browser = await _launch(playwright)
        try:
            context = await browser.new_context(viewport={"width": width, "height": height})
            yield await context.new_page()
        finally:
            await browser.close()
