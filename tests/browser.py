"""A real headless Chromium for the lab's tests, driven by Selenium through Debian's chromedriver.

``needs_browser`` skips a test, with the reason, where Chromium, its driver
or Selenium is missing.  Selenium never downloads a driver here: it is
given ``/usr/bin/chromedriver`` and runs offline.
"""

import base64
import json
import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:  # pragma: no cover - the test extra installs it
    webdriver = None

MISSING = (
    "Selenium is not installed (pip install -e '.[test]')" if webdriver is None
    else "Chromium is not installed (apt-get install chromium)" if CHROMIUM is None
    else "chromedriver is not installed (apt-get install chromium-driver)" if CHROMEDRIVER is None
    else None
)
needs_browser = pytest.mark.skipif(MISSING is not None, reason=MISSING or "")

FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1500,950",
)


class Browser:
    """One Chromium; :meth:`open` loads a page and waits until the lab has drawn it."""

    def __init__(self):
        os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must never look for a driver online
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in FLAGS:
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)

    def open(self, url):
        self.driver.get("about:blank")
        self.driver.get(url)
        self.wait_ready()
        return self

    def wait_ready(self):
        WebDriverWait(self.driver, 30).until(lambda d: d.execute_script("return document.body && document.body.dataset.ready") == "true")

    def run(self, script, *args):
        return self.driver.execute_script(script, *args)

    def state(self):
        return json.loads(self.run("return JSON.stringify(lab.state())"))

    def keys(self, *keys):
        body = self.driver.find_element(By.TAG_NAME, "body")
        for key in keys:
            body.send_keys(getattr(Keys, key))

    def click(self, css):
        """A real mouse click at the middle of the element (whatever is drawn on top of it there gets it)."""
        ActionChains(self.driver).move_to_element(self.driver.find_element(By.CSS_SELECTOR, css)).click().perform()

    def type_into(self, css, text, submit=True):
        box = self.driver.find_element(By.CSS_SELECTOR, css)
        box.clear()
        box.send_keys(text + (Keys.ENTER if submit else ""))

    def current_node(self):
        names = self.run("return [...document.querySelectorAll('#diagram .node.current')].map(g => g.dataset.node)")
        return [int(i) for i in names]

    def errors(self):
        return [entry for entry in self.driver.get_log("browser") if entry["level"] == "SEVERE"]

    def requests(self):
        """Every URL the page asked for since the last call (Chrome's performance log)."""
        urls = []
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] == "Network.requestWillBeSent":
                urls.append(message["params"]["request"]["url"])
        return urls

    def screenshot(self, path):
        path.write_bytes(base64.b64decode(self.driver.get_screenshot_as_base64()))
        return path

    def close(self):
        self.driver.quit()
