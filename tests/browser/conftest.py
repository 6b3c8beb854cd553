"""Fixtures of the browser tests: one JupyterLab and one headless Chromium per session, a fresh page per test.

Without Chromium (or Playwright) the tests are skipped with the reason, unless ``GANLIB_REQUIRE_BROWSER=1``
(set by ``make test-browser``), which makes that a failure. The whole session is bounded by
``GANLIB_BROWSER_SESSION_LIMIT`` seconds (default 900): past it a watchdog kills JupyterLab, and every
test still waiting fails.
"""

from __future__ import annotations

import os
import re
import threading

import pytest
from labdriver import JupyterLabServer, find_chromium, screenshot_dir

SESSION_LIMIT = float(os.environ.get("GANLIB_BROWSER_SESSION_LIMIT", "900"))
_SCREENSHOTS: list = []


def _unavailable(reason: str):
    message = f"{reason}; the browser tests need it (Debian: `apt-get install chromium`; pip: playwright)."
    if os.environ.get("GANLIB_REQUIRE_BROWSER") == "1":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright (no browser download: ``executable_path``)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed")
    executable = find_chromium()
    if executable is None:
        _unavailable(
            "Chromium is not installed (no `chromium` on PATH, no /usr/bin/chromium, no file at $GANLIB_CHROMIUM)"
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def lab(browser, tmp_path_factory):
    """JupyterLab on 127.0.0.1 in smoke mode, serving a copy of the notebooks; always shut down."""
    server = JupyterLabServer(tmp_path_factory.mktemp("jupyterlab"))
    watchdog = threading.Timer(SESSION_LIMIT, server.kill)
    watchdog.daemon = True
    try:
        server.start()
        watchdog.start()
        yield server
    finally:
        watchdog.cancel()
        server.stop()


@pytest.fixture(scope="session")
def screenshots():
    """``save(locator_or_page, name)``: a PNG in the session's screenshot folder; its path is returned."""
    folder = screenshot_dir()

    def save(target, name: str):
        path = folder / f"{name}.png"
        target.screenshot(path=str(path))
        _SCREENSHOTS.append(path)
        return path

    return save


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture
def page(browser, lab, screenshots, request):
    """A fresh browser page; on failure a screenshot of it is kept; afterwards the lesson's kernel stops."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    new_page = context.new_page()
    new_page.set_default_timeout(60_000)
    try:
        yield new_page
    finally:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            try:
                screenshots(new_page, "FAILED-" + re.sub(r"[^\w.-]+", "_", request.node.name))
            except Exception:  # a broken page must not hide the test's own failure
                pass
        context.close()
        lab.shutdown_kernels()


def pytest_terminal_summary(terminalreporter):
    if _SCREENSHOTS:
        terminalreporter.write_sep("-", "browser screenshots")
        for path in _SCREENSHOTS:
            terminalreporter.write_line(str(path))
