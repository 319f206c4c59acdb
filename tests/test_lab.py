"""The lab page in a real headless Chromium: stepping, editing, the URL fragment, no network, two labs at once."""

import html
import math
import pathlib
import runpy

import numpy as np
import pytest
from browser import Browser, needs_browser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nodenet
from nodenet.testing.strategies import networks

pytestmark = [needs_browser, pytest.mark.dot]

CHAPTER_X, CHAPTER_Y = [0.5, 0.2, 0.7], [0.3]
EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"
RTOL, ATOL = 1e-12, 1e-15  # relative; the absolute floor is for sums that cancel to almost zero


@pytest.fixture(scope="module")
def browser():
    instance = Browser()
    yield instance
    instance.close()


@pytest.fixture(scope="module")
def chapter():
    net = nodenet.Network.from_layers([3, 2, 1], hidden="sigmoid", output="identity", seed=13)
    return net.fit([CHAPTER_X], [CHAPTER_Y], epochs=1000, lr=0.2, progress=False)


@pytest.fixture(scope="module")
def chapter_page(chapter, tmp_path_factory):
    return nodenet.export_html(chapter, tmp_path_factory.mktemp("lab") / "chapter.html")


def python_numbers(history, epoch, x, y, edits):
    """nodenet's own numbers at ``epoch`` after the same edits (``A->B``, ``b:NODE``, ``x:NODE``)."""
    net = history.network_at(epoch)
    x = list(x)
    for key, value in edits.items():
        if "->" in key:
            net.connection(*key.split("->")).weight = value
        elif key.startswith("b:"):
            net[key[2:]].bias = value
        else:
            x[[node.name for node in net.inputs].index(key[2:])] = value
    net.forward(x)
    net.backward(y, loss=history.loss_function)
    return net


def assert_same_numbers(page_state, net):
    for shown, node in zip(page_state["nodes"], net.nodes, strict=True):
        assert shown["name"] == node.name
        for key, attribute in (("pre", "pre"), ("post", "post"), ("gradPre", "grad_pre"), ("gradPost", "grad_post")):
            np.testing.assert_allclose(shown[key], getattr(node, attribute), rtol=RTOL, atol=ATOL, err_msg=f"{node.name}.{attribute}")
        if node.kind != "input":
            np.testing.assert_allclose(shown["gradBias"], node.grad_bias, rtol=RTOL, atol=ATOL, err_msg=f"{node.name}.grad_bias")
    for shown, conn in zip(page_state["connections"], net.connections, strict=True):
        assert (shown["source"], shown["target"]) == (conn.source.name, conn.target.name)
        np.testing.assert_allclose(shown["weight"], conn.weight, rtol=0, atol=0)
        np.testing.assert_allclose(shown["gradWeight"], conn.grad_weight, rtol=RTOL, atol=ATOL, err_msg=f"{conn.name} grad")


def test_stepping_the_chapter_shows_explain_for_every_node_and_the_update(browser, chapter, chapter_page):
    browser.open(chapter_page.as_uri() + "#epoch=0")
    net = chapter.network_at(0)
    order = [node.name for node in net.nodes]
    walk = [(name, "forward") for name in order] + [(name, "backward") for name in reversed(order)]
    for name, phase in walk:
        browser.keys("ARROW_RIGHT")
        state = browser.state()
        assert state["step"] == f"{phase}:{name}"
        assert browser.current_node() == [order.index(name)]
        assert state["panel"] == net.explain(name, phase=phase).text
    browser.keys("ARROW_RIGHT")
    state = browser.state()
    assert state["step"] == "update" and state["panel"].startswith("update\nλ ← λ − η·∂L/∂λ with η = 0.2000")
    assert "λ1,4 ← λ1,4 − η·∂L/∂λ1,4 = (0.3207) − (0.2000)(-0.0037) = 0.3214" in state["panel"]
    # one sample, plain SGD: the page's step is the recorded next epoch
    np.testing.assert_allclose(state["update"], chapter.parameters[1], rtol=RTOL, atol=ATOL)
    browser.keys("ARROW_LEFT", "ARROW_LEFT")
    assert browser.state()["step"] == "backward:I2"
    assert browser.errors() == []


def test_the_buttons_and_the_keys_move_through_epochs(browser, chapter, chapter_page):
    browser.open(chapter_page.as_uri())
    assert browser.state()["epoch"] == 0 and browser.state()["step"] is None
    browser.keys("ARROW_UP", "ARROW_UP")
    assert browser.state()["epoch"] == 2  # every recorded epoch is in the page
    browser.click("#next")
    browser.click("#next")
    assert browser.state()["step"] == "forward:I2"
    browser.keys("END")
    assert browser.state()["step"] == "update"
    browser.click("#whole")
    assert browser.state()["step"] is None


def test_editing_a_weight_by_clicking_recomputes_every_number(browser, chapter, chapter_page, tmp_path):
    browser.open(chapter_page.as_uri() + "#epoch=500")
    browser.click('#diagram [data-connection="0"] .weight')  # I1->H4's label
    assert browser.run("return document.getElementById('editor-label').textContent") == "I1->H4"
    browser.type_into("#editor-value", "0.5")
    state = browser.state()
    assert state["edits"] == {"I1->H4": 0.5}
    assert_same_numbers(state, python_numbers(chapter, 500, CHAPTER_X, CHAPTER_Y, {"I1->H4": 0.5}))
    assert "set=I1->H4:0.5" in browser.run("return decodeURIComponent(location.hash)")
    browser.click('#diagram [data-node="3"] rect')  # H4's bias
    browser.type_into("#editor-value", "-1.25")
    browser.type_into("#edit-text", "x:I2:0.9")
    edits = {"I1->H4": 0.5, "b:H4": -1.25, "x:I2": 0.9}
    state = browser.state()
    assert state["edits"] == edits
    assert_same_numbers(state, python_numbers(chapter, 500, CHAPTER_X, CHAPTER_Y, edits))
    browser.screenshot(tmp_path / "edited.png")
    browser.click("#reset")
    assert_same_numbers(browser.state(), chapter.network_at(500))


def test_a_bad_edit_is_refused_with_a_message(browser, chapter_page):
    browser.open(chapter_page.as_uri())
    browser.type_into("#edit-text", "I1->O6:0.5")
    assert "No weight, bias or input I1->O6" in browser.run("return document.getElementById('message').textContent")
    browser.type_into("#edit-text", "b:H4:nan")
    assert "must be a finite number" in browser.run("return document.getElementById('message').textContent")
    assert browser.state()["edits"] == {}


def test_a_link_opens_the_exact_moment(browser, chapter, chapter_page):
    browser.open(chapter_page.as_uri() + "#epoch=500&sample=0&step=backward:H4&set=I1->H4:0.5")
    state = browser.state()
    assert (state["epoch"], state["sample"], state["step"], state["edits"]) == (500, 0, "backward:H4", {"I1->H4": 0.5})
    assert browser.current_node() == [3]
    net = python_numbers(chapter, 500, CHAPTER_X, CHAPTER_Y, {"I1->H4": 0.5})
    assert state["panel"] == net.explain("H4", phase="backward").text
    assert_same_numbers(state, net)
    browser.open(chapter_page.as_uri() + "#epoch=5000&step=forward:nobody&set=b:I1:3")
    assert browser.state()["epoch"] == 1000  # the nearest recorded epoch
    message = browser.run("return document.getElementById('message').textContent")
    assert "no step forward:nobody" in message and "No weight, bias or input b:I1" in message
    for fragment, problem in [("#epoch=abc", "no epoch abc"), ("#set=I1->H4", "set=I1->H4 needs NAME:VALUE"),
                              ("#epoch=%E0%A4%A&sample=0", "unreadable part epoch=%E0%A4%A"), ("#colour=red", "unknown key colour")]:
        browser.open(chapter_page.as_uri() + fragment)  # the page still opens, and says what it ignored
        assert problem in browser.run("return document.getElementById('message').textContent")
    assert browser.state()["epoch"] == 0


def test_the_page_makes_no_network_request(browser, tmp_path):
    net = nodenet.Network.from_layers([2, 3, 1], seed=1)
    X = np.random.default_rng(0).uniform(-1, 1, (30, 2))
    history = net.fit(X, (X[:, :1] * X[:, 1:] > 0).astype(float), epochs=30, lr=0.5, progress=False)
    page = nodenet.export_html(history, tmp_path / "lab.html", data=(X, (X[:, :1] * X[:, 1:] > 0).astype(float)))
    browser.requests()  # forget earlier pages
    browser.open(page.as_uri() + "#step=update")
    browser.run("document.querySelector('#diagram [data-node=\"2\"]').dispatchEvent(new MouseEvent('mouseenter'))")
    urls = browser.requests()
    assert urls and all(url.startswith(("file://", "data:", "about:")) for url in urls), urls
    assert browser.errors() == []


def random_history(net, seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (3, len(net.inputs)))
    outputs = len(net.outputs)
    if net.outputs[0].activation == "softmax":
        y = np.eye(outputs)[rng.integers(0, outputs, 3)]
        return net.fit(x, y, epochs=3, lr=0.1, loss="cross_entropy", progress=False), x, y
    y = rng.uniform(-1, 1, (3, outputs))
    return net.fit(x, y, epochs=3, lr=0.1, progress=False), x, y


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    net=st.one_of(networks(max_inputs=3, max_hidden=5, activations=("sigmoid", "tanh", "softplus", "relu", "leaky_relu")),
                  networks(max_inputs=3, max_hidden=4, softmax=True, max_outputs=3)),
    seed=st.integers(0, 1000),
    edit=st.floats(-2, 2, allow_nan=False),
)
def test_random_dags_match_nodenet_after_an_edit(browser, tmp_path, net, seed, edit):
    history, x, y = random_history(net, seed)
    page = nodenet.export_html(history, tmp_path / f"dag{seed}.html", data=(x, y))
    conn = net.connections[seed % len(net.connections)]
    key = f"{conn.source.name}->{conn.target.name}"
    browser.open(page.as_uri() + f"#epoch=2&sample=2&set={key}:{edit!r}")
    state = browser.state()
    assert state["edits"] == {key: edit}
    expected = python_numbers(history, 2, x[1], y[1], {key: edit})
    assert_same_numbers(state, expected)
    for node in expected.nodes[-2:]:
        browser.open(page.as_uri() + f"#epoch=2&sample=2&set={key}:{edit!r}&step=backward:{node.name}")
        assert browser.state()["panel"] == expected.explain(node.name, phase="backward").text


@pytest.mark.parametrize("optimizer", [nodenet.SGD(lr=0.3, momentum=0.9), nodenet.SGD(lr=0.3, momentum=0.5, nesterov=True),
                                       nodenet.Adam(lr=0.05)], ids=repr)
def test_the_update_step_of_momentum_and_adam_is_the_recorded_step(browser, tmp_path, optimizer):
    net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    history = net.fit([CHAPTER_X], [CHAPTER_Y], epochs=6, optimizer=optimizer, progress=False)
    page = nodenet.export_html(history, tmp_path / "lab.html")
    browser.open(page.as_uri() + "#epoch=4&step=update")
    state = browser.state()
    np.testing.assert_allclose(state["update"], history.parameters[5], rtol=RTOL, atol=ATOL)
    first = "v(λ1,4) ← μ·v(λ1,4) − η·∂L/∂λ1,4" if optimizer.name == "sgd" else "m(λ1,4) ← β1·m(λ1,4) + (1 − β1)·g"
    assert first in state["panel"]


def test_pictures_are_recomputed_in_the_page_after_an_edit(browser, tmp_path):
    net = nodenet.Network.from_layers([2, 3, 1], hidden="tanh", seed=3)
    X = np.random.default_rng(1).uniform(-1, 1, (20, 2))
    Y = (X[:, :1] > X[:, 1:]).astype(float)
    history = net.fit(X, Y, epochs=10, lr=0.5, progress=False)
    lab = nodenet.Lab(history, data=(X, Y))
    page = lab.save(tmp_path / "lab.html")
    browser.open(page.as_uri() + "#epoch=10")
    recorded = browser.state()["pictures"]
    assert recorded["source"] == "recorded" and recorded["nodes"] == ["H3", "H4", "H5", "O6"]
    axes = lab.data["pictures"]["axes"]
    grid = np.array([[a, b] for b in axes[1] for a in axes[0]])
    snapshot = history.network_at(10, x=grid)
    for values, name in zip(recorded["values"], recorded["nodes"]):
        exact = snapshot[name].post
        assert np.max(np.abs(np.array(values) - exact)) <= (exact.max() - exact.min()) / 255 + 1e-12
    browser.open(page.as_uri() + "#epoch=10&set=I1->H3:1.5")
    computed = browser.state()["pictures"]
    assert computed["source"] == "computed"
    snapshot.connection("I1", "H3").weight = 1.5
    snapshot.forward(grid)
    for values, name in zip(computed["values"], computed["nodes"]):
        np.testing.assert_allclose(values, snapshot[name].post, rtol=RTOL, atol=ATOL)


def test_two_labs_in_one_notebook_page_are_independent(browser, chapter, tmp_path):
    net = nodenet.Network.from_layers([2, 2, 1], seed=0)
    other = net.fit([[0.0, 1.0]], [[1.0]], epochs=4, lr=0.5, progress=False)
    host = tmp_path / "notebook.html"
    host.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><style>#formulas { color: red; }</style></head><body>"
        f"<div id='formulas'>notebook text</div>{nodenet.Lab(chapter)._repr_html_()}{nodenet.Lab(other)._repr_html_()}</body></html>",
        encoding="utf-8",
    )
    browser.driver.get(host.as_uri())
    frames = browser.driver.find_elements("tag name", "iframe")
    assert len(frames) == 2
    states = []
    for frame, presses in zip(frames, (3, 1)):
        browser.driver.switch_to.frame(frame)
        browser.wait_ready()
        browser.click("#formulas")  # a click gives the frame the keyboard, as for a reader
        browser.keys(*["ARROW_RIGHT"] * presses)
        states.append(browser.state())
        browser.driver.switch_to.default_content()
    assert [s["step"] for s in states] == ["forward:I3", "forward:I1"]
    assert [len(s["nodes"]) for s in states] == [6, 5]
    assert browser.run("return document.getElementById('formulas').textContent") == "notebook text"
    browser.driver.switch_to.frame(frames[0])
    assert browser.state()["step"] == "forward:I3"  # the other lab's keys did not reach it
    browser.driver.switch_to.default_content()


def test_screenshots_of_the_lab(browser, tmp_path_factory):
    """Pages a learner meets: the chapter, a 2-input classifier with heatmaps, the wine network, a 40-node DAG."""
    folder = tmp_path_factory.mktemp("screenshots")
    for name, (history, options, fragment) in runpy.run_path(str(EXAMPLES / "lab.py"))["build_labs"]().items():
        page = nodenet.export_html(history, folder / f"{name}.html", **options)
        browser.open(page.as_uri() + fragment)
        assert browser.errors() == []
        shot = browser.screenshot(folder / f"{name}.png")
        assert shot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
        assert html.escape(history.network.nodes[-1].name) in page.read_text(encoding="utf-8")
        assert math.isfinite(browser.state()["loss"])


def test_clicking_the_curve_jumps_to_that_epoch_and_hovering_enlarges_a_picture(browser, tmp_path):
    X = np.linspace(-1, 1, 25)[:, None]
    net = nodenet.Network.from_layers([1, 3, 1], hidden="tanh", output="identity", seed=4)
    history = net.fit(X, np.sin(3 * X), epochs=300, lr=0.1, validation=(X[::2], np.sin(3 * X[::2])), progress=False)
    page = nodenet.export_html(history, tmp_path / "sine.html", data=(X, np.sin(3 * X)))
    browser.open(page.as_uri())
    chart = browser.driver.find_element("css selector", "#loss-chart")
    box = chart.rect
    # the plot spans x = 52 .. 416 of 430 units: three quarters along it is epoch 225
    from selenium.webdriver.common.action_chains import ActionChains
    ActionChains(browser.driver).move_to_element_with_offset(chart, round((52 + 0.75 * 364) / 430 * box["width"] - box["width"] / 2), 0).click().perform()
    assert abs(browser.state()["epoch"] - 225) <= 2
    assert browser.run("return document.querySelectorAll('#loss-chart polyline').length") == 2  # training and validation
    browser.run("document.querySelector('#diagram [data-node=\"4\"]').dispatchEvent(new MouseEvent('mouseenter', {clientX: 300, clientY: 200}))")
    assert browser.run("return document.getElementById('zoom').hidden") is False
    assert "O5 over I1 (dots: training targets)" in browser.run("return document.getElementById('zoom-title').textContent")
    browser.screenshot(tmp_path / "sine.png")


def test_hostile_names_show_literally_and_run_nothing(browser, tmp_path):
    names = ['<img src=x onerror="document.body.dataset.pwned=1">', "</script><script>document.body.dataset.pwned=2</script>", "a&b \"q\" 'p'"]
    net = nodenet.Network()
    net.add_input(names[0])
    net.add_node(names[1], activation="tanh")
    net.add_output(names[2])
    net.connect(names[0], names[1])
    net.connect(names[1], names[2])
    history = net.fit([[0.3]], [[0.1]], epochs=2, lr=0.1, progress=False)
    page = nodenet.export_html(history, tmp_path / "hostile.html")
    browser.open(page.as_uri() + "#step=forward:" + names[2].replace("&", "%26").replace('"', "%22"))
    assert browser.run("return document.body.dataset.pwned") is None
    assert browser.run("return document.querySelectorAll('img, #diagram foreignObject').length") == 0
    shown = browser.run("return [...document.querySelectorAll('#diagram .node .name')].map(t => t.textContent)")
    assert shown == [f"{name} · {act}" for name, act in zip(names, ["identity", "tanh", "identity"])]
    assert browser.state()["panel"] == history.network_at(0).explain(names[2], phase="forward").text
    assert browser.errors() == []


@pytest.mark.parametrize("penalty", [{"l2": 0.05}, {"l1": 0.01, "regularize_biases": True}, {"l2": 0.02, "l1": 0.003}])
def test_the_update_step_with_a_weight_penalty_is_the_recorded_step(browser, tmp_path, penalty):
    net = nodenet.Network.from_layers([3, 2, 1], seed=13)
    history = net.fit([CHAPTER_X], [CHAPTER_Y], epochs=4, lr=0.3, progress=False, **penalty)
    page = nodenet.export_html(history, tmp_path / "lab.html")
    browser.open(page.as_uri() + "#epoch=2&step=update")
    state = browser.state()
    np.testing.assert_allclose(state["update"], history.parameters[3], rtol=RTOL, atol=ATOL)
    term = "l2·λ1,4" if "l2" in penalty else "l1·sign(λ1,4)"
    assert f"λ1,4 ← λ1,4 − η·(∂L/∂λ1,4 + {term}" in state["panel"]
    snapshot = history.network_at(2)
    for node in snapshot.nodes[3:]:  # the page writes explain's update lines, with the same numbers
        for line in snapshot.explain(node.name, phase="update", lr=0.3, **penalty).text.splitlines()[1:]:
            assert line in state["panel"]
    assert ("b4 ← b4 − η·(∂L/∂b4 + " in state["panel"]) == penalty.get("regularize_biases", False)


def test_a_custom_activation_is_shown_not_computed_and_empty_values_are_refused(browser, chapter_page, tmp_path):
    @nodenet.register_activation
    class Cube(nodenet.Activation):
        name = "cube_lab"

        def value(self, pre):
            return pre ** 3

        def derivative(self, pre, post):
            return 3 * pre ** 2

    try:
        net = nodenet.Network.from_layers([1, 2, 1], hidden=Cube(), seed=2)
        history = net.fit([[0.5]], [[0.1]], epochs=3, lr=0.1, progress=False)
        browser.open(nodenet.export_html(history, tmp_path / "cube.html").as_uri())
        assert browser.errors() == []
        assert "cannot compute" in browser.state()["panel"]
    finally:
        del nodenet.ACTIVATIONS["cube_lab"]
    browser.open(chapter_page.as_uri() + "#set=I1->H4:")
    assert "I1->H4 needs a value" in browser.run("return document.getElementById('message').textContent")
    browser.type_into("#edit-text", "b:H4: ")
    assert "b:H4 needs a value" in browser.run("return document.getElementById('message').textContent")
    assert browser.state()["edits"] == {}
