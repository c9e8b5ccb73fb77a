"""Make docs/board.png, the README's picture of the board: the demo calendar, a real `calsync run`, headless Chromium.

Run: .venv/bin/python docs/board_screenshot.py   (needs Debian's chromium and the test extra's playwright)
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.web.conftest import start_calsync, stop_calsync  # noqa: E402
from tests.web.test_board_browser import CHROMIUM, FLAGS  # noqa: E402


def main() -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        running = start_calsync(Path(tmp))
        try:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
            page = browser.new_page(viewport={"width": 420, "height": 1100}, device_scale_factor=1)
            page.goto(running.url)
            page.locator("article", has_text="Acme Robotics").locator("details").first.click()
            out = ROOT / "docs" / "board.png"
            page.screenshot(path=str(out), full_page=False)
            browser.close()
            print(f"wrote {out}")
        finally:
            stop_calsync(running)


if __name__ == "__main__":
    main()
