"""Data helpers, numpy in and numpy out: scaling, one-hot coding, splitting.

Examples
--------
>>> import numpy as np
>>> X = np.array([[1.0, 10.0], [3.0, 30.0], [2.0, 20.0]])
>>> scaler = MinMaxScaler().fit(X)
>>> scaler.transform(X).tolist()
[[-1.0, -1.0], [1.0, 1.0], [0.0, 0.0]]
>>> one_hot(["b", "a", "b"]).tolist()
[[0.0, 1.0], [1.0, 0.0], [0.0, 1.0]]
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Optional, Sequence

import numpy as np

from .checks import as_float_array, check_finite
from .errors import InvalidArgument, NotComputedError, ShapeError
from .seeding import Seed, as_rng

__all__ = ["MinMaxScaler", "one_hot", "from_one_hot", "train_test_split", "finite_array"]

ArrayLike = Any


def finite_array(values: ArrayLike, what: str, columns: Optional[Sequence[str]] = None) -> np.ndarray:
    """``values`` as a non-empty 1-D or 2-D float array of finite numbers.

    Errors name ``what``, the row and the column (by name when ``columns``
    names them).

    >>> finite_array([[1.0, float("nan")]], "X", columns=["I1", "I2"])
    Traceback (most recent call last):
    ...
    nodenet.errors.InvalidArgument: X holds nan for 'I2' in row 0; values must be finite (clean or impute NaN and ...
    """
    array = as_float_array(values, what)
    if array.ndim not in (1, 2) or 0 in array.shape:
        raise ShapeError(f"{what} must be a non-empty 1-D (n,) or 2-D (n, p) array; got shape {array.shape}.")
    check_finite(array.reshape(array.shape[0], -1), what, columns)
    return array


class MinMaxScaler:
    """Min/max normalization of each column to ``feature_range`` and back.

    ``z = a + (x - min) · (b - a) / (max - min)`` maps each column's observed
    range onto ``[a, b]``, usually ``[-1, 1]`` (the default) or ``[0, 1]``;
    :meth:`inverse_transform` maps network outputs back to the original
    units.  1-D input is treated as one column and stays 1-D.

    Parameters
    ----------
    feature_range : pair of float
        ``(a, b)`` with ``a < b``.

    Attributes
    ----------
    data_min, data_max : numpy.ndarray or numpy.float64
        Per-column minimum and maximum seen by :meth:`fit` (scalars when it
        was fitted on 1-D data).

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([10.0, 20.0, 15.0])
    >>> scaler = MinMaxScaler(feature_range=(0, 1))
    >>> scaler.fit_transform(y).tolist()
    [0.0, 1.0, 0.5]
    >>> scaler.inverse_transform([0.25]).tolist()
    [12.5]
    >>> MinMaxScaler().fit([[1.0, 5.0], [2.0, 5.0]])
    Traceback (most recent call last):
    ...
    nodenet.errors.InvalidArgument: Column 1 is constant (every value is 5.0); min/max scaling would divide by ...
    """

    def __init__(self, feature_range: tuple[float, float] = (-1.0, 1.0)) -> None:
        try:
            low, high = (float(v) for v in feature_range)
        except (TypeError, ValueError) as err:
            raise InvalidArgument(f"feature_range must be a pair (low, high) such as (-1, 1) or (0, 1); got {feature_range!r}.") from err
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise InvalidArgument(f"feature_range must be finite with low < high, such as (-1, 1) or (0, 1); got {feature_range!r}.")
        self.feature_range = (low, high)
        self.data_min: Optional[np.ndarray] = None
        self.data_max: Optional[np.ndarray] = None

    def fit(self, X: ArrayLike) -> MinMaxScaler:
        """Learn each column's minimum and maximum; returns the scaler."""
        array = finite_array(X, "The data to scale")
        low, high = array.min(axis=0), array.max(axis=0)
        constant = np.flatnonzero(np.atleast_1d(high == low))
        if constant.size:
            column = int(constant[0])
            value = float(np.atleast_1d(low)[column])
            raise InvalidArgument(
                f"Column {column} is constant (every value is {value!r}); min/max scaling would divide "
                "by zero. Drop the column, it carries no information."
            )
        with np.errstate(over="ignore"):
            overflowing = np.flatnonzero(np.atleast_1d(~np.isfinite(high - low)))
        if overflowing.size:
            column = int(overflowing[0])
            raise InvalidArgument(
                f"Column {column} spans from {float(np.atleast_1d(low)[column])!r} to "
                f"{float(np.atleast_1d(high)[column])!r}, a range too wide for float arithmetic; "
                "divide the column by a large constant first."
            )
        self.data_min, self.data_max = low, high
        return self

    def transform(self, X: ArrayLike) -> np.ndarray:
        """Scale ``X`` with the learned ranges (values outside them go beyond ``feature_range``)."""
        array = self._checked(X, "The data to transform")
        low, high = self.feature_range
        data_min, data_max = self._ranges()
        return low + (array - data_min) * ((high - low) / (data_max - data_min))

    def inverse_transform(self, Z: ArrayLike) -> np.ndarray:
        """Map scaled values back to the original units."""
        array = self._checked(Z, "The data to inverse-transform")
        low, high = self.feature_range
        data_min, data_max = self._ranges()
        return data_min + (array - low) * ((data_max - data_min) / (high - low))

    def fit_transform(self, X: ArrayLike) -> np.ndarray:
        """:meth:`fit`, then :meth:`transform` the same data."""
        return self.fit(X).transform(X)

    def _checked(self, X: ArrayLike, what: str) -> np.ndarray:
        if self.data_min is None:
            raise NotComputedError("This MinMaxScaler has not been fitted; call scaler.fit(X_train) first.")
        array = finite_array(X, what)
        expected = np.shape(self.data_min)
        if array.shape[1:] != expected:
            fitted = f"(n, {expected[0]})" if expected else "(n,)"
            raise ShapeError(f"{what} must have the shape the scaler was fitted on, {fitted}; got shape {array.shape}.")
        return array

    def _ranges(self) -> tuple[Any, Any]:
        """The fitted minimum and maximum (``_checked`` has made sure there are some)."""
        if self.data_min is None or self.data_max is None:
            raise NotComputedError("This MinMaxScaler has not been fitted; call scaler.fit(X_train) first.")
        return self.data_min, self.data_max

    def __repr__(self) -> str:
        return f"MinMaxScaler(feature_range={self.feature_range!r})"


def _categories(labels: np.ndarray, categories: Optional[Sequence[Any]]) -> np.ndarray:
    if categories is None:
        try:
            return np.unique(labels)
        except TypeError as err:
            raise InvalidArgument(
                f"labels must be comparable values of one type (all numbers or all strings); got {labels.tolist()!r:.200}."
            ) from err
    known = np.asarray(categories)
    if known.ndim != 1 or known.size == 0 or np.unique(known).size != known.size:
        raise InvalidArgument(f"categories must be a non-empty list of distinct values; got {categories!r}.")
    return known


def one_hot(labels: ArrayLike, categories: Optional[Sequence[Any]] = None) -> np.ndarray:
    """Code each label as a row with a 1 in its category's column.

    Parameters
    ----------
    labels : array-like, shape (n,)
        Class labels (numbers or strings).
    categories : sequence, optional
        The columns' categories in order; default: the sorted distinct
        labels.  Pass the training categories when coding test data, so the
        columns agree.

    Returns
    -------
    numpy.ndarray, shape (n, len(categories))

    Examples
    --------
    >>> one_hot([2, 0, 1]).tolist()
    [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    >>> one_hot(["cat"], categories=["ant", "bee"])
    Traceback (most recent call last):
    ...
    nodenet.errors.InvalidArgument: Label 'cat' (row 0) is not a known category; known categories: 'ant', 'bee'. ...
    """
    values = np.asarray(labels)
    if values.ndim != 1 or values.size == 0:
        raise ShapeError(f"labels must be a non-empty 1-D array, one label per row; got shape {values.shape}.")
    missing = [row for row, label in enumerate(values.tolist()) if label is None or label != label]
    if missing:
        raise InvalidArgument(
            f"Label {values.tolist()[missing[0]]!r} (row {missing[0]}) is missing; drop the row or give it a category."
        )
    known = _categories(values, categories)
    order = np.argsort(known, kind="stable")
    sorted_known = known[order]
    try:
        where = np.searchsorted(sorted_known, values)
    except TypeError as err:
        raise InvalidArgument(
            f"labels and categories must be comparable values of one type; got {values.dtype} and {known.dtype}."
        ) from err
    where = np.minimum(where, known.size - 1)
    unseen = np.flatnonzero(sorted_known[where] != values)
    if unseen.size:
        row = int(unseen[0])
        names = ", ".join(repr(c) for c in known.tolist())
        raise InvalidArgument(
            f"Label {values[row].item()!r} (row {row}) is not a known category; known categories: {names}. "
            "Add it to categories or drop the row."
        )
    coded = np.zeros((values.size, known.size))
    coded[np.arange(values.size), order[where]] = 1.0
    return coded


def from_one_hot(coded: ArrayLike, categories: Optional[Sequence[Any]] = None) -> np.ndarray:
    """The category of each row: the column with the largest value.

    Works on one-hot rows and on predicted probabilities (softmax outputs).
    Without ``categories`` the column indices are returned.

    Examples
    --------
    >>> from_one_hot([[0.1, 0.7, 0.2], [0.9, 0.05, 0.05]], categories=["a", "b", "c"]).tolist()
    ['b', 'a']
    >>> from_one_hot([[0.0, 1.0]]).tolist()
    [1]
    """
    array = finite_array(coded, "The coded rows")
    if array.ndim != 2:
        raise ShapeError(f"The coded rows must be a 2-D array (n, categories); got shape {array.shape}.")
    index = np.argmax(array, axis=1)
    if categories is None:
        return index
    known = _categories(index, categories)
    if known.size != array.shape[1]:
        raise ShapeError(f"The coded rows have {array.shape[1]} columns but {known.size} categories were given; they must match.")
    return known[index]


def train_test_split(
    *arrays: ArrayLike, test_size: float = 0.25, shuffle: bool = True, seed: Seed = None
) -> list[np.ndarray]:
    """Split arrays with the same rows into training and test parts.

    Parameters
    ----------
    *arrays : array-like
        Each with the same number of rows.
    test_size : float or int
        Fraction of rows in (0, 1), or a number of rows, for the test part.
    shuffle : bool
        Shuffle the rows first (with ``seed``); otherwise the last rows are
        the test part.
    seed : None, int or numpy Generator

    Returns
    -------
    list of numpy.ndarray
        ``[a_train, a_test, b_train, b_test, ...]``.

    Examples
    --------
    >>> import numpy as np
    >>> X_train, X_test, y_train, y_test = train_test_split(np.arange(10), np.arange(10) * 2, test_size=0.3, seed=0)
    >>> X_test.tolist(), y_test.tolist()
    ([3, 0, 5], [6, 0, 10])
    """
    if not arrays:
        raise InvalidArgument("train_test_split needs at least one array.")
    converted = []
    for position, a in enumerate(arrays):
        ragged = ShapeError(f"Array {position} is ragged (rows of different lengths); give rectangular data.")
        try:
            with warnings.catch_warnings():  # numpy < 1.24 makes an object array of ragged rows, with a warning
                warnings.simplefilter("ignore")
                array = np.asarray(a)
        except ValueError as err:
            raise ragged from err
        if array.dtype == object and array.ndim == 1 and any(isinstance(row, (list, tuple, np.ndarray)) for row in array):
            raise ragged
        converted.append(array)
    rows = {a.shape[0] if a.ndim else 0 for a in converted}
    if len(rows) != 1:
        raise ShapeError(f"Every array must have the same number of rows; got {sorted(rows)}.")
    n = rows.pop()
    if n < 2:
        raise ShapeError(f"Splitting needs at least 2 rows; got {n}.")
    if isinstance(test_size, bool) or not isinstance(test_size, (int, float, np.integer, np.floating)):
        raise InvalidArgument(f"test_size must be a fraction in (0, 1) or a number of rows; got {test_size!r}.")
    if isinstance(test_size, (float, np.floating)):
        if not 0.0 < test_size < 1.0:
            raise InvalidArgument(f"test_size must be a fraction in (0, 1) or a number of rows; got {test_size!r}.")
        count = min(max(1, round(test_size * n)), n - 1)
    else:
        if not 1 <= test_size < n:
            raise InvalidArgument(f"test_size as a number of rows must be in 1..{n - 1}; got {test_size!r}.")
        count = int(test_size)
    if not isinstance(shuffle, bool):
        raise InvalidArgument(f"shuffle must be True or False; got {shuffle!r}.")
    order = as_rng(seed).permutation(n) if shuffle else np.arange(n)
    train, test = order[: n - count], order[n - count :]
    return [part for a in converted for part in (a[train], a[test])]
