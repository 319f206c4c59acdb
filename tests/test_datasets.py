"""nodenet.datasets: seeded shapes, their sizes and labels, DataFrames, and clear errors."""

import numpy as np
import pytest

from nodenet import InvalidArgument, datasets

CLASSIFICATION = [datasets.xor, datasets.circles, datasets.spiral, datasets.gaussians]
REGRESSION = [datasets.sine, datasets.plane]


@pytest.mark.parametrize("make", CLASSIFICATION + REGRESSION, ids=lambda f: f.__name__)
def test_same_seed_same_rows_and_the_promised_shapes(make):
    X, y = make(57, seed=3)
    again, labels = make(57, seed=3)
    assert X.tolist() == again.tolist() and y.tolist() == labels.tolist()
    assert X.shape == (57, 1 if make is datasets.sine else 2) and y.shape == (57,)
    assert make(57, seed=4)[0].tolist() != X.tolist()
    assert make(57, seed=np.random.default_rng(3))[0].shape == X.shape


@pytest.mark.parametrize("make", CLASSIFICATION, ids=lambda f: f.__name__)
def test_classification_labels_are_integers_from_zero(make):
    _, y = make(300, seed=0)
    assert y.dtype.kind == "i" and sorted(set(y.tolist())) == [0, 1]


def test_the_shapes_are_what_their_names_say():
    X, y = datasets.circles(400, noise=0.0, factor=0.3, seed=0)
    np.testing.assert_allclose(np.hypot(X[:, 0], X[:, 1]), np.where(y == 1, 0.3, 1.0))
    X, y = datasets.xor(400, noise=0.0, seed=0)
    assert (y == (np.sign(X[:, 0]) != np.sign(X[:, 1]))).all()
    X, y = datasets.sine(200, noise=0.0, seed=0)
    np.testing.assert_allclose(y, np.sin(np.pi * X[:, 0]))
    X, y = datasets.plane(200, noise=0.0, seed=0)
    np.testing.assert_allclose(y, 0.6 * X[:, 0] - 0.3 * X[:, 1] + 0.1)
    _, y = datasets.spiral(600, classes=3, seed=0)
    assert sorted(set(y.tolist())) == [0, 1, 2]
    _, y = datasets.gaussians(600, classes=4, seed=0)
    assert sorted(set(y.tolist())) == [0, 1, 2, 3]
    X, y = datasets.chapter()
    assert X.tolist() == [[0.5, 0.2, 0.7]] and y.tolist() == [0.3]


def test_as_frame_gives_named_columns():
    pd = pytest.importorskip("pandas")
    X, y = datasets.plane(5, seed=1, as_frame=True)
    assert isinstance(X, pd.DataFrame) and list(X.columns) == ["x1", "x2"] and y.name == "y"
    assert X.to_numpy().tolist() == datasets.plane(5, seed=1)[0].tolist()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: datasets.xor(0), "n (the number of rows)"),
        (lambda: datasets.xor(10.5), "n (the number of rows)"),
        (lambda: datasets.sine(10, noise=-1), "noise must be >= 0"),
        (lambda: datasets.circles(10, factor=1.5), "factor (the inner ring's radius) must be between 0 and 1; got 1.5."),
        (lambda: datasets.spiral(10, classes=1), "classes"),
        (lambda: datasets.spiral(10, turns=0), "turns must be > 0; got 0."),
        (lambda: datasets.gaussians(10, seed="x"), "seed must be None"),
        (lambda: datasets.plane(10, as_frame="yes"), "as_frame must be True or False; got 'yes'."),
    ],
)
def test_bad_arguments_are_refused_naming_them(call, message):
    with pytest.raises(InvalidArgument, match=message.replace("(", r"\(").replace(")", r"\)")):
        call()
