"""The built site in a real browser: Playwright driving Debian's Chromium against a local server.

Skipped only when no Chromium is installed and SMM_REQUIRE_BROWSER is unset; .ci/run
installs Chromium and sets it, so CI always runs these tests.
"""
from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading

import pytest

from conftest import PROJECT, copy_sample
from test_site import hostile_post, mkdocs_build

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = PROJECT / "test-artifacts"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]

if not CHROMIUM:
    if os.environ.get("SMM_REQUIRE_BROWSER"):
        raise RuntimeError("SMM_REQUIRE_BROWSER is set but no chromium is installed (apt-get install chromium)")
    pytest.skip("chromium is not installed", allow_module_level=True)

playwright = pytest.importorskip("playwright.sync_api")
axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The sample repository, with one hostile post added, built and served on localhost."""
    root = copy_sample(tmp_path_factory.mktemp("browser") / "sample")
    hostile_post(root)
    out = root.parent / "site"
    result = mkdocs_build(root, out)
    assert result.returncode == 0, result.stderr
    handler = functools.partial(_Quiet, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, served):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.outside_requests = []
    page.dialogs = []
    page.on("request", lambda r: None if r.url.startswith((served, "data:", "blob:"))
            else page.outside_requests.append(r.url))
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    yield page
    context.close()


def test_current_month_shows_its_posts_and_a_click_opens_the_post(page, served):
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(f"{served}/calendar/2026-11.html")
    grid = page.locator("table.smm-calendar")
    assert grid.locator("caption").inner_text().startswith("November 2026")
    assert grid.locator("a", has_text="Stockholm stations, winter opening hours").count() == 1
    assert grid.locator("td.smm-day--today").count() == 1
    page.screenshot(path=str(ARTIFACTS / "calendar-2026-11.png"), full_page=True)
    grid.locator("a", has_text="New station at Rotterdam Centraal").click()
    page.wait_for_load_state()
    assert page.url.endswith("/posts/2026-11-17-rotterdam-centraal-station.html")
    assert page.locator("h1").inner_text() == "New station at Rotterdam Centraal"
    assert page.locator(".smm-copy").first.inner_text().startswith("Nieuw: een gratis watertappunt")
    page.screenshot(path=str(ARTIFACTS / "post-page.png"), full_page=True)
    assert page.outside_requests == []


def test_hostile_post_shows_as_text_and_runs_nothing(page, served):
    page.goto(f"{served}/posts/2026-11-24-hostile.html")
    assert page.locator("h1").inner_text() == '<script>alert("title")</script> & "quotes"'
    assert "<img src=x onerror=alert(1)>" in page.locator(".smm-copy").first.inner_text()
    assert page.locator("a[href^='javascript:']").count() == 0
    page.goto(f"{served}/calendar/2026-11.html")
    page.wait_for_timeout(300)
    assert page.dialogs == []


@pytest.mark.parametrize("path", ["index.html", "calendar/2026-12.html", "posts/2026-11-30-trail-flask-launch-day.html",
                                  "campaigns/trail-flask-launch.html", "personas/commuting-cas.html",
                                  "strategy/channels.html"])
def test_no_serious_accessibility_violations(page, served, path):
    page.goto(f"{served}/{path}")
    results = axe_module.Axe().run(page)
    serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
               for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == []
