"""nodenet.sklearn: scikit-learn's own estimator checks, pipelines, searches, labels of any type, DataFrames."""

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn", reason="scikit-learn is not installed (pip install 'nodenet-lab[sklearn]')")
pd = pytest.importorskip("pandas", reason="pandas is not installed (the test extra)")

from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import GridSearchCV, cross_val_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

import nodenet  # noqa: E402
from nodenet.sklearn import NodenetClassifier, NodenetRegressor  # noqa: E402

RNG = np.random.default_rng(0)
X = RNG.uniform(-1, 1, (80, 3))
Y_REG = X[:, 0] * X[:, 1] + 0.5 * X[:, 2]
Y_CLASS = np.where(X[:, 0] + X[:, 1] > 0, "up", "down")


@parametrize_with_checks([NodenetRegressor(epochs=60), NodenetClassifier(epochs=60)])
def test_scikit_learns_estimator_checks(estimator, check):
    check(estimator)


def test_a_grid_search_over_sizes_and_alpha_in_a_pipeline_with_a_scaler():
    pipeline = make_pipeline(StandardScaler(), NodenetRegressor(epochs=150, random_state=0))
    grid = {"nodenetregressor__hidden_layer_sizes": [(4,), (12,)], "nodenetregressor__alpha": [0.0, 0.1]}
    search = GridSearchCV(pipeline, grid, cv=3).fit(X * 10 + 3, Y_REG)  # unscaled features: the scaler matters
    assert set(search.cv_results_["param_nodenetregressor__alpha"]) == {0.0, 0.1}
    assert search.best_score_ > 0.5
    best = search.best_estimator_[-1]
    assert isinstance(best.network_, nodenet.Network) and best.history_.epochs_run == 150


def test_cross_val_score_and_clone():
    scores = cross_val_score(NodenetClassifier(epochs=120, random_state=1), X, Y_CLASS, cv=4)
    assert scores.shape == (4,) and scores.mean() > 0.8
    model = NodenetClassifier(hidden_layer_sizes=(5, 3), alpha=0.01, random_state=2)
    copy = clone(model)
    assert copy.get_params() == model.get_params() and not hasattr(copy, "network_")


@pytest.mark.parametrize("labels", [np.array([3, 7, 7, 3]), np.array(["b", "a", "a", "b"]), np.array([True, False, False, True]),
                                    np.array([2.0, -1.0, -1.0, 2.0])])
def test_labels_of_any_type(labels):
    X4 = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]] * 6)
    y = np.tile(labels, 6)
    model = NodenetClassifier(hidden_layer_sizes=(8,), epochs=300, lr=0.05, random_state=0).fit(X4, y)
    assert model.classes_.tolist() == sorted(set(labels.tolist()))
    assert model.predict(X4[:4]).tolist() == labels.tolist()
    proba = model.predict_proba(X4)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    assert proba.shape == (24, 2) and model.score(X4, y) == 1.0


def test_three_classes_and_the_network_behind_them():
    y = np.digitize(X[:, 0], [-0.33, 0.33])
    model = NodenetClassifier(hidden_layer_sizes=(6,), epochs=300, lr=0.03, random_state=0).fit(X, y)
    assert model.score(X, y) > 0.9
    net = model.network_
    assert [node.activation for node in net.outputs] == ["softmax"] * 3
    np.testing.assert_allclose(net.predict(X), model.predict_proba(X), rtol=0, atol=0)
    net.forward(X[0]); net.backward(np.eye(3)[y[0]], loss="cross_entropy")
    assert net.explain(net.outputs[0].name).text.startswith(f"{net.outputs[0].name} (output, softmax)")


def test_dataframes_name_the_input_nodes_and_keep_sklearns_column_rules(tmp_path):
    frame = pd.DataFrame(X, columns=["alcohol", "ash", "hue"])
    model = NodenetRegressor(hidden_layer_sizes=(4,), epochs=50, random_state=0).fit(frame, Y_REG)
    assert model.feature_names_in_.tolist() == ["alcohol", "ash", "hue"]
    assert [node.name for node in model.network_.inputs] == ["alcohol", "ash", "hue"]
    np.testing.assert_allclose(model.predict(frame), model.predict(X), rtol=0, atol=0)
    # the network reads a frame by column name, in any order ...
    np.testing.assert_allclose(model.network_.predict(frame[["hue", "alcohol", "ash"]])[:, 0], model.predict(X), rtol=0, atol=0)
    # ... while the estimator keeps scikit-learn's rule: the columns of fit, in their order
    with pytest.raises(ValueError, match="Feature names must be in the same order"):
        model.predict(frame[["hue", "alcohol", "ash"]])
    assert "λ(alcohol→H4)" in nodenet.to_dot(model.network_).source
    assert nodenet.export_html(model.history_, tmp_path / "lab.html").exists()


def test_alpha_is_an_l2_penalty_on_the_weights():
    free = NodenetRegressor(hidden_layer_sizes=(8,), epochs=200, random_state=0).fit(X, Y_REG)
    decayed = NodenetRegressor(hidden_layer_sizes=(8,), epochs=200, alpha=0.5, random_state=0).fit(X, Y_REG)
    def size(model):
        return sum(c.weight ** 2 for c in model.network_.connections)
    assert size(decayed) < 0.5 * size(free)
    assert decayed.history_.regularization == {"l2": 0.5, "l1": 0.0, "biases": False}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"hidden_layer_sizes": (0,)}, r"hidden_layer_sizes must be a tuple of ints >= 1"),
        ({"hidden_layer_sizes": (2.5,)}, r"hidden_layer_sizes must be a tuple of ints >= 1"),
        ({"batch_size": 0}, r"batch_size must be an int >= 1 or None"),
        ({"alpha": -1.0}, r"l2 \(the L2 penalty, weight decay\) must be a number >= 0"),
        ({"activation": "swish"}, r"Unknown activation 'swish'"),
    ],
)
def test_bad_parameters_are_refused_at_fit_naming_them(params, message):
    with pytest.raises(ValueError, match=message):
        NodenetRegressor(**params).fit(X, Y_REG)


def test_one_class_is_refused():
    with pytest.raises(ValueError, match=r"needs at least 2 classes in y; got 1 class \('up'\)"):
        NodenetClassifier(epochs=2).fit(X, np.full(80, "up"))
