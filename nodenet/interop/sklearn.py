"""scikit-learn: a fitted ``MLPRegressor`` or ``MLPClassifier`` as a nodenet network, to inspect it.

scikit-learn keeps layer ``i``'s weights as ``coefs_[i]`` of shape
``(n_in, n_out)`` (the transpose of ``torch.nn.Linear.weight``) and its biases
as ``intercepts_[i]``.  The network gets the chapter's numbering (``I1..``,
``H..``, ``O..``) or, with ``feature_names=True``, the input columns' names.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InvalidArgument, MissingDependency, install_hint
from ..factory import assign_layers, layered_network

__all__ = ["from_sklearn", "HIDDEN", "OUTPUT"]

HIDDEN = {"identity": "identity", "logistic": "sigmoid", "tanh": "tanh", "relu": "relu"}
OUTPUT = {"identity": "identity", "logistic": "sigmoid", "softmax": "softmax"}


def from_sklearn(estimator: Any, *, feature_names: bool = False) -> Any:
    """The :class:`nodenet.Network` of a fitted ``MLPRegressor`` or ``MLPClassifier``.

    Its outputs are the estimator's ``predict`` (regressor) or the network
    outputs behind ``predict_proba`` (classifier: the softmax outputs, or for
    two classes the single logistic output, the probability of ``classes_[1]``).

    Parameters
    ----------
    estimator : sklearn.neural_network.MLPRegressor or MLPClassifier, fitted
    feature_names : bool
        Name the inputs after ``estimator.feature_names_in_`` (fitted on a DataFrame).

    Examples
    --------
    >>> import numpy as np, warnings, nodenet
    >>> from sklearn.neural_network import MLPRegressor
    >>> X = np.random.default_rng(0).random((20, 3)); y = X.sum(axis=1)
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     model = MLPRegressor(hidden_layer_sizes=(4,), max_iter=20, random_state=0).fit(X, y)
    >>> net = nodenet.from_sklearn(model)
    >>> bool(np.allclose(net.predict(X)[:, 0], model.predict(X), rtol=1e-12))
    True
    """
    try:
        from sklearn.neural_network import MLPClassifier, MLPRegressor
    except ImportError as err:
        raise MissingDependency(f"from_sklearn needs scikit-learn, the optional 'sklearn' extra: {install_hint('sklearn')}.") from err
    if not isinstance(estimator, (MLPRegressor, MLPClassifier)):
        raise InvalidArgument(f"from_sklearn takes a fitted MLPRegressor or MLPClassifier; got {type(estimator).__name__}.")
    if not hasattr(estimator, "coefs_"):
        raise InvalidArgument(
            f"This {type(estimator).__name__} is not fitted yet (it has no coefs_); call estimator.fit(X, y) first."
        )
    hidden = HIDDEN.get(estimator.activation)
    output = OUTPUT.get(estimator.out_activation_)
    if hidden is None or output is None:
        raise InvalidArgument(f"Unsupported activations {estimator.activation!r} / {estimator.out_activation_!r}.")
    coefs = [np.asarray(c, dtype=float) for c in estimator.coefs_]
    intercepts = [np.asarray(b, dtype=float) for b in estimator.intercepts_]
    widths = [coefs[0].shape[0]] + [c.shape[1] for c in coefs]
    names: list[str] | None = None
    if feature_names:
        columns = getattr(estimator, "feature_names_in_", None)
        if columns is None:
            raise InvalidArgument("feature_names=True needs an estimator fitted on a DataFrame (feature_names_in_).")
        names = [str(column) for column in columns]
    generated = {f"{prefix}{number}" for number in range(1, sum(widths) + 1) for prefix in "HO"}
    clashes = sorted(set(names or ()) & generated)
    if clashes:
        raise InvalidArgument(f"The feature name {clashes[0]!r} is also the name of a hidden or output node "
                              "(H.., O..); rename the column or use feature_names=False.")
    net, layers = layered_network(widths, [hidden] * (len(widths) - 2) + [output], input_names=names)
    assign_layers(layers, coefs, intercepts)
    return net
