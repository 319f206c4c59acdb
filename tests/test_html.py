"""The HTML training viewer: one self-contained file, driven in a real headless Chromium."""

import base64
import fcntl
import json
import os
import re
import select
import shutil
import subprocess
import time

import pytest

import nodenet
from nodenet.html import choose_epochs

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed (apt-get install graphviz)")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")
pytestmark = [pytest.mark.dot, needs_dot]

REPLY_LIMIT_SECONDS = 60
X = [[0.5, 0.2, 0.7]]
Y = [[0.3]]


@pytest.fixture(scope="module")
def history():
    net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    return net.fit(X, Y, epochs=200, lr=0.2, record_every=2)


@pytest.fixture(scope="module")
def page(history, tmp_path_factory):
    return nodenet.export_html(history, tmp_path_factory.mktemp("viewer") / "training.html")


def frames(path):
    text = path.read_text(encoding="utf-8")
    return json.loads(re.search(r"const frames = (\[.*?\]);\n", text).group(1).replace("<\\/", "</"))


def test_the_page_is_one_self_contained_file(page):
    text = page.read_text(encoding="utf-8")
    assert "http" not in text and "//" not in re.sub(r"<script>.*</script>", "", text, flags=re.S)
    assert not re.search(r"\b(src|href)\s*=", text)
    assert text.count("<script>") == 1 and "<script src" not in text
    assert text.count('<svg id="loss-curve"') == 1


def test_default_frames_are_fifty_evenly_spaced_recorded_epochs(page, history):
    shown = [frame["epoch"] for frame in frames(page)]
    assert len(shown) == 50 and shown[0] == 0 and shown[-1] == 200
    assert set(shown) <= set(history.recorded_epochs.tolist())
    assert max(b - a for a, b in zip(shown, shown[1:])) <= 6


def test_each_frame_is_the_annotated_diagram_of_its_epoch(page, history):
    for frame in frames(page)[::10]:
        snapshot = history.network_at(frame["epoch"])
        assert frame["svg"].startswith("<svg") and f"epoch {frame['epoch']}" in frame["svg"]
        assert f"λ1,4 = {snapshot.connection('I1', 'H4').weight:.3g}" in frame["svg"]
        assert f"O6 = {snapshot['O6'].post:.3g}" in frame["svg"]
        assert f"prediction O6 = {snapshot['O6'].post:.4g} (target 0.3)" in frame["details"]


def test_chosen_epochs_and_sample(history, tmp_path):
    path = nodenet.export_html(history, tmp_path / "two.html", epochs=[200, 0], sample=([1.0, 0.0, 0.0], [0.5]))
    shown = frames(path)
    assert [frame["epoch"] for frame in shown] == [0, 200]
    assert "I1 = 1<" in shown[0]["svg"] and "(target 0.5)" in shown[0]["details"]
    assert "after the last update" in shown[1]["details"]


def test_an_unrecorded_epoch_names_the_nearest(history, tmp_path):
    with pytest.raises(nodenet.InvalidArgument, match=r"Epoch 7 was not recorded; the nearest recorded epochs are 6 and 8"):
        nodenet.export_html(history, tmp_path / "bad.html", epochs=[0, 7])
    assert not (tmp_path / "bad.html").exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"epochs": []}, "epochs is empty; pass at least one recorded epoch, or None for evenly spaced ones."),
        ({"epochs": ["a"]}, "epochs must be a list of recorded epoch numbers; got ['a']."),
        ({"sample": [1.0, 0.0, 0.0]}, "sample must be an (x, y) pair of one sample's inputs and targets; got [1.0, 0.0, 0.0]."),
    ],
)
def test_bad_options(history, tmp_path, options, message):
    with pytest.raises(nodenet.InvalidArgument) as err:
        nodenet.export_html(history, tmp_path / "bad.html", **options)
    assert str(err.value) == message


def test_choose_epochs_keeps_first_and_last():
    assert choose_epochs(list(range(0, 1001, 7)) + [1001], limit=4) == [0, 336, 665, 1001]
    assert choose_epochs([0, 1, 2]) == [0, 1, 2]


class Chromium:
    """A headless Chromium driven through the DevTools protocol over a pipe (no extra packages)."""

    def __init__(self, url, profile):
        to_browser, self._writer = os.pipe()
        self._reader, from_browser = os.pipe()
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 100) for fd in (to_browser, from_browser)]

        def hand_over_pipes():  # the protocol pipe is fd 3 (commands) and fd 4 (replies)
            os.dup2(high[0], 3)
            os.dup2(high[1], 4)

        command = [
            CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
            "--remote-debugging-pipe", "--window-size=1400,900", url,
        ]
        self.process = subprocess.Popen(command, preexec_fn=hand_over_pipes, close_fds=False,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for fd in (to_browser, from_browser, *high):
            os.close(fd)
        self._next_id, self._buffer = 0, b""
        try:
            targets = self.send("Target.getTargets")["targetInfos"]
            page = next(t for t in targets if t["type"] == "page")
            self.session = self.send("Target.attachToTarget", targetId=page["targetId"], flatten=True)["sessionId"]
        except BaseException:
            self.close()
            raise

    def send(self, method, session=None, **params):
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._writer, json.dumps(message).encode() + b"\0")
        while True:
            while b"\0" not in self._buffer:
                if not select.select([self._reader], [], [], REPLY_LIMIT_SECONDS)[0]:
                    raise RuntimeError(f"Chromium sent no reply to {method} within {REPLY_LIMIT_SECONDS} s")
                chunk = os.read(self._reader, 1 << 20)
                if not chunk:
                    raise RuntimeError(f"Chromium closed the protocol pipe while waiting for {method}")
                self._buffer += chunk
            raw, self._buffer = self._buffer.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]

    def page(self, method, **params):
        return self.send(method, session=self.session, **params)

    def evaluate(self, expression):
        return self.page("Runtime.evaluate", expression=expression, returnByValue=True)["result"].get("value")

    def wait_until_loaded(self):
        for _ in range(200):  # a bounded wait for the load event, not a timing assertion
            if self.evaluate("document.readyState") == "complete" and self.evaluate("!!document.querySelector('#diagram svg')"):
                return
            time.sleep(0.05)
        raise RuntimeError("the page did not finish loading")

    def state(self):
        return self.evaluate(
            "JSON.stringify({epoch: document.getElementById('epoch').textContent,"
            " slider: document.getElementById('epoch-slider').value,"
            " title: document.querySelector('#diagram svg .graph > text').textContent,"
            " diagram: document.getElementById('diagram').innerHTML,"
            " marker: document.getElementById('epoch-marker').getAttribute('x1')})"
        )

    def click(self, x, y):
        for kind in ("mousePressed", "mouseReleased"):
            self.page("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1)

    def key(self, name, code):
        for kind in ("keyDown", "keyUp"):
            self.page("Input.dispatchKeyEvent", type=kind, key=name, code=name, windowsVirtualKeyCode=code)

    def close(self):
        try:
            self.send("Browser.close")
        except (RuntimeError, OSError):
            self.process.kill()
        finally:
            os.close(self._writer)
            os.close(self._reader)
            self.process.wait(timeout=REPLY_LIMIT_SECONDS)


@pytest.fixture
def browser(page, tmp_path):
    instances = []

    def open_page(fragment=""):
        instance = Chromium(page.as_uri() + fragment, tmp_path / f"profile{len(instances)}")
        instances.append(instance)
        instance.wait_until_loaded()
        return instance

    yield open_page
    for instance in instances:
        instance.close()


@needs_chromium
def test_moving_the_slider_changes_the_epoch_and_the_diagram(browser, page, tmp_path):
    chrome = browser()
    start = json.loads(chrome.state())
    assert (start["epoch"], start["slider"], start["title"]) == ("0", "0", "epoch 0")
    assert "λ1,4 = 0.321" in start["diagram"]

    box = chrome.evaluate("JSON.stringify(document.getElementById('epoch-slider').getBoundingClientRect())")
    box = json.loads(box)
    chrome.click(box["x"] + box["width"] - 2, box["y"] + box["height"] / 2)  # drag the slider to its end
    end = json.loads(chrome.state())
    assert (end["epoch"], end["slider"], end["title"]) == ("200", "49", "epoch 200")
    assert end["diagram"] != start["diagram"] and "λ1,4 = 0.321" not in end["diagram"]
    assert float(end["marker"]) > float(start["marker"])

    chrome.key("ArrowLeft", 37)
    back = json.loads(chrome.state())
    shown = [frame["epoch"] for frame in frames(page)]
    assert back["epoch"] == str(shown[-2]) and back["title"] == f"epoch {shown[-2]}"

    screenshot = base64.b64decode(chrome.page("Page.captureScreenshot", format="png")["data"])
    assert screenshot.startswith(b"\x89PNG\r\n\x1a\n")
    (tmp_path / "viewer.png").write_bytes(screenshot)


@needs_chromium
def test_the_url_fragment_picks_the_nearest_shown_epoch(browser, page):
    shown = [frame["epoch"] for frame in frames(page)]
    wanted = shown[20] + 1
    state = json.loads(browser(f"#epoch={wanted}").state())
    assert (state["epoch"], state["slider"]) == (str(shown[20]), "20")


def test_export_sample_must_be_one_sample_and_a_missing_target_is_not_invented(tmp_path):
    net = nodenet.Network.from_layers([2, 1], seed=0)
    history = net.fit([[0.1, 0.2], [0.3, 0.4]], [[0.5], [1.5]], epochs=2, lr=0.1)
    with pytest.raises(nodenet.ShapeError, match=r"its inputs need shape \(2,\)"):
        nodenet.export_html(history, tmp_path / "a.html", sample=([[0.1, 0.2], [0.3, 0.4]], [[0.5], [1.5]]))
    page = nodenet.export_html(history, tmp_path / "b.html", sample=([0.3, 0.4], None)).read_text()
    assert "target" not in page.split('"details"')[1].split('"svg"')[0]
