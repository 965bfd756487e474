"""A person's view of browsing (headless Chromium): a facet, a document, an item, a download;
and axe-core (vendored) on every page type, with no serious or critical violation."""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook

pytestmark = pytest.mark.slow

AXE = Path(__file__).parent / "fixtures" / "axe" / "axe.min.js"  # axe-core 4.14.1, see SOURCE.md
SCREENSHOT = Path(tempfile.gettempdir()) / "kg-serve-documents.png"
PAGE_TYPES = [
    "/",
    "/documents",
    "/documents?kind=unit&level=5",
    "/search?q=%E5%AE%A2%E8%A8%B4%E8%99%95%E7%90%86",
    "/document/BAS1499-003",
    "/document/BAS1499-003/T1.1",
    "/document/BAS1499-003/K01",
    "/overlap",
    "/overlap?a=KMM5R0915v2&b=BAS1499-003",
    "/cover",
    "/query",
    "/no-such-page",
]
_RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ["violations"]}).then(
  (found) => done(found.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" "))
  }))),
  (error) => done([{id: "axe failed", impact: "critical", help: String(error), nodes: []}]),
);
"""


def test_browse_by_a_facet_open_an_item_and_download_the_list(live_server, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import WebDriverWait

    browser.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    browser.get(live_server)
    browser.find_element(By.LINK_TEXT, "瀏覽 Browse").click()
    WebDriverWait(browser, 30).until(ready.presence_of_element_located((By.ID, "documents")))
    browser.find_element(By.CSS_SELECTOR, 'section[data-facet="kind"] a[data-value="unit"]').click()
    WebDriverWait(browser, 30).until(ready.url_contains("kind=unit"))
    codes = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "#documents tbody td:first-child a")]
    assert codes == ["BGM4R0172v2", "KMM5R0915v2", "TTM3R0299v2"]
    chosen = browser.find_element(By.CSS_SELECTOR, 'section[data-facet="kind"] a.chosen')
    assert chosen.get_attribute("aria-current") == "true"
    shot = tmp_path / "documents.png"
    assert browser.save_screenshot(str(shot))
    shutil.copyfile(shot, SCREENSHOT)

    browser.find_element(By.ID, "download-xlsx").click()
    target = tmp_path / "documents.xlsx"
    deadline = time.monotonic() + 30
    while not target.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    sheet = load_workbook(target).active
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == codes
    assert sheet["A1"].value == "代碼 Code"

    browser.find_element(By.LINK_TEXT, "KMM5R0915v2").click()
    WebDriverWait(browser, 30).until(ready.presence_of_element_located((By.ID, "document-table")))
    browser.find_element(By.CSS_SELECTOR, 'a[href$="/document/KMM5R0915v2/T1"]').click()
    WebDriverWait(browser, 30).until(ready.presence_of_element_located((By.ID, "closest")))
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("T1")


def test_no_page_type_has_a_serious_accessibility_violation(live_server, browser):
    axe = AXE.read_text(encoding="utf-8")
    browser.set_script_timeout(60)
    found = {}
    for path in PAGE_TYPES:
        browser.get(live_server + path)
        browser.execute_script(axe)
        violations = browser.execute_async_script(_RUN_AXE)
        serious = [v for v in violations if v["impact"] in ("serious", "critical")]
        if serious:
            found[path] = serious
    assert found == {}, json.dumps(found, ensure_ascii=False, indent=1)


def test_the_sparql_editor_highlights_completes_prefixes_and_runs(live_server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(f"{live_server}/query?name=tasks-level-5-and-up")
    WebDriverWait(browser, 30).until(ready.presence_of_element_located((By.CSS_SELECTOR, ".CodeMirror")))
    assert browser.find_elements(By.CSS_SELECTOR, ".CodeMirror .cm-keyword")  # SELECT, WHERE ... highlighted
    browser.execute_script("window.kgEditor.setValue(''); window.kgEditor.focus();")
    editor_input = browser.switch_to.active_element
    editor_input.send_keys("sk")
    hints = WebDriverWait(browser, 10).until(
        ready.presence_of_all_elements_located((By.CSS_SELECTOR, ".CodeMirror-hints li"))
    )
    assert [h.text.split()[0] for h in hints] == ["skos:"]
    editor_input.send_keys(Keys.ENTER)  # takes the completion
    assert browser.execute_script("return window.kgEditor.getValue();") == "skos:"
    query = "SELECT ?code WHERE { ?task a kg:Task ; kg:code ?code } ORDER BY ?code LIMIT 3"
    browser.execute_script("window.kgEditor.setValue(arguments[0]);", query)
    browser.switch_to.active_element.send_keys(Keys.CONTROL, Keys.ENTER)
    WebDriverWait(browser, 30).until(ready.presence_of_element_located((By.ID, "results")))
    cells = [td.text for td in browser.find_elements(By.CSS_SELECTOR, "#results tbody td")]
    assert cells == sorted(cells) and len(cells) == 3
