"""MinMaxScaler, one_hot / from_one_hot and train_test_split."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import nodenet
from nodenet.errors import InvalidArgument, NotComputedError, ShapeError

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@given(arrays(float, st.tuples(st.integers(2, 8), st.integers(1, 4)), elements=finite),
       st.sampled_from([(-1, 1), (0, 1)]))
def test_scaler_maps_onto_the_range_and_back(X, feature_range):
    spread = X.max(axis=0) - X.min(axis=0)
    if np.any(spread < 1e-3):
        X = X + np.arange(X.shape[0])[:, None]        # make every column non-constant
    scaler = nodenet.MinMaxScaler(feature_range=feature_range)
    Z = scaler.fit_transform(X)
    low, high = feature_range
    np.testing.assert_allclose(Z.min(axis=0), low, atol=1e-9)
    np.testing.assert_allclose(Z.max(axis=0), high, atol=1e-9)
    np.testing.assert_allclose(scaler.inverse_transform(Z), X, rtol=1e-9, atol=1e-6)


def test_scaler_by_hand():
    scaler = nodenet.MinMaxScaler().fit([[0.0, 10.0], [4.0, 30.0]])
    assert scaler.transform([[1.0, 20.0], [8.0, 10.0]]).tolist() == [[-0.5, 0.0], [3.0, -1.0]]
    assert scaler.inverse_transform([[0.5, 1.0]]).tolist() == [[3.0, 30.0]]
    assert scaler.data_min.tolist() == [0.0, 10.0] and scaler.data_max.tolist() == [4.0, 30.0]


def test_scaler_keeps_one_dimensional_data_one_dimensional():
    scaler = nodenet.MinMaxScaler(feature_range=(0, 1)).fit(np.array([2.0, 6.0]))
    assert scaler.transform([4.0]).tolist() == [0.5]
    with pytest.raises(ShapeError, match=r"fitted on, \(n,\); got shape \(1, 1\)"):
        scaler.transform([[4.0]])


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: nodenet.MinMaxScaler().fit([[1.0, 2.0], [1.0, 3.0]]), InvalidArgument,
         r"Column 0 is constant \(every value is 1.0\)"),
        (lambda: nodenet.MinMaxScaler().transform([[1.0]]), NotComputedError, "has not been fitted; call scaler.fit"),
        (lambda: nodenet.MinMaxScaler().fit([[0.0, 1.0], [1.0, 2.0]]).transform([[1.0]]), ShapeError,
         r"fitted on, \(n, 2\); got shape \(1, 1\)"),
        (lambda: nodenet.MinMaxScaler(feature_range=(1, -1)), InvalidArgument, "low < high"),
        (lambda: nodenet.MinMaxScaler(feature_range=3), InvalidArgument, r"must be a pair \(low, high\)"),
        (lambda: nodenet.MinMaxScaler().fit([[np.nan], [1.0]]), InvalidArgument, "holds nan in column 0 in row 0"),
        (lambda: nodenet.MinMaxScaler().fit([]), ShapeError, "non-empty"),
        (lambda: nodenet.MinMaxScaler().fit([["a"], ["b"]]), InvalidArgument, "must be numbers"),
    ],
)
def test_scaler_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


@given(st.lists(st.sampled_from(["setosa", "versicolor", "virginica", "x"]), min_size=1, max_size=20))
def test_one_hot_round_trip(labels):
    categories = sorted(set(labels))
    coded = nodenet.one_hot(labels)
    assert coded.shape == (len(labels), len(categories))
    assert coded.sum(axis=1).tolist() == [1.0] * len(labels)
    assert nodenet.from_one_hot(coded, categories).tolist() == labels


def test_one_hot_with_given_categories_keeps_their_order():
    coded = nodenet.one_hot([3, 1], categories=[3, 2, 1])
    assert coded.tolist() == [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    assert nodenet.from_one_hot(coded, [3, 2, 1]).tolist() == [3, 1]
    assert nodenet.from_one_hot([[0.2, 0.5, 0.3]]).tolist() == [1]


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: nodenet.one_hot([1, 5], categories=[1, 2]), InvalidArgument,
         r"Label 5 \(row 1\) is not a known category; known categories: 1, 2"),
        (lambda: nodenet.one_hot([]), ShapeError, "non-empty 1-D"),
        (lambda: nodenet.one_hot([[1, 2]]), ShapeError, "non-empty 1-D"),
        (lambda: nodenet.one_hot([1], categories=[1, 1]), InvalidArgument, "distinct"),
        (lambda: nodenet.from_one_hot([[0.0, 1.0]], categories=["a", "b", "c"]), ShapeError,
         "2 columns but 3 categories"),
        (lambda: nodenet.from_one_hot([0.0, 1.0]), ShapeError, r"2-D array \(n, categories\)"),
    ],
)
def test_one_hot_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


@given(st.integers(2, 50), st.floats(0.05, 0.95), st.integers(0, 2**31))
def test_split_partitions_the_rows(n, test_size, seed):
    X, y = np.arange(n * 2).reshape(n, 2), np.arange(n)
    X_train, X_test, y_train, y_test = nodenet.train_test_split(X, y, test_size=test_size, seed=seed)
    assert sorted(y_train.tolist() + y_test.tolist()) == list(range(n))
    assert 1 <= len(y_test) <= n - 1 and len(y_test) == min(max(1, round(test_size * n)), n - 1)
    assert X_train[:, 1].tolist() == (2 * y_train + 1).tolist()     # rows stay together
    assert X_test[:, 1].tolist() == (2 * y_test + 1).tolist()
    again = nodenet.train_test_split(X, y, test_size=test_size, seed=seed)
    assert again[3].tolist() == y_test.tolist()


def test_split_without_shuffle_takes_the_last_rows():
    train, test = nodenet.train_test_split(np.arange(5), test_size=2, shuffle=False)
    assert train.tolist() == [0, 1, 2] and test.tolist() == [3, 4]


@pytest.mark.parametrize(
    "args, options, error, message",
    [
        ((np.arange(4), np.arange(3)), {}, ShapeError, r"same number of rows; got \[3, 4\]"),
        ((np.arange(4),), {"test_size": 1.0}, InvalidArgument, r"fraction in \(0, 1\)"),
        ((np.arange(4),), {"test_size": 4}, InvalidArgument, r"must be in 1..3; got 4"),
        ((np.arange(1),), {}, ShapeError, "at least 2 rows"),
        ((), {}, InvalidArgument, "at least one array"),
        ((np.arange(4),), {"shuffle": 1}, InvalidArgument, "shuffle must be True or False"),
    ],
)
def test_split_errors(args, options, error, message):
    with pytest.raises(error, match=message):
        nodenet.train_test_split(*args, **options)


@pytest.mark.parametrize(
    "call, error, fragment",
    [
        (lambda: nodenet.one_hot(["a", None]), nodenet.InvalidArgument, "Label None (row 1) is missing"),
        (lambda: nodenet.one_hot([1.0, float("nan")]), nodenet.InvalidArgument, "Label nan (row 1) is missing"),
        (lambda: nodenet.from_one_hot(np.empty((2, 0))), nodenet.ShapeError, "got shape (2, 0)"),
        (lambda: nodenet.train_test_split([[1, 2], [3]]), nodenet.ShapeError, "Array 0 is ragged"),
        (lambda: nodenet.MinMaxScaler().fit([[-1e308], [1e308], [0.0]]), nodenet.InvalidArgument, "too wide for float arithmetic"),
        (lambda: nodenet.MinMaxScaler().fit(np.empty((3, 0))), nodenet.ShapeError, "non-empty"),
    ],
)
def test_edge_cases_get_nodenet_errors(call, error, fragment):
    with pytest.raises(error) as info:
        call()
    assert fragment in str(info.value)


def test_numpy_integers_are_row_counts():
    _, test = nodenet.train_test_split(np.arange(10), test_size=np.int64(3), seed=0)
    assert test.size == 3
