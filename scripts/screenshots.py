"""Screenshots of the main pages for the README (docs/screenshots/), taken with Debian's
Chromium through Playwright, as a new user sees them: staff at 1366x768, the portal at
1366x768 and at a phone's 390x844.

    .venv/bin/python scripts/screenshots.py                 # its own demo server
    .venv/bin/python scripts/screenshots.py --base http://127.0.0.1:8000   # a running one

Without --base it makes a throwaway demo: a SQLite database in a temporary folder,
`migrate`, `seed_demo`, `runserver` on a free port with STAFF_OTP_REQUIRED=false (the demo
users have no authenticator app), and stops the server when done. Each PNG is kept under
250 KB (reduced to 256 colours when larger)."""

import argparse
import datetime
import io
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PASSWORD = "demo-pass-2026"  # noqa: S105 - agency.demo.DEMO_PASSWORD, the demo users' own
WIDE = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
MAX_BYTES = 250_000
SHANGHAI = ZoneInfo("Asia/Shanghai")



def id_number(first17: str) -> str:
    """A resident ID number with its check character (GB 11643, ISO 7064 MOD 11-2)."""
    total = sum(int(d) * (2 ** (17 - i) % 11) for i, d in enumerate(first17))
    return first17 + "10X98765432"[total % 11]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310 - http://127.0.0.1
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


@contextmanager
def demo_server(db: Path | None) -> Iterator[str]:
    """A seeded demo on a free port; the server is stopped (by its own pid) on the way out."""
    folder = Path(tempfile.mkdtemp(prefix="screenshots-"))
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db or folder / 'demo.sqlite3'}",
           "MEDIA_ROOT": str(folder / "media"), "STAFF_OTP_REQUIRED": "false",
           "DJANGO_ALLOW_DEMO": "true"}
    for command in (["migrate", "--noinput", "-v", "0"], ["seed_demo"]):
        subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True)
    port = free_port()
    log = (folder / "server.log").open("w")
    server = subprocess.Popen([PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}",
                               "--noreload"], cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/healthz")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


def small_png(path: Path) -> None:
    """Reduce a PNG over MAX_BYTES to 256 colours (text and flat colours survive it)."""
    if path.stat().st_size <= MAX_BYTES:
        return
    from PIL import Image

    with Image.open(path) as image:
        reduced = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    reduced.save(path, optimize=True)


def roster_bytes() -> bytes:
    """The roster an HR manager might upload with one mistake (a city that does not exist,
    on row 3): the page lists it against its row and imports nothing."""
    from openpyxl import Workbook

    today = datetime.datetime.now(SHANGHAI).date()
    starts = f"{today.year + today.month // 12}-{today.month % 12 + 1:02d}-01"  # next month
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in (
        ["姓名", "身份证号码", "增减员类型", "参保城市", "户籍性质", "缴费基数", "生效日期"],
        ["周杰", id_number("11010519900101123"), "增员", "上海", "城镇本地", "9000", starts],
        ["吴敏", id_number("31011519920304567"), "增员", "火星", "农村外地", "最低", starts],
    ):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class Camera:
    def __init__(self, browser: Any, base: str, out: Path) -> None:
        self.browser, self.base, self.out = browser, base, out
        self.saved: list[Path] = []

    def session(self, face: str, username: str, viewport: dict[str, int]) -> Any:
        context = self.browser.new_context(locale="zh-CN", viewport=viewport)
        page = context.new_page()
        page.goto(f"{self.base}/{face}/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录", exact=True).click()
        page.wait_for_url(f"{self.base}/{face}/")
        return page

    def shoot(self, page: Any, name: str, url: str | None = None) -> None:
        if url is not None:
            page.goto(self.base + url)
        page.wait_for_load_state("networkidle")
        path = self.out / f"{name}.png"
        page.screenshot(path=str(path))
        small_png(path)
        self.saved.append(path)

    def first_link(self, page: Any, url: str, pattern: str) -> str:
        """The first link on `url` whose address matches `pattern` (a list's first row)."""
        page.goto(self.base + url)
        hrefs = page.eval_on_selector_all("main a[href], table a[href]",
                                          "links => links.map(a => a.getAttribute('href'))")
        for href in hrefs:
            if re.fullmatch(pattern, href or ""):
                return str(href)
        raise SystemExit(f"no link like {pattern} on {url}")


def take(base: str, out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--lang=zh-CN",
                  "--disable-background-networking", "--disable-component-update"])
        camera = Camera(browser, base, out)

        staff = camera.session("staff", "manager", WIDE)
        camera.shoot(staff, "staff-dashboard")
        camera.shoot(staff, "staff-work-queue", "/staff/orders/queue/")
        camera.shoot(staff, "staff-person",
                     camera.first_link(staff, "/staff/persons/", r"/staff/persons/\d+/"))
        camera.shoot(staff, "staff-bill", camera.first_link(
            staff, "/staff/billing/bills/?month=", r"/staff/billing/bills/\d+/"))
        staff.context.close()

        portal = camera.session("portal", "qiming-hr", WIDE)
        camera.shoot(portal, "portal-dashboard")
        camera.shoot(portal, "portal-new-order", "/portal/orders/new/")
        portal.goto(f"{base}/portal/orders/upload/")
        portal.locator("input[type=file]").set_input_files(files=[{
            "name": "增减员名单.xlsx", "buffer": roster_bytes(),
            "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
        portal.get_by_role("button", name="上传", exact=True).click()
        portal.get_by_test_id("upload-errors").wait_for()
        camera.shoot(portal, "portal-upload-errors")
        portal.context.close()

        phone = camera.session("portal", "qiming-hr", PHONE)
        camera.shoot(phone, "portal-dashboard-phone")
        camera.shoot(phone, "portal-bills-phone", "/portal/billing/bills/")
        phone.context.close()
        browser.close()
    return camera.saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", help="a running server (else a throwaway demo is started)")
    parser.add_argument("--db", type=Path,
                        help="SQLite file for the throwaway demo (kept; seeded if new)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    if args.base:
        saved = take(args.base.rstrip("/"), args.out)
    else:
        with demo_server(args.db) as base:
            saved = take(base, args.out)
    total = sum(p.stat().st_size for p in saved)
    for path in saved:
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}"
              f"  {path.stat().st_size // 1024} KB")
    print(f"{len(saved)} screenshots, {total // 1024} KB in all")
    if total > 10 * MAX_BYTES:
        sys.exit("the screenshots are larger than 2.5 MB in all")


if __name__ == "__main__":
    main()
