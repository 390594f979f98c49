"""The portal in a real browser (Debian's Chromium driven by Selenium): a clerk signs in, uploads a list with errors,
reads the problems, downloads the marked workbook, sends the list, and after a night sees it judged. Each page is
saved as a screenshot in docs/portal/, which the README shows."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from test_portal import CLERK, OPERATOR, PASSWORD, inbox_files, list_with_errors, portal_workspace

from conftest import run_once
from flows.portal.server import running_portal

SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "portal"
WIDTH = 1000
MAX_HEIGHT = 1400
WAIT_SECONDS = 60

pytestmark = pytest.mark.skipif(
    not (shutil.which("chromedriver") and shutil.which("chromium")),
    reason="needs Debian's chromium and chromium-driver (.ci/run installs them)",
)


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={WIDTH},900"):
        options.add_argument(argument)
    options.add_experimental_option(
        "prefs", {"download.default_directory": str(downloads), "download.prompt_for_download": False}
    )
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(shutil.which("chromedriver")))
    driver.downloads = downloads
    try:
        yield driver
    finally:
        driver.quit()


def wait_for(driver, css: str):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT_SECONDS).until(
        expected_conditions.visibility_of_element_located((By.CSS_SELECTOR, css))
    )


def find(driver, css: str):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, css)


def screenshot(driver, name: str) -> None:
    """The page, WIDTH pixels wide and as tall as it is (a long one cut at MAX_HEIGHT)."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    metrics = {"width": WIDTH, "height": min(height, MAX_HEIGHT), "deviceScaleFactor": 1, "mobile": False}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def sign_in(driver, url: str, login: str) -> None:
    driver.get(f"{url}/dang-nhap")
    wait_for(driver, "#login").send_keys(login)
    find(driver, "#password").send_keys(PASSWORD)
    find(driver, "#sign-in").click()


def test_a_clerk_checks_fixes_nothing_sends_and_sees_the_night_verdict(tmp_path, browser):
    from selenium.webdriver.support.ui import WebDriverWait

    root = portal_workspace(tmp_path)
    upload = list_with_errors(tmp_path / "DS_CBCCVC_2024.xlsx")
    with running_portal(root, "127.0.0.1", 0, "http://127.0.0.1:4200") as url:
        browser.get(f"{url}/dang-nhap")
        wait_for(browser, "#login")
        screenshot(browser, "1-dang-nhap")
        sign_in(browser, url, CLERK[0])
        wait_for(browser, "#current")

        browser.get(f"{url}/kiem-tra")
        wait_for(browser, "#file").send_keys(str(upload))
        screenshot(browser, "2-kiem-tra")
        find(browser, "#check").click()

        table = wait_for(browser, "#problems")
        assert find(browser, "#verdict").text == "Được tiếp nhận, có dòng bị trả lại"
        rows = [row.text for row in table.find_elements("css selector", "tbody tr")]
        assert any("Trần Thị Bình" in row and "07419" in row and "Số định danh" in row for row in rows), rows
        assert any("Lê Văn 3" in row and "Họ và tên" in row for row in rows), rows
        screenshot(browser, "3-ket-qua-kiem-tra")

        find(browser, "#marked").click()
        marked = browser.downloads / "danh-sach-da-danh-dau.xlsx"
        WebDriverWait(browser, WAIT_SECONDS).until(lambda _: marked.is_file())
        assert "Lỗi" in openpyxl.load_workbook(marked).sheetnames

        find(browser, "#send").click()  # not confirmed: the page asks again, nothing is sent
        wait_for(browser, "#send-warning.error")
        assert inbox_files(root, "UB-NV") == []
        find(browser, "#confirm").click()
        find(browser, "#send").click()
        wait_for(browser, "#sent")
        assert [f.read_bytes() for f in inbox_files(root, "UB-NV")] == [upload.read_bytes()]

        run_once(root)
        browser.refresh()
        wait_for(browser, "#submissions")
        [submission] = browser.find_elements("css selector", "tr.submission")
        assert "Được tiếp nhận, có dòng bị trả lại" in submission.text
        assert find(browser, "a.feedback").is_displayed()
        screenshot(browser, "4-don-vi")

        browser.delete_all_cookies()
        sign_in(browser, url, OPERATOR[0])
        table = wait_for(browser, "#agencies")
        assert "UB-NV" in table.text
        screenshot(browser, "5-van-hanh")
