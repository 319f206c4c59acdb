"""scikit-learn: fitted MLPs come in as networks with sklearn's predictions, ready to explain and draw."""

import shutil
import warnings

import numpy as np
import pytest

import nodenet
from nodenet.errors import InvalidArgument

sklearn = pytest.importorskip("sklearn", reason="scikit-learn is not installed (pip install 'nodenet-lab[sklearn]')")
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402

X = np.random.default_rng(1).random((60, 4))
CASES = [
    ("regressor identity", MLPRegressor(hidden_layer_sizes=(5,), activation="identity"), X @ [1, -2, 0.5, 3]),
    ("regressor relu, 2 outputs", MLPRegressor(hidden_layer_sizes=(6, 3), activation="relu"), np.c_[X.sum(1), X[:, 0]]),
    ("binary logistic", MLPClassifier(hidden_layer_sizes=(4,), activation="logistic"), np.where(X[:, 0] > 0.5, "yes", "no")),
    ("multiclass tanh", MLPClassifier(hidden_layer_sizes=(5,), activation="tanh"), np.digitize(X.sum(1), [1.6, 2.4])),
]


@pytest.mark.parametrize(("label", "model", "y"), CASES, ids=[row[0] for row in CASES])
def test_predictions_equal_predict_and_predict_proba(label, model, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.set_params(max_iter=60, random_state=0).fit(X, y)
    net = nodenet.from_sklearn(model)
    outputs = net.predict(X)
    if isinstance(model, MLPRegressor):
        np.testing.assert_allclose(outputs, model.predict(X).reshape(len(X), -1), rtol=1e-12, atol=1e-14)
    elif len(model.classes_) == 2:
        np.testing.assert_allclose(outputs[:, 0], model.predict_proba(X)[:, 1], rtol=1e-12)
    else:
        np.testing.assert_allclose(outputs, model.predict_proba(X), rtol=1e-12)
    net.forward(X[0])
    net.backward(np.zeros(len(net.outputs)))
    assert net.explain(net.outputs[0].name).text.startswith(net.outputs[0].name)
    if shutil.which("dot"):
        assert nodenet.to_svg(net).startswith("<svg")


def fitted_on_columns(columns):
    """A small regressor fitted on a DataFrame of X with these column names."""
    pandas = pytest.importorskip("pandas", reason="pandas is not installed")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return MLPRegressor(hidden_layer_sizes=(3,), max_iter=5, random_state=0).fit(
            pandas.DataFrame(X, columns=columns), X.sum(1))


def test_feature_names_name_the_inputs():
    model = fitted_on_columns(["porosity", "brittleness", "TOC", "VR"])
    assert [n.name for n in nodenet.from_sklearn(model, feature_names=True).inputs] == ["porosity", "brittleness", "TOC", "VR"]


def test_an_unfitted_or_foreign_estimator_is_refused():
    with pytest.raises(InvalidArgument, match="not fitted yet .* call estimator.fit"):
        nodenet.from_sklearn(MLPRegressor())
    from sklearn.linear_model import LinearRegression

    with pytest.raises(InvalidArgument, match="takes a fitted MLPRegressor or MLPClassifier; got LinearRegression"):
        nodenet.from_sklearn(LinearRegression())


def test_a_feature_name_that_clashes_with_a_node_name_is_refused():
    model = fitted_on_columns(["a", "H6", "c", "d"])
    with pytest.raises(InvalidArgument, match="The feature name 'H6' is also the name of a hidden or output node"):
        nodenet.from_sklearn(model, feature_names=True)
    assert [n.name for n in nodenet.from_sklearn(model).inputs] == ["I1", "I2", "I3", "I4"]
