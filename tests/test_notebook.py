"""examples/notebook.ipynb in a real Jupyter kernel: every output shows, none runs Graphviz on a large network."""

import pathlib

import pytest

nbformat = pytest.importorskip("nbformat", reason="the notebook test needs nbformat, nbclient and ipykernel (the test extra)")
nbclient = pytest.importorskip("nbclient", reason="the notebook test needs nbclient (the test extra)")
pytest.importorskip("ipykernel", reason="the notebook test needs ipykernel (the test extra)")

pytestmark = pytest.mark.dot
NOTEBOOK = pathlib.Path(__file__).resolve().parent.parent / "examples" / "notebook.ipynb"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    # a fresh kernel, as a reader's: no %matplotlib, no configuration of ours
    nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path_factory.mktemp("nb"))}}).execute()
    cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    return [{key: value for output in cell.outputs for key, value in output.get("data", {}).items()} for cell in cells]


def test_the_network_shows_its_diagram(outputs):
    assert "image/svg+xml" in outputs[0] and "λ1,4" in outputs[0]["image/svg+xml"]


def test_plot_history_shows_a_picture_in_a_fresh_kernel(outputs):
    assert set(outputs[1]) >= {"image/png", "text/plain"}


def test_each_lab_is_an_isolated_frame(outputs):
    for cell in outputs[2:4]:
        assert cell["text/html"].startswith('<iframe sandbox="allow-scripts" srcdoc="&lt;!DOCTYPE html&gt;')


def test_a_large_network_shows_its_structure_without_graphviz(outputs):
    large = outputs[4]
    assert "hidden · 128 × sigmoid" in large["image/svg+xml"] and "graphviz" not in large["image/svg+xml"].lower()
    assert "net.render('net.svg') draws every node" in large["text/plain"]
