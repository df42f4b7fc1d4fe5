"""The app's page inside BigCommerce's control panel, in a real browser (Debian's Chromium, headless):
the control panel (another site than the hub) frames the app's load link; the settings page renders
in the frame, is navigable there without any cookie, and a page not allowed to frame it is refused by
the browser itself (Content-Security-Policy frame-ancestors)."""

from __future__ import annotations

from typing import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.bigcommerce.conftest import STORE, World, tee
from tests.support.hosted import wait_until

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture()
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def test_the_settings_page_works_inside_the_control_panels_frame_without_cookies(world: World,
                                                                                 browser: Browser) -> None:
    world.installed()
    world.fake.save_product(STORE, tee(501))
    world.wait(lambda: world.snapshot(501), "product at the hub")
    context = browser.new_context()
    page = context.new_page()
    page.goto(world.fake.control_panel_url(STORE))
    frame = page.frame_locator("#app")
    frame.get_by_role("heading", name="Overview").wait_for(timeout=15_000)
    frame.get_by_role("link", name="Products").first.click()
    frame.get_by_role("heading", name="Products").wait_for(timeout=15_000)
    assert "Organic Cotton Crew Neck T-shirt 501" in frame.locator("body").inner_text()
    assert context.cookies(world.hub_url) == []  # the session travels in the links, never in a cookie
    context.close()


def test_a_page_that_is_not_the_stores_control_panel_cannot_frame_it(world: World, browser: Browser) -> None:
    world.installed()
    context = browser.new_context()
    page = context.new_page()
    # The control panel's own page, but served under another origin than the one the hub allows.
    elsewhere = world.fake.control_panel_url(STORE).replace("http://localhost:", "http://127.0.0.1:")
    page.goto(elsewhere)

    def child() -> str:
        frames = [f for f in page.frames if f is not page.main_frame]
        return frames[0].url if frames else ""

    # The hub answered, and the browser replaced the framed page with its error page.
    blocked = wait_until(lambda: child().startswith("chrome-error:") and child(), 15, what="frame blocked",
                         detail=child)
    assert blocked and "Overview" not in [f for f in page.frames if f is not page.main_frame][0].content()
    context.close()
