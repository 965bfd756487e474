"""A person's view: headless Chromium (Debian's chromium and chromium-driver) on the search page."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

# A fixed place for the screenshot as well, to look at after a run.
SCREENSHOT = Path(tempfile.gettempdir()) / "kg-serve-search.png"
OVERLAP_SCREENSHOT = Path(tempfile.gettempdir()) / "kg-serve-overlap.png"


def test_a_question_typed_into_the_search_page(live_server, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(f"{live_server}/search")
    assert "搜尋" in browser.title
    box = browser.find_element(By.ID, "q")
    box.send_keys("哪些單元涵蓋客訴處理")
    browser.find_element(By.ID, "submit").click()
    WebDriverWait(browser, 30).until(ready.presence_of_element_located((By.ID, "results")))

    assert "q=" in browser.current_url
    # 單元 asks for units: the three units answer, and a chip says so (issue 14)
    assert browser.find_elements(By.CSS_SELECTOR, "span.chip[data-part='document_kinds']")
    hits = browser.find_elements(By.CSS_SELECTOR, "li.document-hit")
    assert len(hits) == 3
    first = hits[0].find_element(By.CSS_SELECTOR, "a.doc-title")
    assert first.text == "提昇優質客戶服務" and first.get_attribute("href").endswith("/document/TTM3R0299v2")
    marked = [m.text for m in browser.find_elements(By.CSS_SELECTOR, "ul.evidence mark")]
    assert "客訴" in marked  # TTM3R0299v2 N3: 客訴與爭議管理
    assert browser.find_element(By.ID, "q").get_attribute("value") == "哪些單元涵蓋客訴處理"

    shot = tmp_path / "search.png"
    assert browser.save_screenshot(str(shot))
    shutil.copyfile(shot, SCREENSHOT)
    assert shot.stat().st_size > 20_000

    first.click()  # on to the document's table
    WebDriverWait(browser, 30).until(ready.presence_of_element_located((By.ID, "document-table")))
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("提昇優質客戶服務")


def test_the_overlap_matrix_leads_to_the_item_pairs(live_server, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(f"{live_server}/search")
    browser.find_element(By.LINK_TEXT, "重疊 Overlap").click()
    WebDriverWait(browser, 30).until(ready.presence_of_element_located((By.ID, "matrix")))
    cell = browser.find_element(By.CSS_SELECTOR, 'td.cell[title^="KMM5R0915v2 → BAS1499-003"] a')
    assert cell.text.endswith("%") and int(cell.text[:-1]) > 80  # 88% here
    shot = tmp_path / "overlap.png"
    assert browser.save_screenshot(str(shot))
    shutil.copyfile(shot, OVERLAP_SCREENSHOT)
    assert shot.stat().st_size > 20_000

    cell.click()
    WebDriverWait(browser, 30).until(ready.presence_of_element_located((By.ID, "pairs")))
    assert "18/18" in browser.find_element(By.ID, "incorporation").text
    first = browser.find_elements(By.CSS_SELECTOR, "#pairs tbody tr")[0]
    assert first.find_element(By.CSS_SELECTOR, "span.relation").text == "完全對應 exact"
    first.find_element(By.CSS_SELECTOR, "a.code").click()  # on to the unit's item
    WebDriverWait(browser, 30).until(ready.presence_of_element_located((By.ID, "closest")))
    assert "KMM5R0915v2" in browser.current_url
