"""A curriculum designer's view: headless Chromium pastes an outline on /cover and sees the gaps."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow

OUTLINE = (
    "# 客服主管班\n- 編列年度營運預算與資本支出\n- 客訴案件的處理原則與店內政策\n- 期末成果發表與課後問卷\n"
)


def test_an_outline_pasted_on_the_cover_page(live_server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import Select, WebDriverWait

    browser.get(f"{live_server}/cover")
    assert "課程涵蓋" in browser.title
    browser.find_element(By.ID, "course-text").send_keys(OUTLINE)
    Select(browser.find_element(By.ID, "against")).select_by_value("BAS1499-003")
    browser.find_element(By.ID, "cover-submit").click()
    WebDriverWait(browser, 60).until(ready.presence_of_element_located((By.ID, "items-BAS1499-003")))

    summary = browser.find_element(By.ID, "summary-BAS1499-003").text
    assert summary.startswith("covers ") and "no coverage of" in summary
    gaps = browser.find_elements(By.CSS_SELECTOR, "#items-BAS1499-003 tr.gap")
    covered = browser.find_elements(By.CSS_SELECTOR, "#items-BAS1499-003 tr:not(.gap)")
    assert gaps and covered
    shade = gaps[0].find_element(By.TAG_NAME, "td").value_of_css_property("background-color")
    assert shade == "rgba(248, 215, 218, 1)"  # the gap colour of the page's style
    lines = {
        row.find_elements(By.TAG_NAME, "td")[1].text: row.get_attribute("class")
        for row in browser.find_elements(By.CSS_SELECTOR, "#lines tbody tr")
    }
    assert lines["期末成果發表與課後問卷"] == "nomatch"
    assert lines["編列年度營運預算與資本支出"] == ""
    assert browser.find_element(By.ID, "download-xlsx").is_displayed()
