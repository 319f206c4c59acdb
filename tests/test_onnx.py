"""ONNX: nodenet's files run in onnxruntime with nodenet's numbers and read back exactly; skl2onnx's MLPs read."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings

import nodenet
from nodenet.errors import FormatError
from nodenet.parameters import Parameters
from nodenet.testing import problems

onnx = pytest.importorskip("onnx", reason="onnx is not installed (pip install 'nodenet-lab[onnx]')")
ort = pytest.importorskip("onnxruntime", reason="onnxruntime is not installed (pip install 'nodenet-lab[onnx]')")


def run(path, X):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {"X": np.atleast_2d(X)})[0]


@settings(max_examples=40, deadline=None)
@given(problems())
def test_onnxruntime_gives_nodenets_outputs_and_the_file_reads_back_bit_for_bit(tmp_path_factory, problem):
    net, x, _, _ = problem
    path = nodenet.to_onnx(net, tmp_path_factory.mktemp("onnx") / "net.onnx")
    onnx.checker.check_model(onnx.load(str(path)))
    np.testing.assert_allclose(run(path, x), np.atleast_2d(net.forward(x)), rtol=1e-12, atol=1e-12)
    back = nodenet.from_onnx(path)
    assert [(n.name, n.kind, n.activation_function) for n in back.nodes] == [
        (n.name, n.kind, n.activation_function) for n in net.nodes]
    assert Parameters(back).values.tobytes() == Parameters(net).values.tobytes()


def test_an_unknown_operator_is_refused_naming_it(tmp_path):
    path = nodenet.to_onnx(nodenet.Network.from_layers([2, 1], seed=0), tmp_path / "net.onnx")
    model = onnx.load(str(path))
    model.graph.node[2].op_type = "Erf"
    onnx.save(model, str(tmp_path / "bad.onnx"))
    with pytest.raises(FormatError, match="operator 'Erf'"):
        nodenet.from_onnx(tmp_path / "bad.onnx")
    (tmp_path / "junk.onnx").write_bytes(b"not a model")
    with pytest.raises(FormatError, match="not an ONNX model"):
        nodenet.from_onnx(tmp_path / "junk.onnx")


@pytest.fixture(scope="module")
def fitted():
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    rng = np.random.default_rng(0)
    X = rng.random((40, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return X, {
            "regressor": MLPRegressor(hidden_layer_sizes=(5,), activation="tanh", max_iter=50, random_state=0).fit(X, X.sum(1)),
            "binary": MLPClassifier(hidden_layer_sizes=(4,), max_iter=50, random_state=0).fit(X, X[:, 0] > 0.5),
            "multiclass": MLPClassifier(hidden_layer_sizes=(4, 3), activation="logistic", max_iter=50,
                                        random_state=0).fit(X, np.digitize(X.sum(1), [1.2, 1.8])),
        }


@pytest.mark.parametrize("kind", ["regressor", "binary", "multiclass"])
def test_skl2onnx_mlps_read_back_with_sklearns_numbers(tmp_path, fitted, kind):
    skl2onnx = pytest.importorskip("skl2onnx", reason="skl2onnx is not installed")
    X, models = fitted
    model = models[kind]
    options = {} if kind == "regressor" else {id(model): {"zipmap": False}}
    onx = skl2onnx.to_onnx(model, X[:1].astype(np.float64), options=options)
    (tmp_path / "mlp.onnx").write_bytes(onx.SerializeToString())
    net = nodenet.from_onnx(tmp_path / "mlp.onnx")
    outputs = net.predict(X)
    if kind == "regressor":
        np.testing.assert_allclose(outputs[:, 0], model.predict(X), rtol=1e-12)
    elif kind == "binary":
        np.testing.assert_allclose(outputs[:, 0], model.predict_proba(X)[:, 1], rtol=1e-12)
    else:
        np.testing.assert_allclose(outputs, model.predict_proba(X), rtol=1e-12)


def test_without_onnx_the_extra_is_named(monkeypatch, tmp_path):
    import sys

    from nodenet.errors import MissingDependency

    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(MissingDependency, match=r"pip install 'nodenet-lab\[onnx\]'"):
        nodenet.to_onnx(nodenet.Network.from_layers([1, 1], seed=0), tmp_path / "net.onnx")


def test_outputs_keep_their_order_and_softmax_groups_come_first_in_the_graph(tmp_path):
    net = nodenet.Network()
    net.add_input("x"); net.add_output("a", activation="softmax"); net.add_output("b", activation="softmax")
    net.add_node("h", activation="tanh")
    net.connect("x", "h", weight=1.0); net.connect("h", "a", weight=2.0); net.connect("x", "b", weight=-1.0)
    path = nodenet.to_onnx(net, tmp_path / "net.onnx")
    back = nodenet.from_onnx(path)
    assert [node.name for node in back.outputs] == ["a", "b"]
    np.testing.assert_allclose(run(path, [[0.3]]), net.forward([[0.3]]), rtol=1e-12)


@pytest.mark.parametrize("activation", ["sigmoid", "softplus"])
def test_far_tails_are_exact_in_onnxruntime(tmp_path, activation):
    net = nodenet.Network()
    net.add_input("x"); net.add_output("y", activation=activation); net.connect("x", "y", weight=1.0)
    X = np.array([[-700.0], [-50.0], [-20.0], [-1e-20], [0.0], [3.0], [40.0], [700.0]])
    path = nodenet.to_onnx(net, tmp_path / "net.onnx")
    np.testing.assert_allclose(run(path, X), net.forward(X), rtol=1e-15, atol=0)


def test_a_corrupt_manifest_and_bad_options_are_refused(tmp_path):
    from nodenet.errors import InvalidArgument

    path = nodenet.to_onnx(nodenet.Network.from_layers([2, 1], seed=0), tmp_path / "net.onnx")
    model = onnx.load(str(path))
    model.metadata_props[0].value = "{not json"
    onnx.save(model, str(tmp_path / "bad.onnx"))
    with pytest.raises(FormatError, match="its nodenet manifest is not JSON"):
        nodenet.from_onnx(tmp_path / "bad.onnx")
    with pytest.raises(InvalidArgument, match="opset must be an int >= 13"):
        nodenet.to_onnx(nodenet.Network.from_layers([2, 1], seed=0), tmp_path / "x.onnx", opset=5)
    with pytest.raises(InvalidArgument, match="dtype must be a floating type"):
        nodenet.to_onnx(nodenet.Network.from_layers([2, 1], seed=0), tmp_path / "x.onnx", dtype=np.int32)
