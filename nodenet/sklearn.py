"""scikit-learn estimators around a :class:`~nodenet.Network`: :class:`NodenetRegressor`, :class:`NodenetClassifier`.

They follow scikit-learn's conventions (parameters in the constructor,
``fit``/``predict``/``score``, ``get_params``/``set_params``, ``clone``,
``Pipeline``, ``GridSearchCV``, ``cross_val_score``, DataFrames with
``feature_names_in_``) and pass ``sklearn.utils.estimator_checks.check_estimator``.
The trained network stays reachable as ``estimator.network_`` (diagrams,
``explain``, :func:`nodenet.export_html` on ``estimator.history_``); its
input nodes take the DataFrame's column names.

Needs the optional ``sklearn`` extra (``pip install 'nodenet-lab[sklearn]'``).

Examples
--------
>>> import numpy as np
>>> from nodenet.sklearn import NodenetClassifier
>>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]] * 5)
>>> y = np.array(["no", "yes", "yes", "no"] * 5)
>>> model = NodenetClassifier(hidden_layer_sizes=(8,), epochs=400, lr=0.05, random_state=0).fit(X, y)
>>> model.classes_.tolist(), model.predict(X[:4]).tolist(), round(model.score(X, y), 2)
(['no', 'yes'], ['no', 'yes', 'yes', 'no'], 1.0)
>>> [node.name for node in model.network_.outputs]
['O11', 'O12']
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .checks import check_name
from .errors import InvalidArgument, MissingDependency, NodenetError, install_hint
from .network import Network

try:
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
    from sklearn.utils import check_random_state
    from sklearn.utils.multiclass import check_classification_targets
    from sklearn.utils.validation import check_is_fitted, validate_data
except ImportError as err:  # pragma: no cover - the extra installs it
    raise MissingDependency(f"nodenet.sklearn needs scikit-learn, the optional 'sklearn' extra: {install_hint('sklearn')}.") from err

__all__ = ["NodenetRegressor", "NodenetClassifier"]

_PARAMETERS = """
    hidden_layer_sizes : tuple of int
        Nodes of each hidden layer, e.g. ``(16,)`` or ``(8, 8)``; ``()`` for none.
    activation : str
        Activation of the hidden nodes (``'tanh'``, ``'sigmoid'``, ``'relu'``, ...).
    optimizer : {'adam', 'sgd'}
        The optimizer of :func:`nodenet.fit`.
    epochs : int
        Passes over the training rows.
    lr : float
        Learning rate.
    batch_size : int or None
        Rows per mini-batch (at most all of them); ``None`` for full batches.
    alpha : float
        L2 penalty (weight decay) on the weights: training descends the data
        loss plus ``alpha/2 · Σ λ²`` (scikit-learn's MLP divides its penalty
        by the number of rows; nodenet does not).
    l1 : float
        L1 penalty ``l1 · Σ |λ|`` on the weights.
    regularize_biases : bool
        Penalize the biases as well.
    init : str
        Weight initialization (:mod:`nodenet.initializers`).
    shuffle : bool
        Shuffle the rows each epoch (mini-batches).
    record_every : int
        Keep every weight each ``k``-th epoch in ``history_`` (for plots and
        the lab); 0 keeps none.
    random_state : None, int or numpy.random.RandomState
        Seeds the initial weights and the shuffling: same seed, same model.
    verbose : bool
        Show a progress bar.
"""


_FITTED = """history_ : History
        What :func:`nodenet.fit` recorded.
    loss_curve_ : list of float
        Training loss of each epoch.
    n_features_in_, feature_names_in_
        As in scikit-learn.
"""


class _NodenetEstimator(BaseEstimator):
    """What both estimators share: the parameters, the network and the training."""

    OUTPUT_ACTIVATION = "identity"
    LOSS = "l2"

    def __init__(
        self,
        hidden_layer_sizes: tuple[int, ...] = (16,),
        *,
        activation: str = "tanh",
        optimizer: str = "adam",
        epochs: int = 200,
        lr: float = 0.01,
        batch_size: int | None = 32,
        alpha: float = 0.0,
        l1: float = 0.0,
        regularize_biases: bool = False,
        init: str = "xavier",
        shuffle: bool = True,
        record_every: int = 1,
        random_state: Any = None,
        verbose: bool = False,
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.optimizer = optimizer
        self.epochs = epochs
        self.lr = lr
        self.batch_size = batch_size
        self.alpha = alpha
        self.l1 = l1
        self.regularize_biases = regularize_biases
        self.init = init
        self.shuffle = shuffle
        self.record_every = record_every
        self.random_state = random_state
        self.verbose = verbose

    def _widths(self, inputs: int, outputs: int) -> list[int]:
        sizes = self.hidden_layer_sizes
        sizes = (sizes,) if isinstance(sizes, (int, np.integer)) and not isinstance(sizes, bool) else sizes
        try:
            hidden = [int(size) for size in sizes]
            valid = all(size >= 1 and size == raw for size, raw in zip(hidden, sizes))
        except (TypeError, ValueError):
            valid = False
        if not valid:
            raise InvalidArgument(
                f"hidden_layer_sizes must be a tuple of ints >= 1, e.g. (16,) or (8, 8); got {self.hidden_layer_sizes!r}."
            )
        return [inputs, *hidden, outputs]

    def _input_names(self) -> list[str] | None:
        """The DataFrame's column names as input node names, where each is a valid, distinct name."""
        names = getattr(self, "feature_names_in_", None)
        if names is None:
            return None
        names = [str(name) for name in names]
        try:
            for name in names:
                check_name(name)
        except NodenetError:
            return None
        if len(set(names)) != len(names) or any(name[:1] in "HO" and name[1:].isdigit() for name in names):
            return None  # H4 or O6 among the columns would clash with the hidden and output nodes
        return names

    def _train(self, X: np.ndarray, targets: np.ndarray) -> None:
        rng = check_random_state(self.random_state)
        init_seed, shuffle_seed = (int(value) for value in rng.randint(0, 2**31 - 1, size=2))
        net = Network.from_layers(
            self._widths(X.shape[1], targets.shape[1]),
            hidden=self.activation,
            output=self.OUTPUT_ACTIVATION,
            init=self.init,
            seed=init_seed,
            input_names=self._input_names(),
        )
        batch = self.batch_size
        if batch is not None and not (isinstance(batch, (int, np.integer)) and not isinstance(batch, bool) and batch >= 1):
            raise InvalidArgument(f"batch_size must be an int >= 1 or None (full batches); got {batch!r}.")
        self.history_ = net.fit(
            X,
            targets,
            epochs=self.epochs,
            lr=self.lr,
            batch_size=None if batch is None else min(int(batch), X.shape[0]),
            optimizer=self.optimizer,
            loss=self.LOSS,
            shuffle=self.shuffle,
            seed=shuffle_seed,
            l2=self.alpha,
            l1=self.l1,
            regularize_biases=self.regularize_biases,
            record_every=self.record_every,
            progress=bool(self.verbose),
        )
        self.network_ = net
        self.loss_curve_ = self.history_.loss.tolist()

    def _outputs(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "network_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return self.network_.predict(X)


class NodenetRegressor(RegressorMixin, _NodenetEstimator):
    __doc__ = f"""A regressor: a layered :class:`~nodenet.Network` with identity outputs and the L2 loss.

    Parameters
    ----------{_PARAMETERS}
    Attributes
    ----------
    network_ : Network
        The trained network.
    {_FITTED}
    Examples
    --------
    >>> import numpy as np
    >>> from nodenet.sklearn import NodenetRegressor
    >>> X = np.linspace(-1, 1, 40).reshape(-1, 1)
    >>> model = NodenetRegressor((8,), epochs=300, lr=0.02, random_state=0).fit(X, np.sin(2 * X[:, 0]))
    >>> model.score(X, np.sin(2 * X[:, 0])) > 0.95
    True
    """

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def fit(self, X: Any, y: Any) -> NodenetRegressor:
        """Train on rows ``X`` ``(n, p)`` and targets ``y`` ``(n,)`` or ``(n, k)``; returns the estimator."""
        X, y = validate_data(self, X, y, dtype=np.float64, multi_output=True, y_numeric=True)
        self._single = y.ndim == 1
        self._train(X, y.reshape(len(y), -1))
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Predictions ``(n,)`` (or ``(n, k)`` for targets of several columns)."""
        outputs = self._outputs(X)
        return outputs[:, 0] if self._single else outputs


class NodenetClassifier(ClassifierMixin, _NodenetEstimator):
    __doc__ = f"""A classifier: a layered :class:`~nodenet.Network` with one softmax output per class and the cross-entropy loss.

    Class labels may be of any type (numbers, strings, booleans); ``classes_``
    holds them in sorted order, ``predict_proba`` the softmax outputs in the
    same order.

    Parameters
    ----------{_PARAMETERS}
    Attributes
    ----------
    classes_ : numpy.ndarray
        The class labels, sorted.
    network_ : Network
        The trained network (output node ``i`` is ``classes_[i]``).
    {_FITTED}    """

    OUTPUT_ACTIVATION = "softmax"
    LOSS = "cross_entropy"

    def fit(self, X: Any, y: Any) -> NodenetClassifier:
        """Train on rows ``X`` ``(n, p)`` and class labels ``y`` ``(n,)``; returns the estimator."""
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        self.classes_, codes = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise InvalidArgument(
                f"A classifier needs at least 2 classes in y; got 1 class ({self.classes_[0].item()!r})."
            )
        self._train(X, np.eye(len(self.classes_))[codes])
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """The probability of each class (columns in ``classes_`` order), shape ``(n, classes)``."""
        return self._outputs(X)

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each row."""
        probabilities = self.predict_proba(X)  # checks that the estimator is fitted
        return self.classes_[np.argmax(probabilities, axis=1)]
